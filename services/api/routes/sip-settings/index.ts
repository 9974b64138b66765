// /api/sip-settings: what a tenant's digest challenges offer its phones
// (services/common/sip-digest.ts), and an extension's own override for a
// phone that needs another order. call-control reads the setting at every
// challenge, so a change applies to the next REGISTER or call.
import Router from '@koa/router';
import { z } from 'zod';
import {
  DEFAULT_DIGEST_POLICY,
  DIGEST_POLICIES,
  DIGEST_POLICY_NAMES,
  digestPolicyFor,
  extensionDigestKey,
  isDigestPolicy,
  tenantDigestKey,
  type DigestPolicy,
} from '../../../common/sip-digest';
import type { ApiDeps, ApiState } from '../../context';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { loadExtension, targetTenant } from '../extensions/extensions';

const policy = z.enum(DIGEST_POLICY_NAMES as [DigestPolicy, ...DigestPolicy[]], { message: `one of ${DIGEST_POLICY_NAMES.join(', ')}` });
const tenantBody = z.object({ digestPolicy: policy, tenantId: z.number().int().positive().optional() }).strict();
const extensionBody = z.object({ digestPolicy: policy.nullable() }).strict();

export function sipSettingsRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/sip-settings' });
  const settings = deps.store.settings;

  router.get('/', can(deps, 'sip.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const own = settings.get<unknown>(tenantDigestKey, tenant.id);
    const extensions = deps.store.extensions
      .list(tenant.id)
      .map((e) => ({ id: e.id, extension: e.extension, digestPolicy: settings.get<unknown>(extensionDigestKey(e.id), tenant.id) }))
      .filter((e): e is { id: number; extension: string; digestPolicy: DigestPolicy } => isDigestPolicy(e.digestPolicy));
    ctx.body = {
      tenantId: tenant.id,
      digestPolicy: isDigestPolicy(own) ? own : DEFAULT_DIGEST_POLICY,
      default: DEFAULT_DIGEST_POLICY,
      policies: DIGEST_POLICIES,
      extensions,
    };
  });

  router.put('/', can(deps, 'sip.write'), async (ctx) => {
    const input = parseInput(tenantBody, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const before = digestPolicyFor(settings, tenant.id);
    settings.set(tenantDigestKey, input.digestPolicy, tenant.id);
    audit(deps, ctx, { tenantId: tenant.id, action: 'sip-settings.update', target: `tenant:${tenant.id}`, details: { digestPolicy: { from: before, to: input.digestPolicy } } });
    ctx.body = { tenantId: tenant.id, digestPolicy: input.digestPolicy, algorithms: DIGEST_POLICIES[input.digestPolicy] };
  });

  router.put('/extensions/:id', can(deps, 'sip.write'), async (ctx) => {
    const ext = loadExtension(deps, ctx);
    const input = parseInput(extensionBody, ctx.state.body);
    if (input.digestPolicy === null) settings.delete(extensionDigestKey(ext.id), ext.tenantId);
    else settings.set(extensionDigestKey(ext.id), input.digestPolicy, ext.tenantId);
    const effective = digestPolicyFor(settings, ext.tenantId, ext.id);
    audit(deps, ctx, { tenantId: ext.tenantId, action: 'sip-settings.extension', target: `extension:${ext.id}`, details: { digestPolicy: input.digestPolicy } });
    ctx.body = { id: ext.id, extension: ext.extension, digestPolicy: input.digestPolicy, effective, algorithms: DIGEST_POLICIES[effective] };
  });

  return router;
}
