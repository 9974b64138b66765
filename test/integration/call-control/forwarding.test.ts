// Call forwarding through the real appliance, configured as the admin does
// in extension_features (migration 0040): busy, no answer after N seconds,
// unconditional, unreachable, a loop, and an external target without trunks.
// sipp phones registered by digest; rtpengine's counters prove the forwarded
// call's speech; every CDR names the dialled extension and its forwards.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { defaultFeatures, type ExtensionFeatures } from '../../../services/store';
import { uacScenario, uasScenario, type UasKind } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx, type SippRun } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let close: () => void;

beforeAll(async () => {
  pbx = await startPbx('forwarding', ['401', '402', '403', '404', '405', '406', '407'], { calls: { ringTimeoutSeconds: 3 } });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  close = () => ng.close();
}, 120_000);

afterAll(async () => {
  close?.();
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.callee.dialled === ext);

/** What the admin sets in the extension's card: only the forwarding, everything else default. */
function setForwarding(ext: string, forward: Partial<ExtensionFeatures['forward']>): void {
  const e = pbx.store.extensions.get(tenantId(), ext)!;
  const d = defaultFeatures();
  pbx.store.extensionFeatures.set(e.id, { ...d, forward: { ...d.forward, ...forward } });
}

async function phone(ext: string, kind: UasKind): Promise<SippRun> {
  const run = await startCallee(uasScenario(kind));
  await registerPhone(pbx, ext, run.port);
  return run;
}

/** Speech both ways through rtpengine for the call's answered parties (67 packets each from sipp's pcap). */
async function speechBothWays(callId: string): Promise<void> {
  await waitFor(
    async () => {
      // Every tagged party (the caller, the answering phone, a phone heard in early media) sent its speech.
      // A phone that never answered stays an <untagged> branch in rtpengine.
      const parties = Object.entries((await media.query(callId)).parties).filter(([tag]) => !tag.startsWith('<untagged')).map(([, p]) => p.rtp.packets);
      return parties.length >= 2 && parties.every((n) => n >= 60);
    },
    10_000,
    'speech relayed both ways',
  );
}

describe('call forwarding', () => {
  it('busy: 402’s phone answers 486, the call goes to 403, which answers; one call, one CDR with the forward', async () => {
    setForwarding('402', { busy: '403' });
    const busy = await phone('402', 'busy');
    const target = await phone('403', 'answer-play');
    const caller = await startCaller(pbx, uacScenario('fwd-busy', { answer: true, play: true }), '401', '402', { holdMs: 4000 });
    await waitFor(() => cdrsTo('402').some((c) => c.status === 'in-progress'), 15_000, 'forwarded call answered');
    const callId = cdrsTo('402').find((c) => c.status === 'in-progress')!.callId;
    await speechBothWays(callId);
    // The licence counts the call once, forward or not.
    await waitFor(async () => (await pbx.health()).activeCalls === 1, 10_000, 'one licence slot');
    expect(await busy.exited).toBe(0);
    expect(await caller.exited).toBe(0);
    expect(await target.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ caller: { number: '401' }, callee: { dialled: '402', number: '402' }, disposition: 'answered', hangupSide: 'caller' });
    expect(cdr.forwards).toEqual([{ at: expect.any(Number), from: '402', to: '403', reason: 'busy' }]);
    expect(cdrsTo('403')).toHaveLength(0); // no second CDR for the forwarded leg
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot released');
  }, 60_000);

  it('no answer after 5 s: 402’s phone (playing early media) is CANCELed, 404 answers', async () => {
    setForwarding('402', { noAnswer: '404', noAnswerSeconds: 5 });
    const ringing = await phone('402', 'early-until-cancel');
    const target = await phone('404', 'answer-play');
    const started = Date.now();
    const caller = await startCaller(pbx, uacScenario('fwd-no-answer', { answer: true, play: true }), '401', '402', { holdMs: 3000 });
    expect(await ringing.exited).toBe(0); // CANCELed, and answered 487
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    await waitFor(() => cdrsTo('402')[0]?.status === 'in-progress', 10_000, 'forwarded call answered');
    const callId = cdrsTo('402')[0]!.callId;
    // rtpengine took the second phone's answer (another To tag) after the first one's early media.
    await speechBothWays(callId);
    expect(Object.keys((await media.query(callId)).parties).length).toBeGreaterThanOrEqual(2);
    expect(await caller.exited).toBe(0);
    expect(await target.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ callee: { dialled: '402' }, disposition: 'answered' });
    expect(cdr.forwards).toEqual([{ at: expect.any(Number), from: '402', to: '404', reason: 'no-answer' }]);
    expect(cdr.answeredAt! - cdr.startedAt).toBeGreaterThanOrEqual(5000);
    expect(cdr.forwards![0]!.at - cdr.startedAt).toBeGreaterThanOrEqual(5000);
  }, 60_000);

  it('unconditional: 402 is never rung, 403 answers', async () => {
    setForwarding('402', { always: '403' });
    // 402's "phone" is a socket that must stay silent: the forward happens before anything rings.
    const silent = dgram.createSocket('udp4');
    let received = 0;
    silent.on('message', () => received++);
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      await registerPhone(pbx, '402', silent.address().port);
      const target = await phone('403', 'answer');
      const caller = await startCaller(pbx, uacScenario('fwd-always', { answer: true }), '401', '402', { holdMs: 500 });
      expect(await caller.exited).toBe(0);
      expect(await target.exited).toBe(0);
      expect(received).toBe(0);
    } finally {
      silent.close();
    }
    await waitFor(() => cdrsTo('402')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(cdrsTo('402')[0]).toMatchObject({ disposition: 'answered', forwards: [{ from: '402', to: '403', reason: 'always' }] });
  }, 60_000);

  it('unreachable: 405 has no registered phone, its unreachable forward 403 answers', async () => {
    setForwarding('405', { unreachable: '403' });
    const target = await phone('403', 'answer');
    const caller = await startCaller(pbx, uacScenario('fwd-unreachable', { answer: true }), '401', '405', { holdMs: 500 });
    expect(await caller.exited).toBe(0);
    expect(await target.exited).toBe(0);
    await waitFor(() => cdrsTo('405')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(cdrsTo('405')[0]).toMatchObject({ disposition: 'answered', callee: { dialled: '405' }, forwards: [{ from: '405', to: '403', reason: 'unreachable' }] });
  }, 60_000);

  it('a loop 406 → 407 → 406 ends at once with 482 Loop Detected, no phone rung, no slot held', async () => {
    setForwarding('406', { always: '407' });
    setForwarding('407', { always: '406' });
    const started = Date.now();
    const caller = await startCaller(pbx, uacScenario('fwd-loop', { fail: 482 }), '401', '406');
    expect(await caller.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => cdrsTo('406').length === 1, 10_000, 'loop CDR');
    expect(cdrsTo('406')[0]).toMatchObject({ disposition: 'failed', hangupSide: 'system', hangupSipStatus: 482, hangupReason: 'forward-loop' });
    expect(cdrsTo('406')[0]!.forwards!.map((f) => `${f.from}>${f.to}`)).toEqual(['406>407', '407>406']);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'no slot held');
  }, 60_000);

  it('a loop met after ringing (busy 402 → 403, busy 403 → 402) ends with 482 too', async () => {
    setForwarding('402', { busy: '403' });
    setForwarding('403', { busy: '402' });
    const first = await phone('402', 'busy');
    const second = await phone('403', 'busy');
    const caller = await startCaller(pbx, uacScenario('fwd-loop-busy', { fail: 482 }), '401', '402');
    expect(await caller.exited).toBe(0);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    await waitFor(() => cdrsTo('402')[0]?.hangupSipStatus === 482, 10_000, 'loop CDR');
    expect(cdrsTo('402')[0]!.forwards!.map((f) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['402>403:busy', '403>402:busy']);
    setForwarding('403', {});
  }, 60_000);

  it('an external target goes through the dial plan: 403 for an extension allowed internal calls only', async () => {
    setForwarding('406', { always: '84951234567' });
    const caller = await startCaller(pbx, uacScenario('fwd-external', { fail: 403 }), '401', '406');
    expect(await caller.exited).toBe(0);
    await waitFor(() => cdrsTo('406').length === 2, 10_000, 'refused CDR');
    expect(cdrsTo('406')[0]).toMatchObject({ disposition: 'failed', hangupSipStatus: 403, forwards: [{ from: '406', to: '+74951234567', reason: 'always' }] });
  }, 60_000);
});
