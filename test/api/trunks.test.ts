// /api/trunks and /api/dids against a real api and SQLite: the trunk
// password is sealed with a key derived from the master key file and never
// answered; each kind names its missing fields; tenants stay apart.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox, TRUNK_PASSWORD } from '../../services/common/secret-box';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
let dataDir: string;
beforeEach(async () => {
  h = await startApi();
  dataDir = path.dirname(h.store.db.name);
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const PASSWORD = 'Operator-Secret-42';
const registering = { name: 'Ростелеком', kind: 'register', host: 'sip.operator.example', username: '74951234567', password: PASSWORD, channelLimit: 10, outboundCallerId: '+74951234567' };
const fields = (r: { body: { details?: { fields?: Array<{ field: string }> } } }) => (r.body.details?.fields ?? []).map((f) => f.field).sort();

describe('trunks', () => {
  it('seals the password with the master key, never answers it, and keeps it on update', async () => {
    const r = await admin.request('POST', '/api/trunks', registering);
    expect(r.status).toBe(201);
    expect(r.body.trunk).toMatchObject({ tenantId: tenant, kind: 'register', port: 5060, transport: 'udp', registerExpiry: 300, optionsInterval: 30, hasPassword: true });
    expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
    const sealed = h.store.trunks.sealedPassword(r.body.trunk.id)!;
    expect(sealed).toMatch(/^v1:/);
    for (const f of [h.store.db.name, `${h.store.db.name}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(PASSWORD)), f).toBe(false);
    const master = readFileSync(path.join(dataDir, 'keys', 'master.key'));
    const box = new SecretBox(master, TRUNK_PASSWORD.purpose);
    expect(box.open(sealed, TRUNK_PASSWORD.aad(tenant))).toBe(PASSWORD);
    // Bound to its tenant: the same value does not open as another tenant's.
    expect(() => box.open(sealed, `trunk-password tenant:${other}`)).toThrow(/does not open/);
    const p = await admin.request('PATCH', `/api/trunks/${r.body.trunk.id}`, { channelLimit: 20 });
    expect(p.body.trunk).toMatchObject({ channelLimit: 20, hasPassword: true });
    expect(h.store.trunks.sealedPassword(r.body.trunk.id)).toBe(sealed);
    const changed = await admin.request('PATCH', `/api/trunks/${r.body.trunk.id}`, { password: 'New-Operator-Secret' });
    expect(box.open(h.store.trunks.sealedPassword(changed.body.trunk.id)!, `trunk-password tenant:${tenant}`)).toBe('New-Operator-Secret');
    expect(JSON.stringify(h.store.audit.list({ action: 'trunk.update' }).rows)).not.toContain('New-Operator-Secret');
    const got = await admin.request('GET', `/api/trunks/${r.body.trunk.id}`);
    expect(Object.keys(got.body.trunk)).not.toContain('password');
  });

  it('names the fields each kind needs and bad values', async () => {
    const reg = await admin.request('POST', '/api/trunks', { name: 'x', kind: 'register' });
    expect(fields(reg)).toEqual(['host', 'password', 'username']);
    const ip = await admin.request('POST', '/api/trunks', { name: 'x', kind: 'ip' });
    expect(fields(ip)).toEqual(['addresses']);
    const bad = await admin.request('POST', '/api/trunks', { name: '', kind: 'ip', addresses: ['300.1.1.1'], port: 0, transport: 'sctp', optionsInterval: 5, host: 'bad host!' });
    expect(fields(bad)).toEqual(['addresses[0]', 'host', 'name', 'optionsInterval', 'port', 'transport']);
    const good = await admin.request('POST', '/api/trunks', { name: 'МТС', kind: 'ip', addresses: ['192.0.2.10', '2001:db8::1'], transport: 'tcp' });
    expect(good.body.trunk).toMatchObject({ kind: 'ip', hasPassword: false, addresses: ['192.0.2.10', '2001:db8::1'] });
    // No limit of its own: the box's default for IP trunks is what call-control holds it to (issue 16 item 4).
    expect(good.body.trunk).toMatchObject({ channelLimit: 0, effectiveChannelLimit: 30 });
    const own = await admin.request('PATCH', `/api/trunks/${good.body.trunk.id}`, { channelLimit: 4 });
    expect(own.body.trunk).toMatchObject({ channelLimit: 4, effectiveChannelLimit: 4 });
    await admin.request('PATCH', `/api/trunks/${good.body.trunk.id}`, { channelLimit: 0 });
    const dup = await admin.request('POST', '/api/trunks', { name: 'МТС', kind: 'ip', addresses: ['192.0.2.11'] });
    expect(dup).toMatchObject({ status: 409, body: { code: 'trunk-exists', details: { field: 'name' } } });
    expect(h.store.trunks.list()).toHaveLength(1);
  });

  it("another tenant's trunk is not found; supervisors are refused", async () => {
    const root = (await h.as('superadmin', null, 'root')).client;
    const theirs = (await root.request('POST', '/api/trunks', { ...registering, tenantId: other })).body.trunk;
    for (const [m, body] of [['GET', undefined], ['PATCH', { channelLimit: 1 }], ['DELETE', undefined]] as const)
      expect((await admin.request(m, `/api/trunks/${theirs.id}`, body)).status, m).toBe(404);
    expect((await admin.request('GET', '/api/trunks')).body.trunks).toEqual([]);
    const sup = (await h.as('supervisor', tenant)).client;
    expect((await sup.request('GET', '/api/trunks')).status).toBe(403);
    expect((await root.request('DELETE', `/api/trunks/${theirs.id}`)).status).toBe(204);
  });
});

describe('DIDs', () => {
  it('routes an inbound number to an extension of the tenant', async () => {
    const trunk = (await admin.request('POST', '/api/trunks', registering)).body.trunk;
    await admin.request('POST', '/api/extensions', { extension: '201' });
    const r = await admin.request('POST', '/api/dids', { number: '+74951234500', trunkId: trunk.id, destination: { type: 'extension', extension: '201' } });
    expect(r.status).toBe(201);
    expect(r.body.did).toMatchObject({ number: '+74951234500', trunkId: trunk.id, destination: { type: 'extension', extension: '201' } });
    const missing = await admin.request('POST', '/api/dids', { number: '+74951234501', destination: { type: 'extension', extension: '299' } });
    expect(missing.body.details.fields).toEqual([{ field: 'destination.extension', message: 'no extension 299 in this tenant' }]);
    const kind = await admin.request('POST', '/api/dids', { number: '12', destination: { type: 'queue', extension: '201' } });
    expect(fields(kind)).toEqual(['destination.type', 'number']);
    const dup = await admin.request('POST', '/api/dids', { number: '+74951234500', destination: { type: 'extension', extension: '201' } });
    expect(dup.status).toBe(409);
    expect((await admin.request('GET', '/api/dids')).body.dids).toHaveLength(1);
    expect((await admin.request('DELETE', `/api/dids/${r.body.did.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', `/api/dids/${r.body.did.id}`)).status).toBe(404);
  });
});
