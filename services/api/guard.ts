// Route guards: every protected route declares its permission with `can`;
// refusals are audited as well as successes.
import type { Context, Middleware, ParameterizedContext } from 'koa';
import type { ApiDeps, ApiState, Actor } from './context';
import { forbidden, notAuthenticated } from './errors';
import { allowed, type Permission } from './rbac';
import type { AuditEntry } from '../store';

export type ApiContext = ParameterizedContext<ApiState>;

export function actorOf(ctx: ApiContext): Actor {
  const a = ctx.state.actor;
  if (!a) throw notAuthenticated();
  return a;
}

export function clientIp(ctx: Context | ApiContext): string {
  return ctx.request.ip ?? '';
}

export function audit(deps: ApiDeps, ctx: ApiContext, e: Omit<AuditEntry, 'actorId' | 'actor' | 'ip'> & Partial<AuditEntry>): void {
  const a = ctx.state.actor;
  deps.store.audit.append({
    actorId: a?.user.id ?? null,
    actor: a?.user.username ?? 'anonymous',
    ip: clientIp(ctx),
    ...e,
  });
}

export function can(deps: ApiDeps, permission: Permission): Middleware<ApiState> {
  return async (ctx, next) => {
    const a = actorOf(ctx);
    if (!allowed(a.user.role, permission)) {
      audit(deps, ctx, { tenantId: a.user.tenantId, action: 'access.denied', target: `${ctx.method} ${ctx.path}`, outcome: 'denied', details: { permission } });
      throw forbidden(permission);
    }
    ctx.state.permission = permission;
    return next();
  };
}
