// /api/pd/subject: a data subject's requests by phone number (issue 15),
// handled by the data-protection officer (or a superadmin). The number goes
// in the body, never the URL, so it stays out of access logs. Every request
// is audited with the subject's id, the reason and the requester kind; the
// number itself is never written to the audit log.
import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { parseInput } from '../../validate';
import { AppError } from '../../../common/errors';
import { ContactBook, SubjectRequests } from '../../../pd-store';
import { openKeyring, Vault } from '../../../recordings';
import { targetTenant } from '../extensions/extensions';
import { pdStoreOf } from '../contacts/pd';

export const requesterKinds = ['subject', 'representative', 'authority', 'operator'] as const;

const find = z.object({
  number: z.string({ message: 'required' }).min(1, 'required').max(64),
  tenantId: z.number().int().positive().optional(),
});
const act = find.extend({
  reason: z
    .string({ message: 'required: why (the request, its date and number)' })
    .trim()
    .min(3, 'at least 3 characters')
    .max(500, 'at most 500 characters'),
  requester: z.enum(requesterKinds, { message: `must be one of ${requesterKinds.join(', ')}` }),
});
const hold = find.extend({ reason: z.string().trim().min(3, 'at least 3 characters').max(500, 'at most 500 characters').nullable() });

export function pdRequestRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/pd/subject' });
  let built: SubjectRequests | undefined;
  const requests = () => {
    if (built) return built;
    const pd = pdStoreOf(deps);
    const mk = deps.config.recordings.masterKeyPath;
    let vault: Vault | undefined;
    built = new SubjectRequests(pd, new ContactBook(pd), {
      dataDir: deps.config.dataDir,
      vault: () => (vault ??= new Vault(openKeyring({ dataDir: deps.config.dataDir, ...(mk ? { masterKeyPath: mk } : {}) }))),
    });
    return built;
  };
  const failed = (ctx: ApiContext, tenantId: number, action: string, details: Record<string, unknown>) => (e: unknown) => {
    audit(deps, ctx, { tenantId, action, outcome: 'failed', details: { ...details, code: e instanceof AppError ? e.code : 'error' } });
    throw e;
  };

  router.post('/find', can(deps, 'pd.requests'), async (ctx) => {
    const input = parseInput(find, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const data = requests().find(tenant.id, input.number);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'pd.subject.view',
      target: data.subject ? `subject:${data.subject.id}` : 'subject:none',
      details: {
        subjectId: data.subject?.id ?? null,
        contacts: data.contacts.length,
        cdrs: data.cdrs.length,
        recordings: data.recordings.length,
      },
    });
    ctx.body = data;
  });

  router.post('/export', can(deps, 'pd.requests'), async (ctx) => {
    const input = parseInput(act, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const base = { reason: input.reason, requester: input.requester };
    const r = await requests()
      .exportZip(tenant.id, input.number, { ...base, by: actorOf(ctx).user.username })
      .catch(failed(ctx, tenant.id, 'pd.subject.export', base));
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'pd.subject.export',
      target: `subject:${r.subjectId ?? 'none'}`,
      details: { ...base, subjectId: r.subjectId, files: r.files, bytes: r.zip.length },
    });
    ctx.type = 'application/zip';
    ctx.set('Content-Disposition', `attachment; filename="pd-export-${r.subjectId ?? 'none'}.zip"`);
    ctx.body = r.zip;
  });

  router.post('/erase', can(deps, 'pd.requests'), async (ctx) => {
    const input = parseInput(act, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const base = { reason: input.reason, requester: input.requester };
    const r = await requests()
      .erase(tenant.id, input.number)
      .catch(failed(ctx, tenant.id, 'pd.subject.erase', base));
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'pd.subject.erase',
      target: `subject:${r.subjectId ?? 'none'}`,
      details: { ...base, ...r },
    });
    ctx.body = { erased: r };
  });

  router.put('/legal-hold', can(deps, 'pd.requests'), async (ctx) => {
    const input = parseInput(hold, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const pd = pdStoreOf(deps);
    const subject =
      pd.findByNumber(tenant.id, input.number) ?? (input.reason ? pd.subjectForNumber(tenant.id, pd.normalise(input.number)) : undefined);
    if (!subject) throw new AppError(404, 'pd-subject-not-found', 'nothing is held about this number');
    const s = pd.setLegalHold(tenant.id, subject.id, input.reason);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'pd.subject.legal-hold',
      target: `subject:${s.id}`,
      details: { subjectId: s.id, hold: s.legalHold !== null, reason: input.reason },
    });
    ctx.body = { subject: s };
  });

  return router;
}
