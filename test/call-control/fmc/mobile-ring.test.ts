// Which way out the extension's mobile is rung (fmc/mobile-ring.ts) over a
// real SQLite store: never the port holding the SIM itself, on-net ports
// first, a port in a call or down is not chosen, a line port must be
// registered, the next port after a 503, an operator FMC trunk last; and
// the ring modes. The live port table (port-table.ts): one call per port,
// today's calls and minutes.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hop } from '../../../services/call-control/calls/forwarding';
import { dialString, MobileRinger, withUser } from '../../../services/call-control/fmc/mobile-ring';
import { PortTable } from '../../../services/call-control/fmc/port-table';
import type { Binding } from '../../../services/call-control/registrar/location-service';
import { createLogger } from '../../../services/common/logger';
import { buildGateway } from '../../../services/fmc';
import { openStore, type SimRecord, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';

let store: Store;
let cleanup: () => void;
afterEach(() => {
  store?.close();
  cleanup?.();
});

const log = createLogger({ level: 'warn', sink: () => undefined });
const HA1 = { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) };
const sim = (o: Partial<SimRecord>): SimRecord => ({ iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: null, port: null, extensionId: null, userRegistered: true, contract: '', monthlyMinuteLimit: 0, ringMode: 'together', ringDelay: 10, ...o });
const binding = (user: string, port: number): Binding => ({ contact: `<sip:${user}@127.0.0.1:${port}>`.slice(1, -1), expiresAt: Date.now() + 60_000, callId: 'r', cseq: 1, source: { address: '127.0.0.1', port, transport: 'udp' }, registeredAt: 1 });

function world(o: { ringMode?: SimRecord['ringMode']; registered?: string[] } = {}) {
  const t = tempDir('mobile-ring-');
  cleanup = t.cleanup;
  store = openStore(path.join(t.dir, 'korobka.db'));
  const tenant = store.tenants.create({ name: 'T', sipDomain: 't.example.ru' });
  const line = buildGateway('goip-line', 'GoIP', { portCount: 4 });
  const trunk = buildGateway('goip-trunk', 'Trunk', { portCount: 2, host: '127.0.0.1', sipPort: 5090 });
  const op = buildGateway('operator-fmc', 'MCN', { portCount: 0, host: '127.0.0.1', sipPort: 5091 });
  if (!line.ok || !trunk.ok || !op.ok) throw new Error('template');
  const gw = store.gateways.create(tenant.id, 'GoIP', true, line.config, () => HA1);
  const tg = store.gateways.create(tenant.id, 'Trunk', true, trunk.config, () => HA1);
  const og = store.gateways.create(tenant.id, 'MCN', true, op.config, () => HA1);
  const e201 = store.extensions.create({ tenantId: tenant.id, extension: '201', ha1: HA1 });
  // 201's SIM sits in port 1; port 3 holds a Beeline SIM, port 4 an MTS one (on-net for 201's MTS number).
  store.sims.create(tenant.id, sim({ extensionId: e201.id, gatewayId: gw.id, port: 1, ringMode: o.ringMode ?? 'together' }));
  store.sims.create(tenant.id, sim({ iccid: '8970199123456789012', msisdn: '+79030000003', operator: 'beeline', gatewayId: gw.id, port: 3 }));
  store.sims.create(tenant.id, sim({ iccid: '8970200000000000012', msisdn: '+79160000004', operator: 'mts', gatewayId: gw.id, port: 4 }));
  const registered = new Set(o.registered ?? ['goip-1', 'goip-2', 'goip-3', 'goip-4']);
  const ports = new PortTable();
  const ringer = new MobileRinger({ store, ports, bindings: (aor) => (registered.has(aor.split(':')[1]!) ? [binding(aor.split(':')[1]!, 6000 + Number(aor.slice(-1)))] : []), proxyFor: () => undefined, log });
  const deferred: Array<() => void> = [];
  const call = (id: string) => ({ id, tenantId: tenant.id, defer: (_w: string, f: () => void) => void deferred.push(f) });
  const hop: Extract<Hop, { kind: 'ring' }> = { kind: 'ring', number: '201', extensionId: e201.id, bindings: [binding('201', 5070)], forwards: [] };
  return { tenant: tenant.id, gw, tg, og, ports, ringer, call, hop, deferred, registered };
}

describe('MobileRinger', () => {
  it('numbers: national 8… for a GoIP, E.164 for an operator; the user of a registered contact replaced', () => {
    expect(dialString('+79257184444', 'national8')).toBe('89257184444');
    expect(dialString('+79257184444', 'e164')).toBe('+79257184444');
    expect(withUser('sip:goip-2@127.0.0.1:5999;transport=udp', '89257184444')).toBe('sip:89257184444@127.0.0.1:5999;transport=udp');
    expect(withUser('sip:127.0.0.1:5999', '8925')).toBe('sip:8925@127.0.0.1:5999');
  });

  it('orders the ways out: own gateway (not the SIM’s port, on-net first), other gateways, the operator trunk last', () => {
    const w = world();
    const sim201 = store.sims.list(w.tenant).find((s) => s.msisdn === '+79257184444')!;
    const t = w.ringer.targets(w.tenant, sim201);
    expect(t.map((x) => `${x.gatewayId}:${x.port}`)).toEqual([`${w.gw.id}:4`, `${w.gw.id}:2`, `${w.gw.id}:3`, `${w.tg.id}:1`, `${w.tg.id}:2`, `${w.og.id}:0`]);
    expect(t[0]!.contact).toBe('sip:89257184444@127.0.0.1:6004');
    expect(t[3]!.contact).toBe('sip:90189257184444@127.0.0.1:5090;transport=udp');
    expect(t[5]!.contact).toBe('sip:+79257184444@127.0.0.1:5091;transport=udp');
    // A port in a call, a port down, a gateway down, an unregistered line: not offered.
    const lease = w.ports.acquire(w.gw.id, 4, 'other-call')!;
    w.ports.setPort(w.gw.id, 2, 'down', 'no answer to OPTIONS');
    w.ports.setGateway(w.tg.id, 'down', 'no answer to OPTIONS');
    w.registered.delete('goip-3');
    expect(w.ringer.targets(w.tenant, sim201).map((x) => `${x.gatewayId}:${x.port}`)).toEqual([`${w.og.id}:0`]);
    lease.release();
    expect(w.ringer.targets(w.tenant, sim201).map((x) => `${x.gatewayId}:${x.port}`)[0]).toBe(`${w.gw.id}:4`);
  });

  it('adds the mobile to the hop, leases the port, retries on 503 but not on 486, frees ports', () => {
    const w = world();
    const hop = w.ringer.withMobile(w.call('c1'), w.hop, log);
    expect(hop.bindings).toHaveLength(1);
    const m = hop.extra![0]!;
    expect(m).toMatchObject({ contact: 'sip:89257184444@127.0.0.1:6004', delayMs: 0 });
    expect(w.ports.busy(w.gw.id, 4)).toBe(true);
    // A second call to 201 at the same time gets the next port: one call per GSM port.
    const second = w.ringer.withMobile(w.call('c2'), w.hop, log).extra![0]!;
    expect(second.contact).toBe('sip:89257184444@127.0.0.1:6002');
    // Port 4 answers 503: it is freed and port 3 is tried (port 2 is c2's).
    m.ended!();
    const next = m.retry!(503)!;
    expect(w.ports.busy(w.gw.id, 4)).toBe(false);
    expect(next.contact).toBe('sip:89257184444@127.0.0.1:6003');
    expect(w.ports.busy(w.gw.id, 3)).toBe(true);
    // The mobile itself busy (486): no other port helps.
    next.ended!();
    expect(next.retry!(486)).toBeUndefined();
    expect(w.ports.busy(w.gw.id, 3)).toBe(false);
    // The winner keeps its port until the call ends (deferred release).
    second.answered!();
    expect(w.ports.busy(w.gw.id, 2)).toBe(true);
    for (const f of w.deferred) f();
    expect(w.ports.busy(w.gw.id, 2)).toBe(false);
  });

  it('ring modes: after waits its delay, only drops the desk phones, no-desk rings the mobile only without one, off rings none', () => {
    let w = world({ ringMode: 'after' });
    expect(w.ringer.withMobile(w.call('c'), w.hop, log).extra![0]!.delayMs).toBe(10_000);
    // No desk phone ringing: nothing to wait for.
    expect(w.ringer.withMobile(w.call('d'), { ...w.hop, bindings: [] }, log).extra![0]!.delayMs).toBe(0);
    store.close();
    cleanup();
    w = world({ ringMode: 'only' });
    const only = w.ringer.withMobile(w.call('c'), w.hop, log);
    expect(only.bindings).toEqual([]);
    expect(only.extra).toHaveLength(1);
    store.close();
    cleanup();
    w = world({ ringMode: 'no-desk' });
    expect(w.ringer.withMobile(w.call('c'), w.hop, log).extra).toBeUndefined();
    expect(w.ringer.withMobile(w.call('c'), { ...w.hop, bindings: [] }, log).extra).toHaveLength(1);
    expect(w.ringer.ringsMobile(w.hop.extensionId)).toBe(true);
    store.close();
    cleanup();
    w = world({ ringMode: 'off' });
    expect(w.ringer.withMobile(w.call('c'), w.hop, log)).toBe(w.hop);
    expect(w.ringer.ringsMobile(w.hop.extensionId)).toBe(false);
  });
});

describe('PortTable', () => {
  it('one call per port; counts answered calls and their minutes; a new day starts from zero', () => {
    let now = Date.parse('2026-12-07T10:00:00Z');
    const t = new PortTable(() => now);
    const a = t.acquire(1, 2, 'a')!;
    expect(t.acquire(1, 2, 'b')).toBeUndefined();
    a.answered();
    now += 90_000;
    a.release();
    a.release();
    expect(t.acquire(1, 2, 'b')).toBeDefined();
    expect(t.report([{ id: 1, ports: [{ port: 2, username: 'goip-2' }] }], () => true)[0]!.ports[0]).toEqual({ port: 2, registered: true, busy: true, lastError: null, callsToday: 1, minutesToday: 1.5 });
    // A call's error stays while OPTIONS come and go; the keepalive's own error wins while it lasts.
    t.portError(1, 3, '503 to INVITE');
    t.setPort(1, 3, 'down', 'no answer to OPTIONS');
    expect(t.report([{ id: 1, ports: [{ port: 3, username: null }] }], () => true)[0]!.ports[0]!.lastError).toBe('no answer to OPTIONS');
    t.setPort(1, 3, 'reachable', null);
    expect(t.report([{ id: 1, ports: [{ port: 3, username: null }] }], () => true)[0]!.ports[0]!.lastError).toBe('503 to INVITE');
    const c = t.acquire(1, 3, 'c')!;
    c.answered();
    c.release();
    expect(t.report([{ id: 1, ports: [{ port: 3, username: null }] }], () => true)[0]!.ports[0]!.lastError).toBeNull();
    now += 86_400_000;
    expect(t.report([{ id: 1, ports: [{ port: 2, username: null }] }], () => true)[0]!.ports[0]).toMatchObject({ registered: null, callsToday: 0, minutesToday: 0 });
  });
});
