import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { badRequest, conflict, forbidden, notFound, tooManyAttempts, validationFailed } from '../../errors';
import { SlidingWindow } from '../auth/sign-in-guard';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { endGrantOnTakeOver } from '../recordings/listen-grants';
import { generatePassword, hashPassword } from '../../password';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import type { Role, User, UserWithSecret } from '../../../store';
import { createUserSchema, updateUserSchema } from './schema';

function loadInScope(deps: ApiDeps, ctx: ApiContext): UserWithSecret {
  const id = Number(ctx.params.id);
  const u = Number.isInteger(id) && id > 0 ? deps.store.users.get(id) : undefined;
  if (!u || !inScope(actorOf(ctx).user, u.tenantId)) throw notFound('user', ctx.params.id ?? '');
  return u;
}

/** "User name taken" answers a tenant admin gets per hour. */
const TAKEN_PER_HOUR = 10;

/** Only a superadmin hands out appliance-level roles. */
function checkRoleGrant(actor: User, role: Role): void {
  if (role === 'superadmin' && actor.role !== 'superadmin') throw forbidden('users.grant-superadmin');
}

export function userRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/users' });
  const takenAnswers = new SlidingWindow(3600_000);

  router.get('/', can(deps, 'users.read'), async (ctx) => {
    const actor = actorOf(ctx).user;
    ctx.body = { users: deps.store.users.list(tenantScope(actor, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')))) };
  });

  router.get('/:id', can(deps, 'users.read'), async (ctx) => {
    const { passwordHash: _h, ...user } = loadInScope(deps, ctx);
    ctx.body = { user };
  });

  router.post('/', can(deps, 'users.write'), async (ctx) => {
    const actor = actorOf(ctx).user;
    const input = parseInput(createUserSchema, ctx.state.body);
    checkRoleGrant(actor, input.role);
    let tenantId: number | null;
    if (input.role === 'superadmin') tenantId = null;
    else if (actor.tenantId !== null) tenantId = actor.tenantId;
    else if (input.tenantId === undefined || (input.tenantId === null && input.role !== 'auditor'))
      throw validationFailed([{ field: 'tenantId', message: 'required for this role' }]);
    else tenantId = input.tenantId;
    if (tenantId !== null && !deps.store.tenants.get(tenantId)) throw validationFailed([{ field: 'tenantId', message: 'no such tenant' }]);
    if (deps.store.users.byUsername(input.username)) {
      // User names are the box's sign-in names, unique across tenants, so
      // "taken" can name a user of another tenant. It says no more than that
      // (not where), is audited, and a tenant admin gets a few per hour:
      // enough for real typing, too few to enumerate another tenant's staff.
      const at = Date.now();
      if (actor.tenantId !== null && takenAnswers.count(String(actor.id), at) >= TAKEN_PER_HOUR) throw tooManyAttempts();
      takenAnswers.add(String(actor.id), at);
      audit(deps, ctx, { tenantId, action: 'user.create', outcome: 'failed', details: { reason: 'username-taken' } });
      throw conflict('username-taken', `user name ${input.username} is taken`, { field: 'username' });
    }
    const password = generatePassword();
    const user = deps.store.users.create({
      tenantId,
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      passwordHash: await hashPassword(password, deps.config.api.scryptLogN),
      mustChangePassword: true,
    });
    audit(deps, ctx, { tenantId, action: 'user.create', target: `user:${user.id}`, details: { username: user.username, role: user.role } });
    ctx.status = 201;
    ctx.body = { user, password };
  });

  router.patch('/:id', can(deps, 'users.write'), async (ctx) => {
    const actor = actorOf(ctx).user;
    const target = loadInScope(deps, ctx);
    const patch = parseInput(updateUserSchema, ctx.state.body);
    if (patch.role) checkRoleGrant(actor, patch.role);
    if (target.role === 'superadmin' && actor.role !== 'superadmin') throw forbidden('users.manage-superadmin');
    if (patch.role && (patch.role === 'superadmin') !== (target.role === 'superadmin'))
      throw badRequest('role-level-change', 'a tenant user cannot become superadmin or back; create a new user instead');
    if (target.id === actor.id && (patch.disabled || (patch.role && patch.role !== target.role)))
      throw badRequest('cannot-change-self', 'you cannot disable yourself or change your own role');
    const user = deps.store.users.update(target.id, patch)!;
    if (patch.disabled) deps.store.sessions.deleteForUser(target.id);
    if (patch.role && patch.role !== target.role) endGrantOnTakeOver(deps, ctx, target, 'role-changed');
    audit(deps, ctx, { tenantId: target.tenantId, action: 'user.update', target: `user:${target.id}`, details: patch });
    ctx.body = { user };
  });

  router.post('/:id/reset-password', can(deps, 'users.write'), async (ctx) => {
    const actor = actorOf(ctx).user;
    const target = loadInScope(deps, ctx);
    if (target.role === 'superadmin' && actor.role !== 'superadmin') throw forbidden('users.manage-superadmin');
    const password = generatePassword();
    deps.store.users.setPassword(target.id, await hashPassword(password, deps.config.api.scryptLogN), true);
    deps.store.sessions.deleteForUser(target.id);
    audit(deps, ctx, { tenantId: target.tenantId, action: 'user.reset-password', target: `user:${target.id}` });
    endGrantOnTakeOver(deps, ctx, target, 'password-reset');
    ctx.body = { password };
  });

  router.delete('/:id', can(deps, 'users.write'), async (ctx) => {
    const actor = actorOf(ctx).user;
    const target = loadInScope(deps, ctx);
    if (target.id === actor.id) throw badRequest('cannot-change-self', 'you cannot delete yourself');
    if (target.role === 'superadmin' && actor.role !== 'superadmin') throw forbidden('users.manage-superadmin');
    if (target.role === 'superadmin' && deps.store.users.countByRole('superadmin') <= 1)
      throw conflict('last-superadmin', 'the last superadmin cannot be deleted');
    deps.store.users.delete(target.id);
    audit(deps, ctx, { tenantId: target.tenantId, action: 'user.delete', target: `user:${target.id}`, details: { username: target.username } });
    ctx.status = 204;
  });

  return router;
}
