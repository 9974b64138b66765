// A tenant with its SIP domain and its first admin, in one transaction; the
// admin's one-time password is returned once and stored only as a hash.
import type { Store, Tenant, User } from '../../store';
import { conflict } from '../errors';
import { generatePassword, hashPassword } from '../password';

export interface CreateTenantInput {
  name: string;
  sipDomain: string;
  admin: { username: string; displayName?: string };
  isDefault?: boolean;
}

export async function createTenant(store: Store, input: CreateTenantInput, scryptLogN?: number): Promise<{ tenant: Tenant; admin: User; password: string }> {
  if (store.tenants.byDomain(input.sipDomain)) {
    throw conflict('sip-domain-taken', `SIP domain ${input.sipDomain} belongs to another tenant`, { field: 'sipDomain' });
  }
  if (store.users.byUsername(input.admin.username)) {
    throw conflict('username-taken', `user name ${input.admin.username} is taken`, { field: 'admin.username' });
  }
  const password = generatePassword();
  const hash = await hashPassword(password, scryptLogN);
  const result = store.transaction(() => {
    const tenant = store.tenants.create({ name: input.name, sipDomain: input.sipDomain.toLowerCase(), isDefault: input.isDefault });
    const admin = store.users.create({
      tenantId: tenant.id,
      username: input.admin.username,
      displayName: input.admin.displayName ?? '',
      role: 'tenant-admin',
      passwordHash: hash,
      mustChangePassword: true,
    });
    return { tenant, admin };
  }, 'immediate');
  return { ...result, password };
}
