// Loads the signed-in user from the session cookie, checks CSRF on every
// state-changing request, and refuses everything but the password change to
// a user who still has a one-time password.
import type { Middleware } from 'koa';
import { publicUser } from '../../store';
import type { ApiDeps, ApiState } from '../context';
import { csrfFailed, notAuthenticated, passwordChangeRequired } from '../errors';
import { timingSafeEqual } from 'node:crypto';
import { sessionExpiry } from '../routes/auth/session-expiry';

export const SESSION_COOKIE = 'korobka_sid';

/** Routes reachable before sign-in, or with a one-time password. */
const PUBLIC = new Set(['POST /api/auth/login', 'GET /api/health', 'GET /api/branding', 'GET /api/branding/logo', 'GET /api/branding/favicon']);
const BEFORE_PASSWORD_CHANGE = new Set(['GET /api/auth/me', 'POST /api/auth/logout', 'POST /api/auth/password']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The signed-in user behind the request's session cookie, if any, for the
 * public routes that show more to some users (GET /api/health); never throws.
 */
export function optionalUser(deps: ApiDeps, sid: string | undefined): ReturnType<typeof publicUser> | undefined {
  const s = sid ? deps.store.sessions.find(sid, deps.now?.() ?? new Date()) : undefined;
  const user = s && deps.store.users.get(s.userId);
  return user && !user.disabled && !user.mustChangePassword ? publicUser(user) : undefined;
}

export function session(deps: ApiDeps): Middleware<ApiState> {
  return async (ctx, next) => {
    const key = `${ctx.method} ${ctx.path}`;
    if (PUBLIC.has(key) || !ctx.path.startsWith('/api/')) return next();
    const sid = ctx.cookies.get(SESSION_COOKIE);
    const now = deps.now?.() ?? new Date();
    const s = sid ? deps.store.sessions.find(sid, now) : undefined;
    const user = s && deps.store.users.get(s.userId);
    if (!sid || !s || !user || user.disabled) throw notAuthenticated();
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) {
      const token = ctx.get('x-csrf-token');
      if (!token || !sameToken(token, s.csrfToken)) throw csrfFailed();
    }
    if (user.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(key)) throw passwordChangeRequired();
    // The idle timeout slides with use; written at most about once a minute per session.
    const slid = sessionExpiry(deps.config.api, new Date(s.createdAt), now);
    if (slid.getTime() - new Date(s.expiresAt).getTime() > Math.min(60_000, deps.config.api.idleMinutes * 15_000)) deps.store.sessions.touch(sid, slid);
    ctx.state.actor = { user: publicUser(user), sessionId: sid, csrfToken: s.csrfToken };
    return next();
  };
}
