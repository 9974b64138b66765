// The installed licence, not the eval default, sizes admission: with an S
// licence (16 concurrent calls) five calls at once all connect, where the
// eval profile would refuse the fifth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp';
import { uacScenario, uasScenario } from './call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, waitFor, type Pbx } from './pbx';

let pbx: Pbx;
const vendor = tempDir('korobka-vendor-');

beforeAll(async () => {
  const publicKey = await vendorKey(vendor.dir);
  pbx = await startPbx('calls-licence', ['201', '202'], { license: { developmentKeyFiles: [publicKey] } }, (app) => installTestLicence(app, vendor.dir, 'S'));
}, 120_000);

afterAll(async () => {
  await pbx?.close();
  vendor.cleanup();
});

describe('licence profile S', () => {
  it('reads the installed licence at start and admits more calls than the eval profile', async () => {
    expect((await pbx.health()).licence).toEqual({ profile: 'S', state: 'valid', concurrentCalls: 16 });
    const callee = await startCallee(uasScenario('answer'), 5);
    await registerPhone(pbx, '202', callee.port);
    const caller = await startCaller(pbx, uacScenario('five', { answer: true }), '201', '202', { calls: 5, rate: 50, holdMs: 3000 });
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    await waitFor(() => pbx.store.cdrs.list({ tenantId }).filter((c) => c.status === 'in-progress').length === 5, 15_000, 'five calls up at once');
    expect(await caller.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.list({ tenantId }).filter((c) => c.status === 'completed' && c.disposition === 'answered').length === 5, 5_000, 'five answered CDRs');
  }, 60_000);
});
