import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
let tenant: number;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
});
afterEach(() => h.close());

describe('users', () => {
  it('a tenant admin creates a user in their own tenant whatever tenantId they send', async () => {
    const { client } = await h.as('tenant-admin', tenant);
    const other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
    const r = await client.request('POST', '/api/users', { username: 'sup1', role: 'supervisor', tenantId: other });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ tenantId: tenant, role: 'supervisor', mustChangePassword: true });
    expect(h.store.audit.list({ action: 'user.create' }).rows[0]).toMatchObject({ tenantId: tenant, target: `user:${r.body.user.id}` });
  });

  it('validates role, username and tenant', async () => {
    const r = await root.request('POST', '/api/users', { username: 'a b', role: 'king' });
    expect(r.status).toBe(400);
    expect(r.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['role', 'username']);
    const noTenant = await root.request('POST', '/api/users', { username: 'emp1', role: 'employee' });
    expect(noTenant.body.details.fields).toEqual([{ field: 'tenantId', message: 'required for this role' }]);
    const badTenant = await root.request('POST', '/api/users', { username: 'emp1', role: 'employee', tenantId: 999 });
    expect(badTenant.body.details.fields).toEqual([{ field: 'tenantId', message: 'no such tenant' }]);
    expect(h.store.users.byUsername('emp1')).toBeUndefined();
  });

  it('protects the last superadmin and the acting user', async () => {
    const me = h.store.users.byUsername('root')!;
    const self = await root.request('DELETE', `/api/users/${me.id}`);
    expect(self.body.code).toBe('cannot-change-self');
    const disableSelf = await root.request('PATCH', `/api/users/${me.id}`, { disabled: true });
    expect(disableSelf.body.code).toBe('cannot-change-self');
    const second = await h.as('superadmin', null, 'root2');
    const last = await second.client.request('DELETE', `/api/users/${me.id}`);
    expect(last.status).toBe(204);
    const lastOne = await second.client.request('DELETE', `/api/users/${second.userId}`);
    expect(lastOne.body.code).toBe('cannot-change-self');
  });

  it('disabling a user ends their sessions; a reset gives a new one-time password', async () => {
    const emp = await h.as('tenant-admin', tenant, 'ta');
    const uid = emp.userId;
    expect((await emp.client.request('GET', '/api/users')).status).toBe(200);
    expect((await root.request('PATCH', `/api/users/${uid}`, { disabled: true })).status).toBe(200);
    expect((await emp.client.request('GET', '/api/users')).status).toBe(401);
    await root.request('PATCH', `/api/users/${uid}`, { disabled: false });
    const reset = await root.request('POST', `/api/users/${uid}/reset-password`);
    expect(reset.body.password).toMatch(/^[A-Za-z0-9]{18}$/);
    const login = await h.client().login('ta', reset.body.password);
    expect(login.body.mustChangePassword).toBe(true);
  });

  it('answers not found for a missing user', async () => {
    const r = await root.request('PATCH', '/api/users/4242', { displayName: 'x' });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ status: 404, code: 'user-not-found', message: 'user 4242 does not exist' });
  });
});
