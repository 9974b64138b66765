// What a phone needs, from the api: server address and port per transport, the
// SIP domain as realm, the user name; an admin-chosen SIP password honoured,
// an unknown field refused rather than ignored; reach and roles as elsewhere.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../services/call-control';
import { ExtensionsRepo } from '../../services/store/repos/extensions';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
const listen = [
  { transport: 'udp', host: '0.0.0.0', port: 5070 },
  { transport: 'tcp', host: '10.20.30.40', port: 5071 },
];
beforeEach(async () => {
  h = await startApi({ sip: { listen } });
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

describe('phone settings', () => {
  it('names the server per transport, the domain as realm and the user name, with the password only on create', async () => {
    const r = await admin.request('POST', '/api/extensions', { extension: '201', sipUsername: 'ivan.petrov', displayName: 'Иван' });
    expect(r.status).toBe(201);
    // A listener on every interface is reached the way the admin reached the api; a bound one by its own address.
    expect(r.body.settings).toEqual({
      extension: '201',
      displayName: 'Иван',
      username: 'ivan.petrov',
      domain: 't.example.ru',
      realm: 't.example.ru',
      servers: [
        { transport: 'udp', host: '127.0.0.1', port: 5070 },
        { transport: 'tcp', host: '10.20.30.40', port: 5071 },
      ],
    });
    const again = await admin.request('GET', `/api/extensions/${r.body.extension.id}/phone-settings`);
    expect(again.status).toBe(200);
    expect(again.body.settings).toEqual(r.body.settings);
    expect(JSON.stringify(again.body)).not.toContain(r.body.password);
    const reset = await admin.request('POST', `/api/extensions/${r.body.extension.id}/reset-password`);
    expect(reset.body.settings.username).toBe('ivan.petrov');
  });

  it('uses the public address behind NAT', async () => {
    h.close();
    h = await startApi({ sip: { listen, publicAddress: 'pbx.bank.example' } });
    const t = h.store.tenants.create({ name: 'N', sipDomain: 'n.example.ru' }).id;
    const a = (await h.as('tenant-admin', t, 'na')).client;
    const r = await a.request('POST', '/api/extensions', { extension: '301' });
    expect(r.body.settings.servers.map((s: { host: string }) => s.host)).toEqual(['pbx.bank.example', 'pbx.bank.example']);
  });

  it('honours an admin-chosen SIP password and refuses a weak one or an unknown field by name', async () => {
    const chosen = 'Zx9-long-Enough!pw';
    const r = await admin.request('POST', '/api/extensions', { extension: '202', sipPassword: chosen });
    expect(r.status).toBe(201);
    expect(r.body.password).toBe(chosen);
    expect(new ExtensionsRepo(h.store.db).credentials(tenant, '202')!.ha1).toEqual(computeHa1Set('202', 't.example.ru', chosen));
    expect(JSON.stringify(h.store.audit.list({ action: 'extension.create' }).rows)).not.toContain(chosen);

    const weak = await admin.request('POST', '/api/extensions', { extension: '203', sipPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.details.fields).toEqual([{ field: 'sipPassword', message: 'at least 12 characters' }]);
    const own = await admin.request('POST', '/api/extensions', { extension: '204', sipPassword: 'abc204abcdefgh' });
    expect(own.body.details.fields).toEqual([{ field: 'sipPassword', message: 'must not contain the SIP user name' }]);
    const typo = await admin.request('POST', '/api/extensions', { extension: '205', password: 'Zx9-long-Enough!pw' });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body.details)).toContain('password');
    expect(h.store.extensionFeatures.search({ tenantId: tenant }).total).toBe(1);
  });

  it("another tenant's extension is not found; an employee reads only their own; an auditor is refused", async () => {
    const root = (await h.as('superadmin', null, 'root')).client;
    const theirs = (await root.request('POST', '/api/extensions', { extension: '401', tenantId: other })).body.extension;
    expect((await admin.request('GET', `/api/extensions/${theirs.id}/phone-settings`)).status).toBe(404);
    expect((await admin.request('GET', '/api/extensions/99999/phone-settings')).status).toBe(404);
    const emp = await h.as('employee', tenant, 'emp');
    const mine = (await admin.request('POST', '/api/extensions', { extension: '210', userId: emp.userId })).body.extension;
    const notMine = (await admin.request('POST', '/api/extensions', { extension: '211' })).body.extension;
    expect((await emp.client.request('GET', `/api/extensions/${mine.id}/phone-settings`)).body.settings.username).toBe('210');
    expect((await emp.client.request('GET', `/api/extensions/${notMine.id}/phone-settings`)).status).toBe(404);
    const aud = (await h.as('auditor', tenant)).client;
    expect((await aud.request('GET', `/api/extensions/${mine.id}/phone-settings`)).status).toBe(403);
  });
});
