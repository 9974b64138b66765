// Parallel ringing of an extension with several phones, through the real
// appliance (sip-core, call-control, rtpengine) with sipp phones registered
// by digest: every phone rings at once, the first to answer gets the call and
// the others see a CANCEL saying "Call completed elsewhere" (RFC 3326); a busy
// phone does not end the call while another rings; all busy is 486; nobody
// answering is the ring timeout; early media from one phone reaches the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { uacScenario, uasScenario, type UasKind } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx, type SippRun } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let close: () => void;

beforeAll(async () => {
  pbx = await startPbx('ringing', ['301', '302', '303', '304', '305'], { calls: { ringTimeoutSeconds: 3 } });
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

/** The extension's phones: one sipp per kind, all registered (the first replaces older bindings, the rest add). */
async function phones(ext: string, kinds: UasKind[]): Promise<SippRun[]> {
  const runs: SippRun[] = [];
  for (const [i, kind] of kinds.entries()) {
    const run = await startCallee(uasScenario(kind));
    await registerPhone(pbx, ext, run.port, { keepOthers: i > 0 });
    runs.push(run);
  }
  await waitFor(async () => (await pbx.health()).registrations >= 1, 10_000, 'registered');
  return runs;
}

describe('parallel ringing', () => {
  it('rings both phones of 302; the second answers, the first sees CANCEL "Call completed elsewhere"; speech both ways', async () => {
    const [first, second] = await phones('302', ['cancelled-elsewhere', 'ring-then-answer']);
    const caller = await startCaller(pbx, uacScenario('fork-talk', { answer: true, play: true }), '301', '302', { holdMs: 4000 });
    await waitFor(() => cdrsTo('302').some((c) => c.status === 'in-progress'), 15_000, 'call answered');
    const callId = cdrsTo('302').find((c) => c.status === 'in-progress')!.callId;
    // The ringing phone got its CANCEL (and checked its Reason) while the call goes on.
    expect(await first!.exited).toBe(0);
    let packets: number[] = [];
    await waitFor(
      async () => {
        // The caller and the phone that answered; the CANCELed phone's branch stays <untagged> in rtpengine.
        packets = Object.entries((await media.query(callId)).parties).filter(([tag]) => !tag.startsWith('<untagged')).map(([, p]) => p.rtp.packets);
        return packets.length === 2 && packets.every((n) => n >= 60);
      },
      10_000,
      'speech relayed both ways',
    );
    expect(await caller.exited).toBe(0);
    expect(await second!.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ callee: { dialled: '302', number: '302' }, disposition: 'answered', hangupSide: 'caller' });
    expect(cdr.forwards).toBeUndefined();
    // Ringing was reported once, about a second before the answer.
    expect(cdr.answeredAt! - cdr.ringingAt!).toBeGreaterThanOrEqual(900);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'one licence slot, released');
  }, 60_000);

  it('keeps ringing the other phone when one is busy, and connects it', async () => {
    const [busy, answering] = await phones('303', ['busy', 'ring-then-answer']);
    const caller = await startCaller(pbx, uacScenario('fork-one-busy', { answer: true }), '301', '303', { holdMs: 500 });
    expect(await busy!.exited).toBe(0);
    expect(await caller.exited).toBe(0);
    expect(await answering!.exited).toBe(0);
    await waitFor(() => cdrsTo('303')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(cdrsTo('303')[0]).toMatchObject({ disposition: 'answered' });
  }, 60_000);

  it('answers 486 when every phone is busy', async () => {
    const runs = await phones('304', ['busy', 'busy']);
    const caller = await startCaller(pbx, uacScenario('fork-all-busy', { fail: 486 }), '301', '304');
    expect(await caller.exited).toBe(0);
    for (const r of runs) expect(await r.exited).toBe(0);
    await waitFor(() => cdrsTo('304').length === 1, 10_000, 'busy CDR');
    expect(cdrsTo('304')[0]).toMatchObject({ disposition: 'busy', hangupSide: 'callee', hangupSipStatus: 486, billableSeconds: 0 });
  }, 60_000);

  it('ends at the ring timeout when no phone answers: both CANCELed, 480 to the caller', async () => {
    const runs = await phones('305', ['ring-until-cancel', 'ring-until-cancel']);
    const started = Date.now();
    const caller = await startCaller(pbx, uacScenario('fork-no-answer', { fail: 480 }), '301', '305');
    expect(await caller.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    for (const r of runs) expect(await r.exited).toBe(0);
    await waitFor(() => cdrsTo('305').length === 1, 10_000, 'no-answer CDR');
    expect(cdrsTo('305')[0]).toMatchObject({ disposition: 'no-answer', hangupSide: 'system', hangupReason: 'ring-timeout' });
  }, 60_000);

  it('passes early media from one phone while the other rings; the early phone answers, the other is CANCELed', async () => {
    const [ringing, early] = await phones('302', ['cancelled-elsewhere', 'early-media']);
    const caller = await startCaller(pbx, uacScenario('fork-early', { answer: true }), '301', '302', { holdMs: 500 });
    await waitFor(() => cdrsTo('302')[0]?.earlyMediaAt !== undefined && cdrsTo('302')[0]?.status === 'in-progress', 10_000, 'answered after early media');
    const callId = cdrsTo('302')[0]!.callId;
    const stats = await media.query(callId);
    expect(Math.max(...Object.values(stats.parties).map((p) => p.rtp.packets))).toBeGreaterThanOrEqual(40);
    expect(await caller.exited).toBe(0);
    expect(await early!.exited).toBe(0);
    expect(await ringing!.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered' });
  }, 60_000);
});
