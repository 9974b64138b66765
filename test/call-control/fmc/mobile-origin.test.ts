// Who a call through a gateway port is from: the GSM caller's number (in the
// gateway's caller-ID order, 7 digits made whole with its city code) must be
// an active SIM of the tenant bound to an enabled extension; otherwise the
// refusal says why. Real SQLite store.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mobileDirectory } from '../../../services/call-control/fmc/mobile-origin';
import { buildGateway } from '../../../services/fmc';
import { openStore, type SimRecord, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';

let store: Store;
let cleanup: () => void;
afterEach(() => {
  store?.close();
  cleanup?.();
});

const HA1 = { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) };
const sim = (o: Partial<SimRecord>): SimRecord => ({ iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: null, port: null, extensionId: null, userRegistered: true, contract: '', monthlyMinuteLimit: 0, ringMode: 'off', ringDelay: 10, ...o });

function world() {
  const t = tempDir('mobile-origin-');
  cleanup = t.cleanup;
  store = openStore(path.join(t.dir, 'korobka.db'));
  const tenant = store.tenants.create({ name: 'T', sipDomain: 't.example.ru' });
  const other = store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' });
  const built = buildGateway('goip-line', 'GoIP', { portCount: 2, cityCode: '495', callerIdOrder: ['pai', 'rpid', 'from'] });
  if (!built.ok) throw new Error('template');
  const gw = store.gateways.create(tenant.id, 'GoIP', true, built.config, () => HA1);
  const e201 = store.extensions.create({ tenantId: tenant.id, extension: '201', ha1: HA1 });
  const e202 = store.extensions.create({ tenantId: tenant.id, extension: '202', ha1: HA1, enabled: false });
  const eOther = store.extensions.create({ tenantId: other.id, extension: '301', ha1: HA1 });
  store.sims.create(tenant.id, sim({ extensionId: e201.id }));
  store.sims.create(tenant.id, sim({ iccid: '8970199123456789012', msisdn: '+79160000001', extensionId: e202.id }));
  store.sims.create(other.id, sim({ iccid: '8970200000000000012', msisdn: '+79160000002', extensionId: eOther.id }));
  store.sims.create(tenant.id, sim({ iccid: '8970200000000000020', msisdn: '+79160000003', state: 'blocked', extensionId: null }));
  return { tenant: tenant.id, port: { gatewayId: gw.id, port: 1 }, gw };
}

describe('mobileDirectory', () => {
  it('finds the extension of the SIM the gateway presents, in its caller-ID order', () => {
    const w = world();
    const dir = mobileDirectory(store);
    expect(dir.fromMobile(w.tenant, w.port, { from: '<sip:89257184444@t.example.ru>;tag=1' })).toEqual({ extension: '201', msisdn: '+79257184444' });
    // PAI wins over a From that names the port.
    expect(dir.fromMobile(w.tenant, w.port, { pai: '<tel:+79257184444>', from: '<sip:goip-1@t.example.ru>;tag=1' })).toEqual({ extension: '201', msisdn: '+79257184444' });
    expect(dir.fromMobile(w.tenant, w.port, { from: '<sip:goip-1@t.example.ru>;tag=1' })).toEqual({ refuse: 'mobile-caller-unknown' });
    // 7 digits become +7 495 …: a landline, no SIM.
    expect(dir.fromMobile(w.tenant, w.port, { from: '<sip:2293042@t.example.ru>' })).toEqual({ refuse: 'mobile-not-bound' });
    // A disabled extension, another tenant's SIM, an unbound blocked SIM.
    for (const n of ['+79160000001', '+79160000002', '+79160000003']) expect(dir.fromMobile(w.tenant, w.port, { from: `<sip:${n}@t.example.ru>` })).toEqual({ refuse: 'mobile-not-bound' });
    store.gateways.update(w.gw.id, { name: 'GoIP', enabled: false, config: w.gw.config }, null);
    expect(dir.fromMobile(w.tenant, w.port, { from: '<sip:89257184444@t.example.ru>' })).toEqual({ refuse: 'gateway-disabled' });
    expect(store.gateways.portCredentials(w.tenant, 'goip-1')).toBeUndefined();
  });
});
