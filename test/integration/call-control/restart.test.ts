// Issue 4's crash test: call-control is killed with SIGKILL during 20 answered
// calls. The supervisor restarts it; sip-core kept the calls' dialogs for the
// grace period and hands them to the new process, which takes the calls over
// from the legs stored at answer. Nobody is cut off: each caller hangs up when
// it means to, the callee gets the BYE through the new process, and every CDR
// is completed with its real end. Registrations come back from SQLite and new
// calls work. (An M licence: the eval profile allows only 4 calls.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp';
import { uacScenario, uasScenario } from './call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, waitFor, type Pbx } from './pbx';

const CALLS = 20;
const HOLD_MS = 15_000;
let pbx: Pbx;
const vendor = tempDir('korobka-vendor-');

beforeAll(async () => {
  const publicKey = await vendorKey(vendor.dir);
  // Recovery must not be what ends these calls: its idle limit is longer than the test.
  pbx = await startPbx('restart', ['301', '302', '303'], { license: { developmentKeyFiles: [publicKey] }, calls: { recoveryIdleSeconds: 300 } }, (app) =>
    installTestLicence(app, vendor.dir, 'M'),
  );
}, 120_000);

afterAll(async () => {
  await pbx?.close();
  vendor.cleanup();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.callee.dialled === ext);

describe('a call-control restart during calls (issue 4)', () => {
  it(`SIGKILL during ${CALLS} calls: the calls go on, end normally through the new process, CDRs complete; registrations back; new calls work`, async () => {
    const callee = await startCallee(uasScenario('answer-play'), CALLS);
    await registerPhone(pbx, '302', callee.port);
    const later = await startCallee(uasScenario('answer'), 1);
    await registerPhone(pbx, '303', later.port); // registered before the crash only
    const callers = await startCaller(pbx, uacScenario('survive', { answer: true, play: true }), '301', '302', { calls: CALLS, rate: 40, holdMs: HOLD_MS });
    await waitFor(() => cdrsTo('302').filter((c) => c.status === 'in-progress').length === CALLS, 20_000, `${CALLS} calls up`);
    const open = cdrsTo('302').map((c) => c.callId);
    expect(pbx.store.callLegs.foreign('nobody')).toHaveLength(CALLS);
    const pid = await pbx.callControlPid();
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const restarted = async () => {
      const now = await pbx.callControlPid().catch(() => pid);
      const health = await pbx.health().catch(() => ({ ok: false, connects: 0 }));
      return typeof now === 'number' && now > 0 && now !== pid && health?.ok === true && Number(health?.connects) >= 1;
    };
    await waitFor(restarted, 30_000, 'call-control back and connected');
    // The new process carries the calls and counts them against the licence.
    const h = await pbx.health();
    expect(h.takenOverCalls).toBe(CALLS);
    expect(h.activeCalls).toBe(CALLS);
    expect(open.every((id) => pbx.store.cdrs.get(id)?.status === 'in-progress')).toBe(true);

    // Each caller hangs up after HOLD_MS; sipp fails a caller whose BYE is not answered and a callee that gets no BYE.
    expect(await callers.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => open.every((id) => pbx.store.cdrs.get(id)?.status === 'completed'), 10_000, 'CDRs completed');
    for (const id of open) {
      const cdr = pbx.store.cdrs.get(id)!;
      expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'caller', hangupSipStatus: 200 });
      expect(cdr.endedAt!).toBeGreaterThan(killedAt);
      expect(cdr.billableSeconds).toBeGreaterThanOrEqual(HOLD_MS / 1000);
    }
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'licence slots freed');
    expect(pbx.store.callLegs.foreign('nobody')).toHaveLength(0);

    // 303 registered only with the killed process: reachable now means the binding came back from SQLite.
    await waitFor(async () => (await pbx.health()).registrations >= 2, 10_000, 'registrations loaded');
    const call = await startCaller(pbx, uacScenario('after-restart', { answer: true }), '301', '303', { holdMs: 500 });
    expect(await call.exited).toBe(0);
    expect(await later.exited).toBe(0);
    await waitFor(() => cdrsTo('303').some((c) => c.status === 'completed' && c.disposition === 'answered'), 5_000, 'the new call’s CDR');
  }, 150_000);
});
