// Who may do what. Every route names one permission; a role not listed for
// it is refused. Tenant scoping is separate (see scope.ts): a tenant admin
// holds `users.write`, but only inside their own tenant.
import type { Role } from '../store';

export const permissions = {
  'tenants.read': ['superadmin'],
  'tenants.write': ['superadmin'],
  'users.read': ['superadmin', 'tenant-admin'],
  'users.write': ['superadmin', 'tenant-admin'],
  'audit.read': ['superadmin', 'auditor'],
  'system.read': ['superadmin', 'tenant-admin', 'supervisor', 'auditor'],
  'license.read': ['superadmin', 'tenant-admin', 'auditor'],
  'license.write': ['superadmin'],
  'branding.write': ['superadmin', 'tenant-admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function allowed(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
