// Sign-in, sign-out, who am I, change my password.
import Router from '@koa/router';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { accountLocked, invalidCredentials, tooManyAttempts, validationFailed } from '../../errors';
import { actorOf, audit, clientIp } from '../../guard';
import { SESSION_COOKIE } from '../../middleware/session';
import { publicUser } from '../../../store';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from '../../password';
import { parseInput } from '../../validate';
import { FailureLimiter } from './failure-limiter';

const loginSchema = z.object({
  username: z.string().min(1, 'required').max(100, 'at most 100 characters'),
  password: z.string().min(1, 'required').max(200, 'at most 200 characters'),
});

const passwordSchema = z.object({
  currentPassword: z.string().min(1, 'required').max(200),
  newPassword: z.string().min(1, 'required').max(200),
});

export function authRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/auth' });
  const now = () => deps.now?.() ?? new Date();
  // Per-address throttle on top of the per-account lockout: a scanner
  // trying many user names from one address is slowed down too.
  const perIp = new FailureLimiter(30, 10 * 60_000);

  router.post('/login', async (ctx) => {
    const { username, password } = parseInput(loginSchema, ctx.state.body);
    const ip = clientIp(ctx);
    if (perIp.blocked(ip, now())) throw tooManyAttempts();
    const user = deps.store.users.byUsername(username);
    const cfg = deps.config.api;
    if (user?.lockedUntil && new Date(user.lockedUntil) > now()) {
      audit(deps, ctx, { actorId: user.id, actor: user.username, tenantId: user.tenantId, action: 'auth.login', outcome: 'denied', details: { reason: 'locked' } });
      throw accountLocked(user.lockedUntil);
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok || user.disabled) {
      perIp.fail(ip, now());
      if (user) {
        const lockUntil = new Date(now().getTime() + cfg.lockoutMinutes * 60_000);
        const { locked } = deps.store.users.recordFailedLogin(user.id, cfg.lockoutAttempts, lockUntil);
        audit(deps, ctx, { actorId: user.id, actor: user.username, tenantId: user.tenantId, action: 'auth.login', outcome: 'failed', details: { locked } });
        if (locked) throw accountLocked(lockUntil.toISOString());
      } else {
        audit(deps, ctx, { tenantId: null, action: 'auth.login', outcome: 'failed', details: { username: username.slice(0, 100) } });
      }
      throw invalidCredentials();
    }
    deps.store.users.recordSuccessfulLogin(user.id);
    const sid = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expires = new Date(now().getTime() + cfg.sessionHours * 3_600_000);
    deps.store.sessions.create(sid, {
      userId: user.id,
      csrfToken,
      createdAt: now().toISOString(),
      expiresAt: expires.toISOString(),
      ip,
      userAgent: ctx.get('user-agent'),
    });
    ctx.cookies.set(SESSION_COOKIE, sid, { httpOnly: true, secure: true, sameSite: 'strict', expires, path: '/', overwrite: true });
    ctx.state.actor = { user: { ...user, failedLogins: 0, lockedUntil: null }, sessionId: sid, csrfToken };
    audit(deps, ctx, { tenantId: user.tenantId, action: 'auth.login' });
    ctx.body = { user: publicUser(deps.store.users.get(user.id)!), csrfToken, mustChangePassword: user.mustChangePassword };
  });

  router.post('/logout', async (ctx) => {
    const a = actorOf(ctx);
    deps.store.sessions.delete(a.sessionId);
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, secure: true, sameSite: 'strict', expires: new Date(0), path: '/' });
    audit(deps, ctx, { tenantId: a.user.tenantId, action: 'auth.logout' });
    ctx.status = 204;
  });

  router.get('/me', async (ctx) => {
    const a = actorOf(ctx);
    const tenant = a.user.tenantId === null ? null : deps.store.tenants.get(a.user.tenantId) ?? null;
    ctx.body = { user: a.user, tenant, csrfToken: a.csrfToken, mustChangePassword: a.user.mustChangePassword };
  });

  router.post('/password', async (ctx) => {
    const a = actorOf(ctx);
    const { currentPassword, newPassword } = parseInput(passwordSchema, ctx.state.body);
    const user = deps.store.users.get(a.user.id)!;
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      audit(deps, ctx, { tenantId: user.tenantId, action: 'auth.password-change', outcome: 'failed' });
      throw validationFailed([{ field: 'currentPassword', message: 'is wrong' }]);
    }
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw validationFailed([{ field: 'newPassword', message: problem }]);
    if (newPassword === currentPassword) throw validationFailed([{ field: 'newPassword', message: 'must differ from the current password' }]);
    deps.store.users.setPassword(user.id, await hashPassword(newPassword), false, now());
    audit(deps, ctx, { tenantId: user.tenantId, action: 'auth.password-change' });
    ctx.status = 204;
  });

  return router;
}
