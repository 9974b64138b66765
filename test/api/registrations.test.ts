// GET /api/registrations over call-control's registrations table (written
// here through its own repo): live bindings only, per tenant in scope.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationsRepo } from '../../services/store/repos/registrations';
import { startApi, type Harness } from './harness';

let h: Harness;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  const repo = new RegistrationsRepo(h.store.db);
  const now = Date.now();
  const binding = (contact: string, expiresAt: number) => ({
    contact,
    expiresAt,
    callId: contact,
    cseq: 1,
    source: { address: '192.0.2.5', port: 5062, transport: 'udp' },
    userAgent: 'Yealink T46U',
    registeredAt: now - 1000,
  });
  repo.replace(`${tenant}:201`, [binding('sip:201@192.0.2.5:5062', now + 300_000)]);
  repo.replace(`${tenant}:202`, [binding('sip:202@192.0.2.6:5062', now - 1000)]);
  repo.replace(`${other}:201`, [binding('sip:201@198.51.100.1:5060', now + 300_000)]);
});
afterEach(() => h.close());

describe('registrations', () => {
  it('lists the live phones of the tenant in scope', async () => {
    const sup = (await h.as('supervisor', tenant)).client;
    const r = await sup.request('GET', '/api/registrations');
    expect(r.status).toBe(200);
    expect(r.body.registrations).toEqual([
      expect.objectContaining({ tenantId: tenant, extension: '201', contact: 'sip:201@192.0.2.5:5062', userAgent: 'Yealink T46U', source: { address: '192.0.2.5', port: 5062, transport: 'udp' } }),
    ]);
    const root = (await h.as('superadmin', null)).client;
    expect((await root.request('GET', '/api/registrations')).body.registrations).toHaveLength(2);
    expect((await root.request('GET', `/api/registrations?tenantId=${other}`)).body.registrations.map((x: { tenantId: number }) => x.tenantId)).toEqual([other]);
    const emp = (await h.as('employee', tenant)).client;
    expect((await emp.request('GET', '/api/registrations')).status).toBe(403);
  });
});
