// Issue 16 item 5 at the api: one tenant's admin cannot take another tenant's
// inbound calls by adding a trunk on its operator's address or its DID in
// another spelling. DIDs are refused in every spelling with their own code
// (naming no tenant); a trunk on another tenant's source address needs a
// superadmin, whose approval is audited; nothing is changed by a refusal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let a: number;
let b: number;
let adminA: Client;
let adminB: Client;
let root: Client;
beforeEach(async () => {
  h = await startApi();
  a = h.store.tenants.create({ name: 'Банк', sipDomain: 'bank.example.ru' }).id;
  b = h.store.tenants.create({ name: 'Соседи', sipDomain: 'b.example.ru' }).id;
  adminA = (await h.as('tenant-admin', a, 'admin-a')).client;
  adminB = (await h.as('tenant-admin', b, 'admin-b')).client;
  root = (await h.as('superadmin', null, 'root')).client;
  for (const [c, ext] of [[adminA, '204'], [adminB, '204']] as const) expect((await c.request('POST', '/api/extensions', { extension: ext })).status).toBe(201);
}, 60_000); // three sign-ins' scrypt and two extensions: slow on a loaded machine
afterEach(() => h.close());

const operator = { name: 'МТС', kind: 'ip', addresses: ['192.0.2.10'], port: 5060 };

describe('tenant isolation of trunks and DIDs', () => {
  it('another tenant’s DID is refused in every spelling with did-held-by-another-tenant, naming no tenant', async () => {
    const mine = await adminA.request('POST', '/api/dids', { number: '+74951234567', destination: { type: 'extension', extension: '204' } });
    expect(mine.status).toBe(201);
    for (const number of ['84951234567', '74951234567', '+74951234567', '4951234567']) {
      const r = await adminB.request('POST', '/api/dids', { number, destination: { type: 'extension', extension: '204' } });
      expect(r, number).toMatchObject({ status: 409, body: { code: 'did-held-by-another-tenant', details: { field: 'number' } } });
      expect(JSON.stringify(r.body)).not.toMatch(/Банк|bank\.example/);
    }
    // Even a superadmin cannot give it to a second tenant: a number has one owner.
    expect((await root.request('POST', '/api/dids', { number: '84951234567', tenantId: b, destination: { type: 'extension', extension: '204' } })).body.code).toBe('did-held-by-another-tenant');
    // The own tenant's second spelling is the plain duplicate it always was.
    expect((await adminA.request('POST', '/api/dids', { number: '8 495 123 45 67'.replaceAll(' ', ''), destination: { type: 'extension', extension: '204' } })).body.code).toBe('did-exists');
    expect(h.store.trunks.listDids().map((d) => [d.tenantId, d.number])).toEqual([[a, '+74951234567']]);
  });

  it('a tenant admin cannot add or move a trunk onto another tenant’s source address; a superadmin can, and it is audited', async () => {
    expect((await adminA.request('POST', '/api/trunks', operator)).status).toBe(201);
    const refused = await adminB.request('POST', '/api/trunks', { ...operator, name: 'Чужой' });
    expect(refused).toMatchObject({ status: 409, body: { code: 'trunk-source-shared', details: { field: 'addresses', sources: ['192.0.2.10'] } } });
    // The same address in another spelling, or as the host of a registering trunk.
    expect((await adminB.request('POST', '/api/trunks', { ...operator, addresses: ['::ffff:192.0.2.10'] })).body.code).toBe('trunk-source-shared');
    expect((await adminB.request('POST', '/api/trunks', { name: 'Рег', kind: 'register', host: '192.0.2.10', username: 'u', password: 'p' })).body.code).toBe('trunk-source-shared');
    // Moving an own trunk there is refused too.
    const own = (await adminB.request('POST', '/api/trunks', { ...operator, addresses: ['198.51.100.7'] })).body.trunk;
    expect((await adminB.request('PATCH', `/api/trunks/${own.id}`, { addresses: ['198.51.100.7', '192.0.2.10'] })).body.code).toBe('trunk-source-shared');
    expect(h.store.trunks.list(b).map((t) => t.addresses)).toEqual([['198.51.100.7']]);
    // Two tenants that really buy from one operator: the superadmin adds it, and says so in the audit.
    const approved = await root.request('POST', '/api/trunks', { ...operator, name: 'МТС общий', tenantId: b });
    expect(approved.status).toBe(201);
    const row = h.store.audit.list({ action: 'trunk.create' }).rows.find((r) => r.target === `trunk:${approved.body.trunk.id}`);
    expect(row?.details).toMatchObject({ sharedSources: ['192.0.2.10'], sharedWithTenants: [a] });
    // Its tenant admin may still edit it as long as no new shared source comes in.
    expect((await adminB.request('PATCH', `/api/trunks/${approved.body.trunk.id}`, { channelLimit: 4 })).status).toBe(200);
    expect((await adminB.request('PATCH', `/api/trunks/${approved.body.trunk.id}`, { addresses: ['192.0.2.10', '192.0.2.11'] })).status).toBe(200);
    expect((await adminA.request('POST', '/api/trunks', { ...operator, name: 'МТС-2', addresses: ['192.0.2.11'] })).body.code).toBe('trunk-source-shared');
  });
});
