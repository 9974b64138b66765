// /api/prompts: a tenant's prompts — uploaded audio, text to speech and
// music on hold — with a preview a browser plays. Every write is audited,
// refusals of an upload or a synthesis too.
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { AppError } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { PromptLibrary } from '../../../prompts';
import { promptInUse } from '../../../store';
import { promptUsers } from '../../../call-flows';
import { loadFlowConfig } from '../call-flows/flow-config';
import { targetTenant } from '../extensions/extensions';
import { loadPrompt, promptView } from './prompts';
import { renamePromptSchema, ttsPromptSchema, uploadPromptSchema } from './schema';

export function promptRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/prompts' });
  // Built on first use: the RBAC test builds the app over no store.
  let lib: PromptLibrary | undefined;
  const library = () => (lib ??= new PromptLibrary(deps.store, deps.config.dataDir));

  const refused = (ctx: ApiContext, tenantId: number, action: string, details: Record<string, unknown>) => (e: unknown) => {
    audit(deps, ctx, { tenantId, action, outcome: 'failed', details: { ...details, code: e instanceof AppError ? e.code : 'error' } });
    throw e;
  };

  router.get('/', can(deps, 'prompts.read'), async (ctx) => {
    const tenantId = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const { limits } = library();
    ctx.body = { prompts: deps.store.prompts.list(tenantId).map(promptView), limits: { maxBytes: limits.maxBytes, maxSeconds: limits.maxSeconds, ttsMaxChars: limits.ttsMaxChars } };
  });

  router.get('/:id', can(deps, 'prompts.read'), async (ctx) => {
    ctx.body = { prompt: promptView(loadPrompt(deps, ctx)) };
  });

  router.get('/:id/audio', can(deps, 'prompts.read'), async (ctx) => {
    const p = loadPrompt(deps, ctx);
    const wav = library().previewWav(p);
    if (!wav) throw new AppError(404, 'prompt-file-missing', `the audio file of prompt ${p.id} is missing on the server`);
    ctx.type = 'audio/wav';
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.set('Content-Disposition', 'inline');
    ctx.body = wav;
  });

  router.post('/upload', can(deps, 'prompts.write'), async (ctx) => {
    const input = parseInput(uploadPromptSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const data = Buffer.from(input.data, 'base64');
    const base = { name: input.name, kind: input.kind, filename: input.filename ?? null, bytes: data.length };
    const prompt = await library()
      .upload({ tenantId: tenant.id, name: input.name, language: input.language, kind: input.kind, data, createdBy: actorOf(ctx).user.id })
      .catch(refused(ctx, tenant.id, 'prompt.upload', base));
    audit(deps, ctx, { tenantId: tenant.id, action: 'prompt.upload', target: `prompt:${prompt.id}`, details: { ...base, source: prompt.source, durationMs: prompt.durationMs } });
    ctx.status = 201;
    ctx.body = { prompt: promptView(prompt) };
  });

  router.post('/tts', can(deps, 'prompts.write'), async (ctx) => {
    const input = parseInput(ttsPromptSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const base = { name: input.name, language: input.language, chars: input.text.length };
    const prompt = await library()
      .tts({ tenantId: tenant.id, name: input.name, language: input.language, text: input.text, createdBy: actorOf(ctx).user.id })
      .catch(refused(ctx, tenant.id, 'prompt.tts', base));
    audit(deps, ctx, { tenantId: tenant.id, action: 'prompt.tts', target: `prompt:${prompt.id}`, details: { ...base, durationMs: prompt.durationMs } });
    ctx.status = 201;
    ctx.body = { prompt: promptView(prompt) };
  });

  router.patch('/:id', can(deps, 'prompts.write'), async (ctx) => {
    const cur = loadPrompt(deps, ctx);
    const { name } = parseInput(renamePromptSchema, ctx.state.body);
    const prompt = library().rename(cur, name);
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'prompt.rename', target: `prompt:${cur.id}`, details: { from: cur.name, to: prompt.name } });
    ctx.body = { prompt: promptView(prompt) };
  });

  router.delete('/:id', can(deps, 'prompts.write'), async (ctx) => {
    const cur = loadPrompt(deps, ctx);
    try {
      // IVR menus, announcements and recording notices that play it (services/call-flows).
      const users = promptUsers(loadFlowConfig(deps, cur.tenantId), cur.id);
      if (users.length) throw promptInUse(cur, users.map((name) => ({ type: 'call-flow', id: cur.id, name })));
      library().delete(cur);
    } catch (e) {
      refused(ctx, cur.tenantId, 'prompt.delete', { name: cur.name })(e);
    }
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'prompt.delete', target: `prompt:${cur.id}`, details: { name: cur.name, kind: cur.kind } });
    ctx.status = 204;
  });

  return router;
}
