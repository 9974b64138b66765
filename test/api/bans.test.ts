// /api/bans over call-control's sip_bans table: the superadmin sees active
// bans and lifts one (audited); an address not banned is 404, a non-address 400.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipBansRepo } from '../../services/store/repos/sip-bans';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
  const repo = new SipBansRepo(h.store.db);
  const now = Date.now();
  repo.save({ ip: '203.0.113.7', since: now - 60_000, until: now + 3600_000, reason: 'digest-failures', failures: 10, offences: 1, lastUsername: '201' });
  repo.save({ ip: '203.0.113.8', since: now - 7200_000, until: now - 3600_000, reason: 'digest-failures', failures: 10, offences: 1 });
});
afterEach(() => h.close());

describe('SIP bans', () => {
  it('lists active bans and lifts one', async () => {
    const list = await root.request('GET', '/api/bans');
    expect(list.body.bans).toEqual([expect.objectContaining({ ip: '203.0.113.7', reason: 'digest-failures', failures: 10, lastUsername: '201' })]);
    expect((await root.request('DELETE', '/api/bans/203.0.113.7')).status).toBe(204);
    expect((await root.request('GET', '/api/bans')).body.bans).toEqual([]);
    expect(h.store.audit.list({ action: 'ban.lift' }).rows[0]).toMatchObject({ target: 'ip:203.0.113.7' });
    const again = await root.request('DELETE', '/api/bans/203.0.113.7');
    expect(again).toMatchObject({ status: 404, body: { code: 'ban-not-found' } });
    const bad = await root.request('DELETE', '/api/bans/not-an-ip');
    expect(bad.body.details.fields).toEqual([{ field: 'ip', message: 'must be an IPv4 or IPv6 address' }]);
    const tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
    const admin = (await h.as('tenant-admin', tenant)).client;
    expect((await admin.request('GET', '/api/bans')).status).toBe(403);
  });
});
