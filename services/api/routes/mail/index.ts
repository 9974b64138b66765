// /api/mail: SMTP settings (the appliance's for a superadmin, a tenant's for
// its admin), "send a test message", the outbox and missed-call notices.
// The password is write-only: sealed on the way in (services/mail), never in
// an answer, a log line or the audit row. The test message goes out from
// this process, at once, on its own connection: the admin needs the
// server's reply now (e.g. "535 5.7.8 authentication failed"), not a row
// in the outbox. Everything else is queued for the mail process.
import Router from '@koa/router';
import { z } from 'zod';
import { emailSchema, sendTestMessage, smtpInputSchema, smtpSettings, type SmtpConnection } from '../../../mail';
import { mailStates, type User } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { badRequest, forbidden, notFound } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { allowed } from '../../rbac';

const testSchema = z.object({ to: emailSchema, settings: smtpInputSchema.optional() }).strict();
const outboxQuery = z.object({
  state: z.enum(mailStates).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const noticeSchema = z.object({ extension: z.string().regex(/^[0-9]{2,6}$/, 'must be 2–6 digits'), email: emailSchema, tenantId: z.number().int().positive().optional() }).strict();

/**
 * Whose settings a request edits: `?scope=appliance` (superadmin only) is the
 * appliance's; otherwise the caller's tenant, or the one a superadmin names.
 */
function settingsScope(deps: ApiDeps, ctx: ApiContext): number | null {
  const user = actorOf(ctx).user;
  if (ctx.query.scope === 'appliance') {
    if (!allowed(user.role, 'mail.appliance') || user.tenantId !== null) {
      audit(deps, ctx, { tenantId: user.tenantId, action: 'access.denied', target: `${ctx.method} ${ctx.path}?scope=appliance`, outcome: 'denied', details: { permission: 'mail.appliance' } });
      throw forbidden('mail.appliance');
    }
    return null;
  }
  return tenantOf(deps, user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
}

function tenantOf(deps: ApiDeps, user: User, requested: number | undefined): number {
  const id = tenantScope(user, requested);
  if (id === undefined) throw badRequest('tenant-required', 'name the tenant (tenantId) or use scope=appliance');
  if (!deps.store.tenants.get(id)) throw notFound('tenant', id);
  return id;
}

export function mailRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/mail' });
  const smtp = smtpSettings(deps.store, { dataDir: deps.config.dataDir, masterKeyPath: deps.config.recordings.masterKeyPath });

  router.get('/smtp', can(deps, 'mail.write'), async (ctx) => {
    const scope = settingsScope(deps, ctx);
    // A tenant without its own settings sends through the appliance's: say whether there are any, not what they are.
    ctx.body = { scope: scope === null ? 'appliance' : 'tenant', settings: smtp.get(scope) ?? null, applianceConfigured: smtp.get(null)?.enabled ?? false };
  });

  router.put('/smtp', can(deps, 'mail.write'), async (ctx) => {
    const scope = settingsScope(deps, ctx);
    const input = parseInput(smtpInputSchema, ctx.state.body);
    const settings = smtp.set(scope, input, deps.now?.() ?? new Date());
    const { password, ...logged } = input;
    audit(deps, ctx, { tenantId: scope, action: 'mail.smtp.update', target: scope === null ? 'mail:appliance' : `mail:tenant:${scope}`, details: { ...logged, ...(password !== undefined ? { password: password === '' ? 'removed' : 'changed' } : {}) } });
    ctx.body = { settings };
  });

  router.delete('/smtp', can(deps, 'mail.write'), async (ctx) => {
    const scope = settingsScope(deps, ctx);
    if (!smtp.get(scope)) throw notFound('smtp-settings', scope === null ? 'appliance' : `tenant:${scope}`);
    smtp.delete(scope);
    audit(deps, ctx, { tenantId: scope, action: 'mail.smtp.delete', target: scope === null ? 'mail:appliance' : `mail:tenant:${scope}` });
    ctx.status = 204;
  });

  router.post('/smtp/test', can(deps, 'mail.write'), async (ctx) => {
    const scope = settingsScope(deps, ctx);
    const input = parseInput(testSchema, ctx.state.body);
    // The form as typed (password kept from the stored one when left empty), else what is saved for this scope or inherited.
    const conn: SmtpConnection | undefined = input.settings ? smtp.draft(scope, input.settings) : smtp.resolve(scope);
    if (!conn) throw badRequest('smtp-not-configured', 'no SMTP settings to test: fill in the form or save settings first');
    const target = scope === null ? 'mail:appliance' : `mail:tenant:${scope}`;
    const via = conn.scope === null ? 'appliance' : 'tenant';
    try {
      const r = await sendTestMessage(conn, input.to, Math.min(deps.config.mail.timeoutMs, 20_000), {
        subject: 'Korobka: проверка почты / mail test',
        text: `Это проверочное письмо от АТС Korobka: настройки SMTP (${conn.host}:${conn.port}) работают.\n\nThis is a test message from the Korobka PBX: the SMTP settings work.`,
      });
      audit(deps, ctx, { tenantId: scope, action: 'mail.smtp.test', target, details: { to: input.to, server: `${conn.host}:${conn.port}`, via } });
      ctx.body = { ok: true, via, server: `${conn.host}:${conn.port}`, messageId: r.messageId, response: r.response };
    } catch (err) {
      audit(deps, ctx, { tenantId: scope, action: 'mail.smtp.test', target, outcome: 'failed', details: { to: input.to, server: `${conn.host}:${conn.port}`, via, error: err instanceof Error ? err.message : String(err) } });
      throw err;
    }
  });

  router.get('/outbox', can(deps, 'mail.read'), async (ctx) => {
    const q = parseInput(outboxQuery, ctx.query);
    const user = actorOf(ctx).user;
    const tenantId = tenantScope(user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const r = deps.store.mail.list({ ...(tenantId !== undefined ? { tenantId } : {}), ...(q.state ? { state: q.state } : {}), limit: q.limit, offset: q.offset });
    ctx.body = { messages: r.rows, total: r.total, counts: deps.store.mail.counts(tenantId) };
  });

  router.post('/outbox/:id/retry', can(deps, 'mail.write'), async (ctx) => {
    const id = Number(ctx.params.id);
    const row = Number.isInteger(id) && id > 0 ? deps.store.mail.get(id) : undefined;
    if (!row || !inScope(actorOf(ctx).user, row.tenantId)) throw notFound('mail', ctx.params.id ?? '');
    if (!deps.store.mail.requeue(id)) throw badRequest('mail-not-failed', `mail ${id} is ${row.state}; only a failed message can be sent again`);
    audit(deps, ctx, { tenantId: row.tenantId, action: 'mail.retry', target: `mail:${id}` });
    ctx.body = { message: deps.store.mail.list({ ...(row.tenantId !== null ? { tenantId: row.tenantId } : {}), limit: 500 }).rows.find((m) => m.id === id) ?? null };
  });

  router.get('/notices', can(deps, 'mail.write'), async (ctx) => {
    const user = actorOf(ctx).user;
    ctx.body = { notices: deps.store.mail.listNotices(tenantScope(user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')))) };
  });

  router.post('/notices', can(deps, 'mail.write'), async (ctx) => {
    const input = parseInput(noticeSchema, ctx.state.body);
    const user = actorOf(ctx).user;
    const tenantId = tenantOf(deps, user, input.tenantId ?? requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    if (!deps.store.extensions.get(tenantId, input.extension)) throw notFound('extension', input.extension);
    const notice = deps.store.mail.addNotice(tenantId, input.extension, input.email);
    audit(deps, ctx, { tenantId, action: 'mail.notice.create', target: `mail-notice:${notice.id}`, details: { extension: input.extension, email: input.email } });
    ctx.status = 201;
    ctx.body = { notice };
  });

  router.delete('/notices/:id', can(deps, 'mail.write'), async (ctx) => {
    const id = Number(ctx.params.id);
    const n = Number.isInteger(id) && id > 0 ? deps.store.mail.getNotice(id) : undefined;
    if (!n || !inScope(actorOf(ctx).user, n.tenantId)) throw notFound('mail-notice', ctx.params.id ?? '');
    deps.store.mail.deleteNotice(id);
    audit(deps, ctx, { tenantId: n.tenantId, action: 'mail.notice.delete', target: `mail-notice:${id}`, details: { extension: n.extension, email: n.email } });
    ctx.status = 204;
  });

  return router;
}
