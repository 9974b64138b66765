// Loading an extension within the actor's reach and the tenant a new one
// goes to. Out of reach looks exactly like missing (404).
import type { ExtensionView, Tenant, User } from '../../../store';
import type { ApiDeps } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, type ApiContext } from '../../guard';
import { inScope, requestedTenant } from '../../scope';

/** Employees reach only the extensions linked to their own user. */
export function reachable(user: User, ext: ExtensionView): boolean {
  if (!inScope(user, ext.tenantId)) return false;
  return user.role !== 'employee' || ext.userId === user.id;
}

export function loadExtension(deps: ApiDeps, ctx: ApiContext): ExtensionView {
  const id = Number(ctx.params.id);
  const ext = Number.isInteger(id) && id > 0 ? deps.store.extensionFeatures.get(id) : undefined;
  if (!ext || !reachable(actorOf(ctx).user, ext)) throw notFound('extension', ctx.params.id ?? '');
  return ext;
}

/** A tenant user acts in their tenant; an appliance-level admin names one (body, query or header). */
export function targetTenant(deps: ApiDeps, ctx: ApiContext, fromBody?: number): Tenant {
  const actor = actorOf(ctx).user;
  const id = actor.tenantId ?? fromBody ?? requestedTenant(ctx.query, ctx.get('x-korobka-tenant'));
  if (id === undefined) throw validationFailed([{ field: 'tenantId', message: 'required: choose the organisation' }]);
  const tenant = deps.store.tenants.get(id);
  if (!tenant) throw validationFailed([{ field: 'tenantId', message: 'no such tenant' }]);
  return tenant;
}
