// OPTIONS keepalive to GSM gateways (fmc/gateway-keepalive.ts) with a clock
// the test moves and answers it scripts: a trunk-mode gateway at its
// address, a per-line gateway at each registered port's source; two misses
// mark it down in the live port table (the mobile ringer then skips it) and
// raise one gateway-down alarm per tenant naming it; an answer clears both.
import { describe, expect, it } from 'vitest';
import { ALARM_GATEWAY_DOWN, GatewayKeepalive } from '../../../services/call-control/fmc/gateway-keepalive';
import { PortTable } from '../../../services/call-control/fmc/port-table';
import type { AlarmSink } from '../../../services/call-control/trunks/trunk-status';
import type { Binding } from '../../../services/call-control/registrar/location-service';
import { silentLogger } from '../../../services/common/logger';
import { buildGateway } from '../../../services/fmc';
import type { Gateway } from '../../../services/store';
import { ManualClock, reply, scriptedSender, type Answer } from '../trunks/trunk-registration-fixtures';

function gateway(id: number, template: 'goip-trunk' | 'goip-line', host: string | null, optionsInterval: number): Gateway {
  const built = buildGateway(template, `gw${id}`, { portCount: 2, ...(host ? { host } : {}), optionsInterval });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return { id, tenantId: 1, name: `gw${id}`, enabled: true, config: built.config, createdAt: '', updatedAt: '' };
}

const binding = (address: string, port: number): Binding => ({ contact: `sip:line@${address}:${port}`, expiresAt: 0, callId: 'r', cseq: 1, source: { address, port, transport: 'UDP' }, registeredAt: 1 });

function world(gateways: Gateway[], answer: (uri: string) => Answer, registered: Record<string, Binding> = {}) {
  const clock = new ManualClock();
  const { send, sent } = scriptedSender(clock, (r) => answer(r.uri));
  const active = new Map<string, string>();
  const alarms: AlarmSink = {
    raise: (a) => void active.set(`${a.code}|${a.tenantId}`, a.message),
    clear: (code, tenantId) => void active.delete(`${code}|${tenantId}`),
    activeTenants: () => [],
  };
  const ports = new PortTable(() => clock.now());
  const list = { gateways };
  const k = new GatewayKeepalive({ load: () => list.gateways, bindings: (aor) => (registered[aor] ? [registered[aor]] : []), send, clock, ports, alarms, log: silentLogger });
  return { k, clock, sent, active, ports, list };
}

describe('GatewayKeepalive', () => {
  it('a trunk gateway that stops answering is down after two misses, with an alarm; an answer brings it back', async () => {
    let answer: Answer = reply(200, 'OK');
    const w = world([gateway(1, 'goip-trunk', '10.0.0.7', 10), gateway(2, 'goip-trunk', '10.0.0.8', 0)], () => answer);
    w.k.sync();
    await w.clock.advance(0);
    expect(w.sent.map((s) => `${s.method} ${s.uri}`)).toEqual(['OPTIONS sip:10.0.0.7:5060']);
    expect(w.ports.gatewayState(1)).toBe('reachable');
    answer = 'timeout';
    await w.clock.advance(10_000);
    expect(w.ports.down(1)).toBe(false);
    await w.clock.advance(10_000);
    expect(w.ports.down(1)).toBe(true);
    expect(w.active.get(`${ALARM_GATEWAY_DOWN}|1`)).toBe('GSM gateway not answering OPTIONS, its calls go to other ports and gateways: gw1 (no answer to OPTIONS)');
    answer = reply(404, 'Not Found'); // any answer is an answer (RFC 3261 §11)
    await w.clock.advance(10_000);
    expect(w.ports.down(1)).toBe(false);
    expect(w.active.size).toBe(0);
    // Keepalive turned off: stopped, the gateway unknown rather than judged.
    w.list.gateways = [gateway(1, 'goip-trunk', '10.0.0.7', 0)];
    w.k.sync();
    const n = w.sent.length;
    await w.clock.advance(60_000);
    expect(w.sent).toHaveLength(n);
    expect(w.ports.gatewayState(1)).toBe('unknown');
  });

  it('a per-line gateway is asked at each registered port; a silent port is down, the gateway only when every port is', async () => {
    const silent = new Set<string>();
    const w = world([gateway(3, 'goip-line', null, 10)], (uri) => (silent.has(uri) ? 'timeout' : reply(200, 'OK')), { '1:gw3-1': binding('127.0.0.1', 6001), '1:gw3-2': binding('127.0.0.1', 6002) });
    w.k.sync();
    await w.clock.advance(0);
    expect(w.sent.map((s) => s.uri).sort()).toEqual(['sip:127.0.0.1:6001', 'sip:127.0.0.1:6002']);
    silent.add('sip:127.0.0.1:6001');
    await w.clock.advance(20_000);
    expect(w.ports.down(3, 1)).toBe(true);
    expect(w.ports.down(3, 2)).toBe(false);
    expect(w.ports.down(3)).toBe(false);
    expect(w.active.get(`${ALARM_GATEWAY_DOWN}|1`)).toContain('gw3 port 1 (no answer to OPTIONS)');
    silent.add('sip:127.0.0.1:6002');
    await w.clock.advance(20_000);
    expect(w.ports.down(3)).toBe(true);
    w.k.stop();
  });
});
