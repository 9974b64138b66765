// Listen grants with four eyes (issue 16 item 9). `PUT /api/recordings/
// listen-grants/:id {granted: true, days, reason}` is one person's "yes": the
// first asks (a superadmin, or a tenant admin for a user of their own
// tenant), the second — a superadmin who is neither the one who asked nor the
// grantee — approves, and the grant runs for the days asked. `{granted:
// false}` ends a grant or a request at once (taking a right away needs no
// second person). `GET` lists the grants in the caller's scope. Every step is
// audited; a refused step too.
import type Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { AppError, badRequest, notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import type { ListenGrant, User } from '../../../store';

export const GRANT_DEFAULT_DAYS = 90;

export const listenGrantSchema = z.discriminatedUnion(
  'granted',
  [
    z.object({ granted: z.literal(false) }).strict(),
    z
      .object({
        granted: z.literal(true),
        days: z.number().int().min(1, 'must be 1–365').max(365, 'must be 1–365').optional(),
        reason: z.string().trim().max(500, 'at most 500 characters').optional(),
      })
      .strict(),
  ],
  { message: 'granted: must be true or false' },
);

const GRANTEE_ROLES = new Set(['superadmin', 'tenant-admin', 'supervisor', 'auditor']);

const view = (userId: number, g: ListenGrant | undefined) => ({
  userId,
  granted: g?.active ?? false,
  expiresAt: g?.active ? g.expiresAt : null,
  grantedBy: g?.active ? g.grantedBy : null,
  pending: g?.pending ?? null,
  reason: g?.reason ?? '',
});

export function listenGrantRoutes(router: Router<ApiState>, deps: ApiDeps): void {
  const grants = deps.store.recordings;

  /** The grantee, within the actor's reach: a tenant admin reaches only their tenant's users; out of reach looks missing. */
  const targetOf = (ctx: ApiContext): User => {
    const actor = actorOf(ctx).user;
    const id = Number(ctx.params.id);
    const target = Number.isInteger(id) && id > 0 ? deps.store.users.get(id) : undefined;
    if (!target || (actor.tenantId !== null && target.tenantId !== actor.tenantId)) throw notFound('user', ctx.params.id ?? '');
    return target;
  };

  router.get('/listen-grants', can(deps, 'recordings.grant-request'), async (ctx) => {
    const actor = actorOf(ctx).user;
    ctx.body = { grants: grants.listenGrants(actor.tenantId), defaultDays: GRANT_DEFAULT_DAYS };
  });

  router.put('/listen-grants/:id', can(deps, 'recordings.grant-request'), async (ctx) => {
    const actor = actorOf(ctx).user;
    const input = (() => {
      const r = listenGrantSchema.safeParse(ctx.state.body);
      if (r.success) return r.data;
      throw validationFailed(r.error.issues.map((i) => ({ field: i.path.join('.') || 'granted', message: i.message })));
    })();
    const target = targetOf(ctx);
    const refuse = (e: AppError) => {
      audit(deps, ctx, { tenantId: target.tenantId, action: 'recordings.listen-grant', target: `user:${target.id}`, outcome: 'denied', details: { code: e.code } });
      return e;
    };

    if (!input.granted) {
      const had = grants.revokeListenGrant(target.id);
      audit(deps, ctx, { tenantId: target.tenantId, action: 'recordings.listen-revoked', target: `user:${target.id}`, details: { had } });
      ctx.body = view(target.id, undefined);
      return;
    }
    if (target.id === actor.id) throw refuse(badRequest('recordings-grant-self', 'a listen grant is asked for and approved by two other people, never by its holder'));
    if (!GRANTEE_ROLES.has(target.role))
      throw refuse(badRequest('recordings-grant-not-needed', `a ${target.role} hears only their own calls, without a grant; grants are for roles that hear other people's calls`));

    const cur = grants.listenGrant(target.id);
    if (cur?.pending && cur.pending.requestedBy !== actor.username) {
      if (actor.role !== 'superadmin')
        throw refuse(new AppError(403, 'recordings-grant-approver', 'a listen grant is approved by a superadmin; this one waits for one'));
      grants.approveListenGrant(target.id, actor.username);
      const g = grants.listenGrant(target.id);
      audit(deps, ctx, {
        tenantId: target.tenantId,
        action: 'recordings.listen-granted',
        target: `user:${target.id}`,
        details: { requestedBy: cur.pending.requestedBy, days: cur.pending.days, expiresAt: g?.expiresAt ?? null },
      });
      ctx.body = view(target.id, g);
      return;
    }
    if (cur?.pending) throw refuse(new AppError(409, 'recordings-grant-awaits-second', 'you asked for this grant already: a second person, a superadmin, approves it'));
    const reason = input.reason ?? '';
    if (reason.length < 3) throw validationFailed([{ field: 'reason', message: 'required: why this person needs to hear calls (at least 3 characters)' }]);
    const days = input.days ?? GRANT_DEFAULT_DAYS;
    grants.requestListenGrant(target.id, actor.username, days, reason);
    audit(deps, ctx, { tenantId: target.tenantId, action: 'recordings.listen-requested', target: `user:${target.id}`, details: { days, reason } });
    ctx.status = 202;
    ctx.body = view(target.id, grants.listenGrant(target.id));
  });
}

/** A password set by someone else or a new role ends the user's grant: whoever holds the account now was not the person approved. */
export function endGrantOnTakeOver(deps: ApiDeps, ctx: ApiContext, user: User, why: 'password-reset' | 'role-changed'): void {
  if (!deps.store.recordings.revokeListenGrant(user.id)) return;
  audit(deps, ctx, { tenantId: user.tenantId, action: 'recordings.listen-revoked', target: `user:${user.id}`, details: { why } });
}

