// Branding per appliance and per tenant. GET /api/branding, /logo and
// /favicon are public: the login page needs them before anyone signs in.
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { AppError, notFound } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { contrastOf, MIN_TEXT_CONTRAST, suggestShade } from '../../../../shared/contrast';
import { PAGE_BACKGROUND, TEXT_ON_PRIMARY, type BrandingSettings } from '../../../../shared/branding-rules';
import { BrandingStore, type ImageKind } from './branding-store';
import { checkUpload } from './image-upload';
import { brandingPatchSchema, domainQuery, imageUploadSchema } from './schema';

function contrastProblems(s: BrandingSettings): { field: string; message: string; suggestion: string | null }[] {
  const out: { field: string; message: string; suggestion: string | null }[] = [];
  const pairs = [
    ['primaryColor', s.primaryColor, TEXT_ON_PRIMARY, 'white text'],
    ['accentColor', s.accentColor, PAGE_BACKGROUND, 'the white page'],
  ] as const;
  for (const [field, color, against, what] of pairs) {
    if (!color) continue;
    const ratio = contrastOf(color, against);
    if (ratio !== null && ratio < MIN_TEXT_CONTRAST) {
      const suggestion = suggestShade(color, against);
      out.push({
        field,
        message: `text on this colour is unreadable: contrast ${ratio.toFixed(2)}:1 against ${what}, needs ${MIN_TEXT_CONTRAST}:1${suggestion ? `; try ${suggestion}` : ''}`,
        suggestion,
      });
    }
  }
  return out;
}

export function brandingRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/branding' });
  const store = new BrandingStore(deps.store, deps.config.dataDir);

  const tenantByDomain = (domain?: string) => (domain ? deps.store.tenants.byDomain(domain.toLowerCase())?.id ?? null : null);

  /** Which level an editor acts on: the appliance (null) or one tenant. */
  const editScope = (ctx: ApiContext): number | null => {
    const actor = actorOf(ctx).user;
    const id = tenantScope(actor, requestedTenant(ctx.query, ctx.get('x-korobka-tenant'))) ?? null;
    if (id !== null && !deps.store.tenants.get(id)) throw notFound('tenant', id);
    return id;
  };

  const editView = (tenantId: number | null) => {
    const tenant = tenantId === null ? undefined : deps.store.tenants.get(tenantId);
    const meta = (kind: ImageKind) => {
      const m = store.image(kind, tenantId);
      return m ? { type: m.type, bytes: m.bytes } : null;
    };
    return {
      scope: { tenantId },
      settings: store.settings(tenantId),
      effective: store.effective(tenantId, tenant?.sipDomain),
      // What the level falls back to for every field it does not set.
      inherited: tenantId === null ? store.defaults() : store.effective(null),
      logo: meta('logo'),
      favicon: meta('favicon'),
    };
  };

  router.get('/', async (ctx) => {
    const { domain } = parseInput(domainQuery, ctx.query);
    const tenantId = tenantByDomain(domain);
    ctx.body = store.effective(tenantId, tenantId === null ? undefined : domain);
  });

  for (const kind of ['logo', 'favicon'] as const) {
    router.get(`/${kind}`, async (ctx) => {
      const { domain } = parseInput(domainQuery, ctx.query);
      const found = store.resolveImage(kind, tenantByDomain(domain));
      const img = found && store.readImage(kind, found.tenantId);
      if (!img) throw notFound(kind, domain ?? 'appliance');
      ctx.type = img.meta.type === 'png' ? 'image/png' : 'image/svg+xml';
      // Opened directly, an SVG still may not run anything.
      ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.set('ETag', `"${img.meta.sha256}"`);
      ctx.body = img.data;
    });
  }

  router.get('/edit', can(deps, 'branding.write'), async (ctx) => {
    ctx.body = editView(editScope(ctx));
  });

  router.put('/', can(deps, 'branding.write'), async (ctx) => {
    const tenantId = editScope(ctx);
    const patch = parseInput(brandingPatchSchema, ctx.state.body);
    const next: BrandingSettings = { ...store.settings(tenantId) };
    for (const [k, v] of Object.entries(patch) as [keyof BrandingSettings, unknown][]) {
      if (v === null) delete next[k];
      else if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    }
    const problems = contrastProblems({ primaryColor: patch.primaryColor ?? undefined, accentColor: patch.accentColor ?? undefined });
    if (problems.length > 0) {
      throw new AppError(400, 'validation-failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });
    }
    store.saveSettings(tenantId, next);
    audit(deps, ctx, { tenantId, action: 'branding.update', target: tenantId === null ? 'appliance' : `tenant:${tenantId}`, details: { fields: Object.keys(patch) } });
    ctx.body = editView(tenantId);
  });

  for (const kind of ['logo', 'favicon'] as const) {
    router.put(`/${kind}`, can(deps, 'branding.write'), async (ctx) => {
      const tenantId = editScope(ctx);
      const { data } = parseInput(imageUploadSchema, ctx.state.body);
      let checked;
      try {
        checked = checkUpload(kind, data);
      } catch (e) {
        audit(deps, ctx, { tenantId, action: `branding.${kind}`, outcome: 'failed', details: { code: (e as AppError).code } });
        throw e;
      }
      const meta = store.saveImage(kind, tenantId, checked.type, checked.data);
      audit(deps, ctx, { tenantId, action: `branding.${kind}`, target: tenantId === null ? 'appliance' : `tenant:${tenantId}`, details: { type: meta.type, bytes: meta.bytes, sha256: meta.sha256 } });
      ctx.body = editView(tenantId);
    });
  }

  router.delete('/', can(deps, 'branding.write'), async (ctx) => {
    const tenantId = editScope(ctx);
    store.reset(tenantId);
    audit(deps, ctx, { tenantId, action: 'branding.reset', target: tenantId === null ? 'appliance' : `tenant:${tenantId}` });
    ctx.status = 204;
  });

  return router;
}
