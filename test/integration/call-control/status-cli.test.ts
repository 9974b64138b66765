// Issue 17 item 8: `korobka status` shows the registered phones and the
// calls in progress (call-control's health), on the real appliance with a
// sipp phone registered and a sipp call up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

let pbx: Pbx;
beforeAll(async () => {
  pbx = await startPbx('status-cli', ['201', '202']);
});
afterAll(() => pbx?.close());

describe('korobka status', () => {
  it('shows registered phones and calls in progress', async () => {
    const idle = await pbx.app.korobka('status');
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('Registered phones: 0   Calls in progress: 0');
    const callee = await startCallee(uasScenario('answer'));
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('status-call', { answer: true }), '201', '202', { holdMs: 20_000 });
    await waitFor(async () => (await pbx.health()).activeCalls === 1, 30_000, 'the call up');
    // The supervisor's status file is rewritten from the processes' health reports: wait for it to show the call.
    await waitFor(
      async () => (await pbx.app.korobka('status')).stdout.includes('Registered phones: 1   Calls in progress: 1'),
      30_000,
      'status showing the phone and the call',
    );
    await caller.stop();
    await callee.stop();
  });
});
