// OPTIONS keepalive and the per-trunk status board: reachability, alarms
// (one per code and tenant, naming the trunks), isUsable, and following
// the trunks table (added, changed, disabled, deleted).
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { ALARM_TRUNK_REGISTRATION, ALARM_TRUNK_UNREACHABLE, TrunkSignalling, type AlarmSink, type SignallingTrunk } from '../../../services/call-control/trunks/trunk-status';
import type { OutRequest } from '../../../services/call-control/trunks/trunk-registration-transport';
import { FakeRegistrar, ManualClock, reply, scriptedSender, type Answer } from './trunk-registration-fixtures';

const trunk = (id: number, over: Partial<SignallingTrunk> = {}): SignallingTrunk => ({
  id,
  tenantId: 1,
  name: `t${id}`,
  kind: 'ip',
  host: `op${id}.test`,
  port: 5060,
  transport: 'udp',
  username: null,
  password: () => null,
  version: 'v1',
  registerExpiry: 300,
  optionsInterval: 0,
  enabled: true,
  ...over,
});

function memoryAlarms(initial: { code: string; tenantId: number }[] = []) {
  const active = new Map<string, string>(initial.map((a) => [`${a.code}|${a.tenantId}`, 'left over']));
  const sink: AlarmSink = {
    raise: (a) => void active.set(`${a.code}|${a.tenantId}`, a.message),
    clear: (code, tenantId) => void active.delete(`${code}|${tenantId}`),
    activeTenants: (code) => [...active.keys()].filter((k) => k.startsWith(`${code}|`)).map((k) => Number(k.split('|')[1])),
  };
  return { sink, active };
}

function board(trunks: SignallingTrunk[], answer: (r: OutRequest) => Answer, alarms = memoryAlarms()) {
  const clock = new ManualClock();
  const { send, sent } = scriptedSender(clock, (r) => answer(r));
  const list = { trunks };
  const b = new TrunkSignalling({ load: () => list.trunks, send, contactHost: () => '127.0.0.1:5070', alarms: alarms.sink, clock, log: silentLogger });
  return { b, clock, sent, list, alarms: alarms.active };
}

describe('OPTIONS keepalive (RFC 3261 §11)', () => {
  it('any answer is reachable; two misses in a row are down with an alarm; an answer clears it', async () => {
    let answer: Answer = reply(404, 'Not Found');
    const w = board([trunk(1, { optionsInterval: 10 }), trunk(2, { optionsInterval: 10, host: 'op2.test' })], () => answer);
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.sent.map((s) => `${s.method} ${s.uri}`)).toEqual(['OPTIONS sip:op1.test:5060', 'OPTIONS sip:op2.test:5060']);
    expect(w.b.snapshot().map((s) => s.reachability)).toEqual(['reachable', 'reachable']);
    answer = 'timeout';
    await w.clock.advance(10_000);
    expect(w.b.snapshot()[0]!.reachability).toBe('reachable'); // one miss is not enough
    expect(w.b.isUsable(1)).toBe(true);
    await w.clock.advance(10_000);
    expect(w.b.snapshot()[0]).toMatchObject({ reachability: 'down', lastError: 'no answer to OPTIONS', usable: false });
    expect(w.b.isUsable(1)).toBe(false);
    expect(w.alarms.get(`${ALARM_TRUNK_UNREACHABLE}|1`)).toBe('trunk unreachable (no answer to OPTIONS): t1 (no answer to OPTIONS), t2 (no answer to OPTIONS)');
    answer = reply(200, 'OK');
    await w.clock.advance(10_000);
    expect(w.b.snapshot().map((s) => s.reachability)).toEqual(['reachable', 'reachable']);
    expect(w.b.isUsable(1)).toBe(true);
    expect(w.alarms.size).toBe(0);
    expect(w.sent).toHaveLength(8);
    await w.b.stop();
    await w.clock.advance(60_000);
    expect(w.sent).toHaveLength(8);
  });

  it('no keepalive for interval 0; unknown trunks are not judged', async () => {
    const w = board([trunk(1)], () => 'timeout');
    await w.b.sync();
    await w.clock.advance(60_000);
    expect(w.sent).toHaveLength(0);
    expect(w.b.snapshot()[0]).toMatchObject({ registration: null, reachability: null, usable: true });
    expect(w.b.isUsable(99)).toBe(true);
  });
});

describe('TrunkSignalling: registrations follow the trunks table', () => {
  const reg = (id: number, over: Partial<SignallingTrunk> = {}) =>
    trunk(id, { kind: 'register', host: 'operator.test', username: 'trunk1', password: () => 'secret-1', ...over });

  it('a failed registration raises trunk-registration-failed naming the trunk; success clears it', async () => {
    const clock0 = new ManualClock();
    const op = new FakeRegistrar(clock0);
    op.forbid = true;
    const w = board([reg(3, { name: 'Beeline' })], (r) => op.answer(r));
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.b.snapshot()[0]).toMatchObject({ registration: 'failed', lastError: '403 Forbidden', usable: false });
    expect(w.alarms.get(`${ALARM_TRUNK_REGISTRATION}|1`)).toBe('trunk registration failed: Beeline (403 Forbidden)');
    op.forbid = false;
    await w.clock.advance(30_000);
    expect(w.b.snapshot()[0]).toMatchObject({ registration: 'registered', usable: true });
    expect(w.b.snapshot()[0]!.registeredUntil).not.toBeNull();
    expect(w.alarms.size).toBe(0);
  });

  it('disabling or deleting a trunk un-REGISTERs it; a changed trunk registers afresh', async () => {
    const clock0 = new ManualClock();
    const op = new FakeRegistrar(clock0);
    const w = board([reg(1), reg(2)], (r) => op.answer(r));
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.b.snapshot().map((s) => s.registration)).toEqual(['registered', 'registered']);
    const before = w.sent.length;
    w.list.trunks = [reg(1, { version: 'v2', enabled: false })];
    await w.b.sync();
    const unregisters = w.sent.slice(before).filter((s) => s.headers.Expires === '0');
    expect(unregisters).toHaveLength(2);
    expect(w.b.snapshot()).toEqual([expect.objectContaining({ id: 1, registration: null, usable: false })]);
    w.list.trunks = [reg(1, { version: 'v3' })];
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.b.snapshot()[0]!.registration).toBe('registered');
    // Stopping call-control cleanly takes the binding off the registrar.
    await w.b.stop();
    expect(w.sent.at(-1)!.headers.Expires).toBe('0');
  });

  it('a password that does not open is a failed registration, and nothing is sent', async () => {
    const w = board(
      [
        reg(4, {
          password: () => {
            throw new Error('secret-unreadable');
          },
        }),
      ],
      () => reply(200, 'OK'),
    );
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.sent).toHaveLength(0);
    expect(w.b.snapshot()[0]).toMatchObject({ registration: 'failed', lastError: 'the stored password does not open' });
    expect(w.alarms.get(`${ALARM_TRUNK_REGISTRATION}|1`)).toMatch(/t4 \(the stored password does not open\)/);
  });

  it('clears alarms an earlier process left for trunks that are fine now', async () => {
    const alarms = memoryAlarms([{ code: ALARM_TRUNK_UNREACHABLE, tenantId: 1 }, { code: ALARM_TRUNK_REGISTRATION, tenantId: 2 }]);
    const w = board([trunk(1, { optionsInterval: 10 })], () => reply(200, 'OK'), alarms);
    await w.b.sync();
    await w.clock.advance(0);
    expect(w.alarms.size).toBe(0);
  });
});

describe('signallingVersion', () => {
  it('moves with what signalling uses, not with the channel limit or caller ID', async () => {
    const { signallingVersion } = await import('../../../services/call-control/trunks/trunk-status-source');
    const base = {
      id: 1, tenantId: 1, name: 'a', kind: 'register' as const, host: 'op.test', port: 5060, transport: 'udp' as const, username: 'u', password: 'p',
      registerExpiry: 300, addresses: [], optionsInterval: 30, channelLimit: 0, outboundCallerId: '', updatedAt: '2026-01-01T00:00:00.000Z', sources: [],
    };
    const v = signallingVersion(base);
    expect(signallingVersion({ ...base, channelLimit: 5, outboundCallerId: '+74950000000', updatedAt: 'later' })).toBe(v);
    for (const change of [{ password: 'q' }, { host: 'op2.test' }, { registerExpiry: 600 }, { optionsInterval: 0 }, { transport: 'tcp' as const }])
      expect(signallingVersion({ ...base, ...change }), JSON.stringify(change)).not.toBe(v);
    expect(v).not.toContain('"p"');
  });
});
