import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
});
afterEach(() => h.close());

describe('tenants', () => {
  it('creates a tenant with its SIP domain and first admin, password shown once, audited', async () => {
    const r = await root.request('POST', '/api/tenants', { name: 'Страховая', sipDomain: 'Ins.Example.RU', admin: { username: 'ins-admin', displayName: 'Ирина' } });
    expect(r.status).toBe(201);
    expect(r.body.tenant).toMatchObject({ name: 'Страховая', sipDomain: 'ins.example.ru' });
    expect(r.body.admin).toMatchObject({ username: 'ins-admin', role: 'tenant-admin', tenantId: r.body.tenant.id, mustChangePassword: true });
    expect(r.body.password).toMatch(/^[A-Za-z0-9]{18}$/);
    const again = await root.request('GET', `/api/tenants/${r.body.tenant.id}`);
    expect(JSON.stringify(again.body)).not.toContain(r.body.password);
    const login = await h.client().login('ins-admin', r.body.password);
    expect(login.status).toBe(200);
    const row = h.store.audit.list({ action: 'tenant.create' }).rows[0]!;
    expect(row).toMatchObject({ actor: 'root', tenantId: r.body.tenant.id, target: `tenant:${r.body.tenant.id}` });
    expect(JSON.stringify(row)).not.toContain(r.body.password);
  });

  it('names every bad field at once and changes nothing', async () => {
    const r = await root.request('POST', '/api/tenants', { name: '', sipDomain: 'not a domain', admin: { username: 'x' } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    const fields = r.body.details.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['admin.username', 'name', 'sipDomain']);
    expect(h.store.tenants.list()).toHaveLength(0);
  });

  it('refuses a taken SIP domain and a taken admin name without a half-made tenant', async () => {
    await root.request('POST', '/api/tenants', { name: 'A', sipDomain: 'a.example.ru', admin: { username: 'a-admin' } });
    const dupDomain = await root.request('POST', '/api/tenants', { name: 'B', sipDomain: 'A.example.ru', admin: { username: 'b-admin' } });
    expect(dupDomain.status).toBe(409);
    expect(dupDomain.body.code).toBe('sip-domain-taken');
    const dupUser = await root.request('POST', '/api/tenants', { name: 'B', sipDomain: 'b.example.ru', admin: { username: 'a-admin' } });
    expect(dupUser.body.code).toBe('username-taken');
    expect(h.store.tenants.list()).toHaveLength(1);
  });

  it('answers not found for a missing tenant', async () => {
    for (const [m, url] of [['GET', '/api/tenants/999'], ['PATCH', '/api/tenants/999'], ['DELETE', '/api/tenants/999'], ['GET', '/api/tenants/abc']] as const) {
      const r = await root.request(m, url, m === 'PATCH' ? { name: 'x' } : undefined);
      expect(r.status, `${m} ${url}`).toBe(404);
      expect(r.body.code).toBe('tenant-not-found');
    }
  });

  it('updates and deletes, refusing to delete a tenant that still has users', async () => {
    const t = (await root.request('POST', '/api/tenants', { name: 'A', sipDomain: 'a.example.ru', admin: { username: 'a-admin' } })).body;
    const upd = await root.request('PATCH', `/api/tenants/${t.tenant.id}`, { name: 'A2' });
    expect(upd.body.tenant.name).toBe('A2');
    const del = await root.request('DELETE', `/api/tenants/${t.tenant.id}`);
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('tenant-not-empty');
    expect((await root.request('DELETE', `/api/users/${t.admin.id}`)).status).toBe(204);
    expect((await root.request('DELETE', `/api/tenants/${t.tenant.id}`)).status).toBe(204);
    const actions = h.store.audit.list().rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.create', 'tenant.update', 'user.delete', 'tenant.delete']));
  });
});
