// /api/recordings: list and metadata, audio playback with HTTP Range (RFC 9110
// §14) and download, legal hold, the tenant's recording policy, listen grants (listen-grants.ts).
// Every playback and download, allowed or refused, writes an audit row.
import path from 'node:path';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import { fileSha256, openKeyring, PAUSE_POLICY_SETTING, pausePolicyOf, playback, policyFromRows, policyToRows, Vault, type RecordingIndexRecord } from '../../../recordings';
import type { ApiDeps, ApiState } from '../../context';
import { AppError, notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { canSee, checkListen, ownNumbers } from './access';
import { VerifiedFiles } from './verified-files';
import { legalHoldSchema, listQuerySchema, policyInputSchema } from './schema';
import { listenGrantRoutes } from './listen-grants';

const recordingFileChanged = (id: string) =>
  new AppError(500, 'recording-file-changed', `recording ${id}: the stored file does not match its index entry (tampered or damaged); see korobka doctor`);
const recordingFileMissing = (id: string) => new AppError(500, 'recording-file-missing', `recording ${id}: the stored file is missing; see korobka doctor`);

function publicRecording(r: RecordingIndexRecord) {
  const { path: _p, keyId: _k, tenantId, ...rest } = r;
  return { ...rest, tenantId: Number(tenantId) };
}

export function recordingRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/recordings' });
  const recordingsDir = path.join(deps.config.dataDir, 'recordings');
  let vault: Vault | undefined;
  const verified = new VerifiedFiles();
  // Opened on first playback: the recordings process creates the master key at its first start.
  const vaultOf = () =>
    (vault ??= new Vault(openKeyring({ dataDir: deps.config.dataDir, ...(deps.config.recordings.masterKeyPath ? { masterKeyPath: deps.config.recordings.masterKeyPath } : {}) })));

  const load = (ctx: ApiContext): RecordingIndexRecord => {
    const id = ctx.params.id ?? '';
    const rec = deps.store.recordings.findRecording(id);
    if (!rec || !canSee(deps.store, actorOf(ctx).user, rec)) throw notFound('recording', id);
    return rec;
  };

  /** Tenant an admin acts on: their own, or the one a superadmin names. */
  const policyTenant = (ctx: ApiContext): number => {
    const t = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    if (t === undefined) throw validationFailed([{ field: 'tenantId', message: 'name the tenant (query tenantId or X-Korobka-Tenant)' }]);
    if (!deps.store.tenants.get(t)) throw notFound('tenant', t);
    return t;
  };

  router.get('/', can(deps, 'recordings.read'), async (ctx) => {
    const q = parseInput(listQuerySchema, ctx.query);
    const user = actorOf(ctx).user;
    const tenantId = tenantScope(user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const { tenantId: _t, ...filters } = q;
    const result = deps.store.recordings.list({ ...filters, tenantId, ...(user.role === 'employee' ? { parties: ownNumbers(deps.store, user) } : {}) });
    ctx.body = { recordings: result.rows.map(publicRecording), total: result.total };
  });

  const policyAnswer = (tenantId: number) => ({
    tenantId,
    policy: policyFromRows(deps.store.recordings.policies(tenantId)),
    ...deps.store.recordings.tenantSettings(tenantId),
    pause: pausePolicyOf(deps.store.settings.get(PAUSE_POLICY_SETTING, tenantId)),
  });

  router.get('/policy', can(deps, 'recordings.policy'), async (ctx) => {
    const tenantId = policyTenant(ctx);
    ctx.body = policyAnswer(tenantId);
  });

  router.put('/policy', can(deps, 'recordings.policy'), async (ctx) => {
    const tenantId = policyTenant(ctx);
    const input = parseInput(policyInputSchema, ctx.state.body);
    deps.store.recordings.replacePolicies(tenantId, policyToRows(input.policy));
    deps.store.recordings.setTenantSettings(tenantId, { retentionDays: input.retentionDays, quotaBytes: input.quotaBytes });
    if (input.pause) deps.store.settings.set(PAUSE_POLICY_SETTING, input.pause, tenantId);
    audit(deps, ctx, { tenantId, action: 'recordings.policy', details: input });
    ctx.body = policyAnswer(tenantId);
  });

  listenGrantRoutes(router, deps);

  router.get('/:id', can(deps, 'recordings.read'), async (ctx) => {
    ctx.body = { recording: publicRecording(load(ctx)) };
  });

  const listen = (action: 'recording.played' | 'recording.downloaded') => async (ctx: ApiContext) => {
    const rec = load(ctx);
    const user = actorOf(ctx).user;
    const range = ctx.get('range') || undefined;
    const trail = { tenantId: Number(rec.tenantId), action, target: rec.recordingId, details: { range: range ?? null } };
    try {
      checkListen(deps.store, user);
    } catch (e) {
      audit(deps, ctx, { ...trail, outcome: 'denied' });
      throw e;
    }
    const file = path.join(recordingsDir, rec.path);
    // The whole file against the index before any byte goes out, so a damaged
    // file answers a clear error instead of a stream that dies half-way.
    // Checked once per file version, not once per Range request.
    const seen = await verified.check(file, rec.sha256);
    if (!seen.known) {
      const actual = await fileSha256(file).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (actual !== rec.sha256) {
        audit(deps, ctx, { ...trail, outcome: 'failed' });
        throw actual === null ? recordingFileMissing(rec.recordingId) : recordingFileChanged(rec.recordingId);
      }
      verified.remember(file, rec.sha256, seen.stat);
    }
    const r = playback(vaultOf(), file, rec, range);
    audit(deps, ctx, { ...trail, details: { ...trail.details, status: r.status } });
    ctx.status = r.status;
    ctx.set(r.headers);
    if (action === 'recording.downloaded') {
      ctx.set('Content-Disposition', `attachment; filename="${rec.recordingId}.${rec.mediaType === 'audio/wav' ? 'wav' : 'ogg'}"`);
    }
    if (r.body) ctx.body = Readable.from(r.body);
  };

  router.get('/:id/audio', can(deps, 'recordings.listen'), listen('recording.played'));
  router.get('/:id/download', can(deps, 'recordings.listen'), listen('recording.downloaded'));

  router.put('/:id/legal-hold', can(deps, 'recordings.hold'), async (ctx) => {
    const rec = load(ctx);
    const input = parseInput(legalHoldSchema, ctx.state.body);
    const updated = deps.store.recordings.setLegalHold(rec.recordingId, input.hold);
    audit(deps, ctx, { tenantId: Number(rec.tenantId), action: 'recording.legal-hold', target: rec.recordingId, details: { hold: input.hold } });
    ctx.body = { recording: updated && publicRecording(updated) };
  });

  return router;
}
