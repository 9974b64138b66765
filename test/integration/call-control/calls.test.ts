// Extension-to-extension calls through the real appliance: supervisor,
// sip-core, call-control, rtpengine; phones registered with digest auth,
// sipp as the phones with real G.711 speech; CDRs read from its SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, setDnd, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let close: () => void;

beforeAll(async () => {
  // No grace period for orphaned calls here: the crash test below covers CDR recovery when the calls could not be kept
  // (restart.test.ts covers calls that survive a restart).
  pbx = await startPbx('calls', ['201', '202', '203', '204', '205'], { calls: { ringTimeoutSeconds: 3, recoveryIdleSeconds: 2, recoverySweepSeconds: 2 }, drachtio: { orphanGraceSeconds: 0 } });
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

describe('extension-to-extension calls', () => {
  it('connects 201 to 202 through rtpengine with speech both ways and writes the CDR', async () => {
    const callee = await startCallee(uasScenario('answer-play'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('talk', { answer: true, play: true }), '201', '202', { holdMs: 5000 });
    // While they talk: rtpengine's own counters for both parties.
    await waitFor(() => cdrsTo('202').some((c) => c.status === 'in-progress'), 20_000, 'call answered');
    const callId = cdrsTo('202').find((c) => c.status === 'in-progress')!.callId;
    let packets: number[] = [];
    await waitFor(
      async () => {
        packets = Object.values((await media.query(callId)).parties).map((p) => p.rtp.packets);
        return packets.length === 2 && packets.every((n) => n >= 67);
      },
      10_000,
      'speech relayed both ways',
    );
    expect((await pbx.health()).activeCalls).toBe(1);
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr).toMatchObject({ direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, extension: '201', disposition: 'answered', hangupSide: 'caller', hangupSipStatus: 200 });
    expect(cdr.ringingAt).toBeGreaterThanOrEqual(cdr.startedAt);
    expect(cdr.answeredAt).toBeGreaterThanOrEqual(cdr.ringingAt!);
    expect(cdr.billableSeconds).toBeGreaterThanOrEqual(5);
    // The media session is deleted (just after the CDR is written) and the licence slot free.
    await waitFor(() => media.query(callId).then(() => false, (e: { code?: string }) => e.code === 'media-call-not-found'), 5_000, 'media deleted');
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 5_000, 'slot released');
  }, 60_000);

  it('holds and resumes by re-INVITE: a=sendonly reaches the callee through rtpengine, recvonly comes back', async () => {
    const callee = await startCallee(uasScenario('answer-hold'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('hold', { hold: true }), '201', '202');
    // Both sipp scenarios check the direction attributes (check_it): a missing one fails the call.
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('202')[0]?.status === 'completed', 5_000, 'CDR completed');
    expect(cdrsTo('202')[0]).toMatchObject({ disposition: 'answered', hangupSide: 'caller' });
  }, 60_000);

  it('holds from the callee’s side: B’s re-INVITE with a=sendonly reaches A through rtpengine, recvonly goes back', async () => {
    const callee = await startCallee(uasScenario('answer-then-hold'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('held-by-callee', { heldByCallee: true }), '201', '202');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
  }, 60_000);

  it('passes early media: the callee’s 183 with SDP goes through rtpengine to the caller before the answer', async () => {
    const callee = await startCallee(uasScenario('early-media'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('early', { answer: true }), '201', '202', { holdMs: 500 });
    await waitFor(() => cdrsTo('202')[0]?.earlyMediaAt !== undefined && cdrsTo('202')[0]?.status === 'in-progress', 10_000, 'answered after early media');
    const callId = cdrsTo('202')[0]!.callId;
    // The callee's speech during the 183 (67 packets, 1.3 s) reached rtpengine before anyone answered;
    // rtpengine drops the first few while it learns the far end, so most rather than all of them.
    const stats = await media.query(callId);
    expect(Math.max(...Object.values(stats.parties).map((p) => p.rtp.packets))).toBeGreaterThanOrEqual(40);
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 5_000, 'CDR completed');
    const cdr = pbx.store.cdrs.get(callId)!;
    expect(cdr.disposition).toBe('answered');
    expect(cdr.answeredAt! - cdr.earlyMediaAt!).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('ends calls whose BYE follows the ACK at once (both can reach srf in one read): no CDR or slot left open', async () => {
    const callee = await startCallee(uasScenario('answer'), 100);
    await registerPhone(pbx, '202', callee.port);
    const before = cdrsTo('202').length;
    const caller = await startCaller(pbx, uacScenario('quick', { answer: true }), '201', '202', { calls: 100, limit: 4, rate: 100, holdMs: 0 });
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('202').length - before === 100 && cdrsTo('202').every((c) => c.status === 'completed'), 10_000, 'all 100 CDRs completed');
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'every licence slot released');
  }, 60_000);

  it('passes a callee’s 486 to the caller and records busy', async () => {
    const callee = await startCallee(uasScenario('busy'));
    await registerPhone(pbx, '203', callee.port);
    const caller = await startCaller(pbx, uacScenario('busy', { fail: 486 }), '201', '203');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('203').length === 1, 5_000, 'busy CDR');
    expect(cdrsTo('203')[0]).toMatchObject({ disposition: 'busy', status: 'completed', hangupSipStatus: 486, billableSeconds: 0 });
  }, 60_000);

  it('ends an unanswered call at the ring timeout: CANCEL to the phone, 480 to the caller, no-answer CDR', async () => {
    const callee = await startCallee(uasScenario('ring-until-cancel'));
    await registerPhone(pbx, '204', callee.port);
    const started = Date.now();
    const caller = await startCaller(pbx, uacScenario('no-answer', { fail: 480 }), '201', '204');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    await waitFor(() => cdrsTo('204').length === 1, 5_000, 'no-answer CDR');
    expect(cdrsTo('204')[0]).toMatchObject({ disposition: 'no-answer', hangupSide: 'system', hangupReason: 'ring-timeout' });
  }, 60_000);

  it('CANCEL from the caller before answer: 487 and a cancelled CDR', async () => {
    const callee = await startCallee(uasScenario('ring-until-cancel'));
    await registerPhone(pbx, '205', callee.port);
    const caller = await startCaller(pbx, uacScenario('cancel', { cancel: true }), '201', '205');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('205').length === 1, 5_000, 'cancelled CDR');
    expect(cdrsTo('205')[0]).toMatchObject({ disposition: 'cancelled', hangupSide: 'caller', hangupSipStatus: 487 });
  }, 60_000);

  it('refuses without allocating: unknown extension 404, unregistered 480, DND 486', async () => {
    pbx.store.extensions.create({ tenantId: tenantId(), extension: '206', ha1: computeHa1Set('206', pbx.domain, 'pw-206') });
    setDnd(pbx, '205', true);
    for (const [to, status] of [['299', 404], ['206', 480], ['205', 486]] as const) {
      const caller = await startCaller(pbx, uacScenario(`refused-${status}`, { fail: status }), '201', to);
      expect(await caller.exited, `call to ${to}`).toBe(0);
    }
    setDnd(pbx, '205', false);
    expect(cdrsTo('206')[0]).toMatchObject({ disposition: 'no-answer', hangupSipStatus: 480, hangupReason: 'extension-not-registered' });
    expect(cdrsTo('205')[0]).toMatchObject({ disposition: 'busy', hangupSipStatus: 486, hangupReason: 'extension-dnd' });
    // Health reaches the supervisor every few seconds: wait for a fresh snapshot.
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'no call holds a licence slot');
  }, 60_000);
});

const inProgressTo = (ext: string) => cdrsTo(ext).filter((c) => c.status === 'in-progress').length;

describe('licence limit (issue 5)', () => {
  it('with the eval limit of 4: exactly 4 calls connect, the rest get 503 naming the limit, and a freed slot takes the next call', async () => {
    expect((await pbx.health()).licence).toMatchObject({ profile: 'eval', concurrentCalls: 4 });
    const callee = await startCallee(uasScenario('answer'), 5);
    await registerPhone(pbx, '202', callee.port);
    const before = cdrsTo('202').length;
    const first = await startCaller(pbx, uacScenario('limit-first', { answer: true }), '201', '202', { holdMs: 6000 });
    await waitFor(() => inProgressTo('202') === 1, 10_000, 'first call up');
    // Five more at once, held open: three fit, two are refused.
    const burst = await startCaller(pbx, uacScenario('limit-burst', { answerOr503: true }), '201', '202', { calls: 5, rate: 50, holdMs: 12_000 });
    await waitFor(() => inProgressTo('202') === 4 && cdrsTo('202').filter((c) => c.disposition === 'refused-by-licence').length === 2, 15_000, '4 up, 2 refused');
    expect(inProgressTo('202')).toBe(4);
    expect(await first.exited).toBe(0);
    await waitFor(() => inProgressTo('202') === 3, 10_000, 'first call ended');
    // One slot is free again: the next call connects (a 503 would fail this scenario).
    const next = await startCaller(pbx, uacScenario('limit-next', { answer: true }), '201', '202', { holdMs: 500 });
    expect(await next.exited).toBe(0);
    expect(await burst.exited).toBe(0); // the two 503s carried Reason: Q.850;cause=34;text="licence limit: 4 concurrent calls" (checked by sipp)
    expect(await callee.exited).toBe(0);
    const mine = () => cdrsTo('202').slice(0, cdrsTo('202').length - before);
    await waitFor(() => mine().every((c) => c.status === 'completed'), 5_000, 'every CDR closed');
    expect(mine().filter((c) => c.disposition === 'answered')).toHaveLength(5);
    expect(mine().filter((c) => c.disposition === 'refused-by-licence')).toEqual([
      expect.objectContaining({ hangupSipStatus: 503, hangupReason: 'licence-capacity', hangupSide: 'system' }),
      expect.objectContaining({ hangupSipStatus: 503, hangupReason: 'licence-capacity', hangupSide: 'system' }),
    ]);
    await waitFor(async () => ((await pbx.health()).calls as { refusedByLicence: number }).refusedByLicence === 2, 10_000, 'refusals counted');
  }, 90_000);
});

describe('crash safety (issue 4)', () => {
  it('SIGKILL during three calls with no grace period: restarted, their CDRs completed by recovery, registrations back from SQLite, a new call works', async () => {
    const callee = await startCallee(uasScenario('answer-play'), 3);
    await registerPhone(pbx, '204', callee.port);
    const later = await startCallee(uasScenario('answer'), 1);
    await registerPhone(pbx, '205', later.port); // registered before the crash only
    const callers = await startCaller(pbx, uacScenario('crash', { answer: true, play: true }), '201', '204', { calls: 3, rate: 50, holdMs: 20_000 });
    await waitFor(() => inProgressTo('204') === 3, 15_000, 'three calls up');
    const open = cdrsTo('204').filter((c) => c.status === 'in-progress').map((c) => c.callId);
    const pid = await pbx.callControlPid();
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await pbx.callControlPid().catch(() => pid)) !== pid && (await pbx.health().catch(() => ({ ok: false }))).ok === true, 30_000, 'call-control back');
    // Recovery closes each call once its media has been silent for recoveryIdleSeconds (sipp's speech lasts 1.3 s).
    await waitFor(() => open.every((id) => pbx.store.cdrs.get(id)?.status === 'ended-by-recovery'), 20_000, 'CDRs completed by recovery');
    for (const id of open) {
      const cdr = pbx.store.cdrs.get(id)!;
      expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'system', hangupReason: 'ended-by-recovery' });
      expect(cdr.endedAt).toBeGreaterThanOrEqual(cdr.answeredAt!);
      await expect(media.query(id)).rejects.toMatchObject({ code: 'media-call-not-found' });
    }
    await waitFor(async () => (await pbx.health()).registrations >= 2, 10_000, 'registrations loaded');
    // 205 registered only with the killed process: reachable now means the binding came back from SQLite.
    const call = await startCaller(pbx, uacScenario('after-crash', { answer: true }), '201', '205', { holdMs: 500 });
    expect(await call.exited).toBe(0);
    expect(await later.exited).toBe(0);
    await waitFor(() => cdrsTo('205').some((c) => c.status === 'completed' && c.disposition === 'answered'), 5_000, 'the new call’s CDR');
    // sip-core hung up the dialogs of the vanished application (BYE to both phones); nothing is left to wait for.
    await callers.stop('SIGTERM', 2000);
    await callee.stop('SIGTERM', 2000);
  }, 120_000);
});
