// Sign-in, sign-out, who am I, change my password.
import Router from '@koa/router';
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { invalidCredentials, tooManyAttempts, validationFailed } from '../../errors';
import { actorOf, audit, clientIp } from '../../guard';
import { SESSION_COOKIE } from '../../middleware/session';
import { publicUser } from '../../../store';
import { dummyHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../password';
import { parseInput } from '../../validate';
import { LockedAudit } from './locked-audit';
import { oneTimeExpired, sessionExpiry } from './session-expiry';
import { SignInGuard } from './sign-in-guard';

const loginSchema = z.object({
  username: z.string().min(1, 'required').max(100, 'at most 100 characters'),
  password: z.string().min(1, 'required').max(200, 'at most 200 characters'),
});

const passwordSchema = z.object({
  currentPassword: z.string().min(1, 'required').max(200),
  newPassword: z.string().min(1, 'required').max(200),
});

/** A stable, keyed digest of a typed user name that matched nobody: it may be a password typed in the wrong field. */
function nameDigest(key: Buffer, username: string): string {
  return createHmac('sha256', key).update(username).digest('hex').slice(0, 16);
}

export function authRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/auth' });
  const now = () => deps.now?.() ?? new Date();
  const cfg = deps.config.api;
  const guard = new SignInGuard({
    perSource: 30,
    perAccountSource: cfg.lockoutAttempts,
    perAccount: cfg.lockoutAttempts * 10,
    windowMs: cfg.lockoutMinutes * 60_000,
    concurrent: 1,
    queued: 16,
  });
  const lockedAudit = new LockedAudit((e) => deps.store.audit.append(e));
  // Per process: the audit log can show that one unknown name was tried
  // repeatedly, never the name itself.
  const digestKey = randomBytes(32);

  router.post('/login', async (ctx) => {
    const { username, password } = parseInput(loginSchema, ctx.state.body);
    const ip = clientIp(ctx);
    const at = now();
    const user = deps.store.users.byUsername(username);
    const lockedInStore = !!user?.lockedUntil && new Date(user.lockedUntil) > at;
    // Reserved before any await: simultaneous attempts cannot pass together.
    const r = guard.reserve(ip, user?.id ?? null, lockedInStore, at.getTime());
    if (r.kind === 'over-limit') throw tooManyAttempts();
    await guard.enter(r.source);
    let ok: boolean;
    try {
      // A locked account is hashed too and answered as a wrong password: neither
      // the status nor the time tells a locked account from a wrong password.
      ok = await verifyPassword(password, r.kind === 'go' && user ? user.passwordHash : await dummyHash(cfg.scryptLogN));
    } finally {
      r.release();
    }
    if (r.kind === 'locked') {
      lockedAudit.note(`${user!.id}|${r.source}`, { actorId: user!.id, actor: user!.username, tenantId: user!.tenantId, action: 'auth.login', outcome: 'denied', ip }, Date.now());
      throw invalidCredentials();
    }
    const expired = !!user && user.mustChangePassword && oneTimeExpired(deps, user.id, at);
    if (!user || !ok || user.disabled || expired) {
      const { sourceLocked, accountLocked } = r.failed();
      if (user) {
        if (accountLocked) deps.store.users.lock(user.id, new Date(at.getTime() + cfg.lockoutMinutes * 60_000));
        const reason = expired && ok ? 'one-time-password-expired' : undefined;
        audit(deps, ctx, { actorId: user.id, actor: user.username, tenantId: user.tenantId, action: 'auth.login', outcome: 'failed', details: { locked: sourceLocked || accountLocked, ...(accountLocked ? { accountLocked } : {}), ...(reason ? { reason } : {}) } });
      } else {
        audit(deps, ctx, { tenantId: null, action: 'auth.login', outcome: 'failed', details: { usernameDigest: nameDigest(digestKey, username) } });
      }
      throw invalidCredentials();
    }
    r.succeeded();
    deps.store.users.recordSuccessfulLogin(user.id);
    if (needsRehash(user.passwordHash, cfg.scryptLogN)) deps.store.users.rehashPassword(user.id, user.passwordHash, await hashPassword(password, cfg.scryptLogN));
    const sid = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expires = sessionExpiry(cfg, at, at);
    deps.store.sessions.create(sid, {
      userId: user.id,
      csrfToken,
      createdAt: at.toISOString(),
      expiresAt: expires.toISOString(),
      ip,
      userAgent: ctx.get('user-agent'),
    });
    // No Expires on the cookie: the server ends the session (idle or absolute);
    // a browser-session cookie also goes when the browser closes.
    ctx.cookies.set(SESSION_COOKIE, sid, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', overwrite: true });
    ctx.state.actor = { user: { ...publicUser(user), failedLogins: 0, lockedUntil: null }, sessionId: sid, csrfToken };
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
    deps.store.users.setPassword(user.id, await hashPassword(newPassword, cfg.scryptLogN), false, now());
    // Whoever else held a session of this user (a stolen cookie, a forgotten
    // kiosk) is signed out; this browser stays signed in.
    deps.store.sessions.deleteForUser(user.id, a.sessionId);
    audit(deps, ctx, { tenantId: user.tenantId, action: 'auth.password-change' });
    ctx.status = 204;
  });

  return router;
}
