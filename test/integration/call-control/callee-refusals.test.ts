// Issue 17 item 8: what the caller hears and the CDR says when the callee's
// phone refuses at once with 503, and when the dialled number is incomplete
// (484). Real appliance, sipp phones registered with digest auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

let pbx: Pbx;
beforeAll(async () => {
  pbx = await startPbx('callee-refusals', ['201', '202']);
});
afterAll(() => pbx?.close());

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (dialled: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === dialled);

describe('refusals as the caller and the call history see them', () => {
  it('a phone that answers 503 at once: the caller gets 503 (not 480) and the CDR is failed with 503 phone-unavailable', async () => {
    const callee = await startCallee(uasScenario('unavailable'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('phone-503', { fail: 503 }), '201', '202');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('202').length === 1, 15_000, 'CDR of the refused call');
    expect(cdrsTo('202')[0]).toMatchObject({
      disposition: 'failed',
      status: 'completed',
      hangupSide: 'callee',
      hangupSipStatus: 503,
      hangupReason: 'phone-unavailable',
      billableSeconds: 0,
    });
  });

  it('an incomplete number: 484 to the caller, and the call history shows the dialled digits as the callee', async () => {
    const caller = await startCaller(pbx, uacScenario('incomplete', { fail: 484 }), '201', '8495123');
    expect(await caller.exited).toBe(0);
    await waitFor(() => cdrsTo('8495123').length === 1, 15_000, 'CDR of the 484');
    expect(cdrsTo('8495123')[0]).toMatchObject({ hangupSipStatus: 484, callee: { dialled: '8495123' } });
    const row = pbx.store.cdrSearch.page({ tenantId: tenantId() }, 10, 0).find((r) => r.calleeDialled === '8495123')!;
    expect(row.callee).toBe('8495123');
  });
});
