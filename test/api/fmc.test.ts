// /api/gateways and /api/sims against a real api and SQLite: a gateway from
// the GoIP template gets a registering user per port and a password shown
// once (only HA1 stored); template fields out of range, a bad ICCID check
// digit, a non-mobile MSISDN and a SIM bound twice are refused with the
// field named and nothing written; the CSV import keeps good rows and names
// the bad ones; every write is audited; tenants stay apart.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const fields = (r: { body: { details?: { fields?: Array<{ field: string }> } } }) => (r.body.details?.fields ?? []).map((f) => f.field);
const ICCID = ['8970102100000000001', '8970199123456789012', '8970200000000000012', '8970200000000000020', '8970200000000000038'];

async function goip(client = admin, body: Record<string, unknown> = {}) {
  const r = await client.request('POST', '/api/gateways', { name: 'GoIP склад', template: 'goip-line', portCount: 2, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { gateway: { id: number; config: { ports: Array<{ port: number; username: string }> } }; password: string };
}

describe('gateways', () => {
  it('a GoIP per-line gateway: a user per port, the password once, HA1 only in the store', async () => {
    const { gateway, password } = await goip();
    expect(gateway.config.ports.map((p) => p.username)).toEqual(['goip-1', 'goip-2']);
    expect(password).toMatch(/^.{24}$/);
    for (const f of [h.store.db.name, `${h.store.db.name}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(password)), f).toBe(false);
    expect(h.store.gateways.portCredentials(tenant, 'GOIP-2')).toMatchObject({ gatewayId: gateway.id, port: 2 });
    const got = await admin.request('GET', `/api/gateways/${gateway.id}`);
    expect(JSON.stringify(got.body)).not.toContain(password);
    expect(got.body.gateway.status).toBeNull();
    expect(got.body.deviceSettings).toContainEqual({ section: 'Basic VoIP', field: 'Config Mode', value: 'Config by Line' });
    expect(h.store.audit.list({ action: 'gateway.create' }).rows).toHaveLength(1);
    // Renaming a port keeps the others' HA1 and asks for the password for the new one.
    const noPw = await admin.request('PATCH', `/api/gateways/${gateway.id}`, { ports: [{ port: 2, username: 'line-two' }] });
    expect([noPw.status, noPw.body.code]).toEqual([400, 'gateway-password-required']);
    const withPw = await admin.request('PATCH', `/api/gateways/${gateway.id}`, { ports: [{ port: 2, username: 'line-two' }], password: 'New-Gateway-Pass' });
    expect(withPw.body.gateway.config.ports.map((p: { username: string }) => p.username)).toEqual(['goip-1', 'line-two']);
    expect(JSON.stringify(h.store.audit.list({ action: 'gateway.update' }).rows)).not.toContain('New-Gateway-Pass');
  });

  it('trunk mode: per-port DID and prefix; the fields a template needs are named', async () => {
    const r = await admin.request('POST', '/api/gateways', { name: 'GoIP trunk', template: 'goip-trunk', host: '192.0.2.7', portCount: 2, ports: [{ port: 2, did: '5002', prefix: '22' }] });
    expect(r.status).toBe(201);
    expect(r.body.password).toBeUndefined();
    expect(r.body.gateway.config.ports.map((p: { did: string; prefix: string }) => [p.did, p.prefix])).toEqual([['901', '901'], ['5002', '22']]);
    const bad = await admin.request('POST', '/api/gateways', { name: 'x', template: 'goip-trunk', portCount: 40, sipPort: 70000, imei: '123' });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['portCount', 'host', 'sipPort', 'imei']);
    expect(fields(await admin.request('POST', '/api/gateways', { name: 'x', template: 'dinstar-x' }))).toEqual(['template']);
    expect(fields(await admin.request('POST', '/api/gateways', { name: 'x', template: 'goip-trunk', host: 'h', portCount: 2, ports: [{ port: 1, prefix: '1' }, { port: 2, prefix: '12' }] }))).toEqual(['ports[1].prefix']);
    expect(h.store.gateways.list(tenant)).toHaveLength(1);
  });

  it('a port user name may not be an extension user or another gateway port', async () => {
    await admin.request('POST', '/api/extensions', { extension: '201' });
    const clash = await admin.request('POST', '/api/gateways', { name: 'g', template: 'goip-line', portCount: 1, ports: [{ port: 1, username: '201' }] });
    expect(fields(clash)).toEqual(['ports[0].username']);
    await goip();
    expect(fields(await admin.request('POST', '/api/gateways', { name: 'GoIP 2', template: 'goip-line', portCount: 1, ports: [{ port: 1, username: 'goip-2' }] }))).toEqual(['ports[0].username']);
    // Nor the reverse: an extension may not take a port's user name, alone or by import.
    const ext = await admin.request('POST', '/api/extensions', { extension: '301', sipUsername: 'goip-1' });
    expect([ext.status, ext.body.details]).toEqual([409, { field: 'sipUsername' }]);
    const imp = await admin.request('POST', '/api/extensions/import', { csv: 'extension;sip_username\n302;GOIP-2', dryRun: true });
    expect(imp.body.errors).toEqual(['rows[0].sip_username: SIP user name GOIP-2 is taken in this tenant']);
    // Generated users of a second GoIP are numbered past the first's.
    const second = await admin.request('POST', '/api/gateways', { name: 'GoIP офис', template: 'goip-line', portCount: 1 });
    expect(second.body.gateway.config.ports[0].username).toBe('goip2-1');
    const dup = await admin.request('POST', '/api/gateways', { name: 'GoIP склад', template: 'goip-line', portCount: 1, ports: [{ port: 1, username: 'other-1' }] });
    expect([dup.status, dup.body.code]).toEqual([409, 'gateway-exists']);
  });

  it('tenants stay apart', async () => {
    const { gateway } = await goip();
    const foreign = (await h.as('tenant-admin', other, 'oa')).client;
    expect((await foreign.request('GET', `/api/gateways/${gateway.id}`)).status).toBe(404);
    expect((await foreign.request('GET', '/api/gateways')).body.gateways).toEqual([]);
    expect((await foreign.request('POST', '/api/sims', { iccid: ICCID[0], msisdn: '+79257184444', operator: 'mts', gatewayId: gateway.id, port: 1 })).body.details.fields).toEqual([
      { field: 'gatewayId', message: 'no such gateway in this organisation' },
    ]);
  });
});

describe('sims', () => {
  it('binds a SIM to a port and an extension, at most once each', async () => {
    const { gateway } = await goip();
    await admin.request('POST', '/api/extensions', { extension: '201' });
    await admin.request('POST', '/api/extensions', { extension: '202' });
    const r = await admin.request('POST', '/api/sims', { iccid: '8970 1021 0000 0000 001', msisdn: '8 925 718-44-44', operator: 'mts', gatewayId: gateway.id, port: 1, extension: '201', userRegistered: true, contract: 'МТС №12/2026', monthlyMinuteLimit: 3000 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.sim).toMatchObject({ iccid: ICCID[0], msisdn: '+79257184444', port: 1, extension: '201', gatewayName: 'GoIP склад', userRegistered: true, ringMode: 'off' });
    const twice = await admin.request('POST', '/api/sims', { iccid: ICCID[1], msisdn: '+79160000001', operator: 'megafon', gatewayId: gateway.id, port: 1, extension: '201' });
    expect(twice.status).toBe(400);
    expect(twice.body.details.fields).toEqual([
      { field: 'port', message: 'another SIM sits in port 1' },
      { field: 'extension', message: 'extension 201 already has a SIM (+79257184444)' },
    ]);
    const badNumbers = await admin.request('POST', '/api/sims', { iccid: '8970102100000000002', msisdn: '+74952293042', operator: 'mts', port: 3 });
    expect(badNumbers.body.details.fields).toEqual([
      { field: 'iccid', message: 'bad check digit: the last digit should be 1' },
      { field: 'msisdn', message: 'must be a Russian mobile number: +7 9xx xxx-xx-xx' },
      { field: 'port', message: 'choose the gateway first' },
    ]);
    expect(h.store.sims.list(tenant)).toHaveLength(1);
    // Moving the binding: to 202, then the ring mode.
    const moved = await admin.request('PATCH', `/api/sims/${r.body.sim.id}`, { extension: '202', ringMode: 'after', ringDelay: 15 });
    expect(moved.body.sim).toMatchObject({ extension: '202', ringMode: 'after', ringDelay: 15, port: 1 });
    expect((await admin.request('PATCH', `/api/sims/${r.body.sim.id}`, { ringDelay: 500 })).body.details.fields[0].field).toBe('ringDelay');
    expect(h.store.audit.list({ action: 'sim.update' }).rows[0]?.details).toMatchObject({ extensionId: expect.any(Number), ringMode: 'after' });
    expect((await admin.request('DELETE', `/api/sims/${r.body.sim.id}`)).status).toBe(204);
  });

  it('imports a CSV: good rows written, each bad row with its fields, duplicates in the file caught', async () => {
    await goip();
    await admin.request('POST', '/api/extensions', { extension: '201' });
    const csv = [
      'ICCID;Номер;Оператор;Шлюз;Порт;Внутренний;Зарегистрирован;Договор;Лимит',
      `${ICCID[0]};89257184444;МТС;GoIP склад;1;201;да;МТС-1;3000`,
      `${ICCID[1]};+79160000001;МегаФон;GoIP склад;2;;нет;;`,
      `8970200000000000013;+74950000000;Ростелеком;GoIP склад;9;777;может;;`,
      `${ICCID[3]};89257184444;Билайн;;;;;;`,
    ].join('\r\n');
    const dry = await admin.request('POST', '/api/sims/import', { csv, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.summary).toEqual({ total: 4, valid: 2, invalid: 2 });
    expect(dry.body.rows[2].errors.map((e: { field: string }) => e.field)).toEqual(['operator', 'registered', 'iccid', 'msisdn', 'port', 'extension']);
    expect(dry.body.rows[3].errors).toEqual([{ field: 'msisdn', message: 'this number is also on line 2 of the file' }]);
    expect(h.store.sims.list(tenant)).toHaveLength(0);
    const real = await admin.request('POST', '/api/sims/import', { csv, dryRun: false });
    expect([real.status, real.body.imported]).toEqual([200, 2]);
    expect(h.store.sims.list(tenant).map((s) => [s.msisdn, s.port, s.userRegistered])).toEqual([
      ['+79160000001', 2, false],
      ['+79257184444', 1, true],
    ]);
    expect(h.store.audit.list({ action: 'sim.import' }).rows[0]?.details).toMatchObject({ imported: 2, rejected: 2 });
    // The same file again: every row is now a duplicate; nothing is written.
    const again = await admin.request('POST', '/api/sims/import', { csv, dryRun: false });
    expect([again.status, again.body.code]).toEqual([400, 'import-has-errors']);
    const header = await admin.request('POST', '/api/sims/import', { csv: 'iccid;colour\n1;2', dryRun: true });
    expect(header.body.fileErrors).toEqual([
      { field: 'header[1]', message: 'unknown column "colour"' },
      { field: 'header', message: 'missing column msisdn' },
      { field: 'header', message: 'missing column operator' },
    ]);
  });
});
