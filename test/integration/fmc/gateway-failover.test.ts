// A gateway that stops answering OPTIONS (issue 14), on the real appliance
// with sipp on loopback: GoIP A (trunk mode, the SIM's own gateway, OPTIONS
// every 10 s) answers OPTIONS, then its sipp is stopped. Two missed OPTIONS
// later A is down in the live port table and a gateway-down alarm names it
// (the alarms table the dashboard shows); a call to 201 (its mobile rings) then leaves through
// GoIP B with B's routing prefix — A is not tried, so the call does not
// wait out a dead gateway. A answering again clears the alarm.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayReport } from '../../../services/call-control/fmc/port-table';
import { buildGateway } from '../../../services/fmc';
import { freePort } from '../../helpers/ports';
import { uacScenario } from '../call-control/call-scenarios';
import { startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { portScenario, startPort } from './goip';

const OPTIONS_ANSWER = path.resolve('test/integration/call-control/scenarios/trunk-options-answer.xml');
let pbx: Pbx;
let portA = 0;
let portB = 0;
const ids = { a: 0, b: 0 };

beforeAll(async () => {
  portA = await freePort();
  portB = await freePort();
  pbx = await startPbx('fmc-gateway-failover', ['201', '202'], { calls: { ringTimeoutSeconds: 15 } }, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    const a = buildGateway('goip-trunk', 'GoIP A', { portCount: 2, host: '127.0.0.1', sipPort: portA, optionsInterval: 10 });
    const b = buildGateway('goip-trunk', 'GoIP B', { portCount: 2, host: '127.0.0.1', sipPort: portB, optionsInterval: 0, ports: [{ port: 1, prefix: '801', did: '801' }, { port: 2, prefix: '802', did: '802' }] });
    if (!a.ok || !b.ok) throw new Error('gateway templates');
    ids.a = store.gateways.create(tenant.id, 'GoIP A', true, a.config, () => ({ MD5: '', 'SHA-256': '' })).id;
    ids.b = store.gateways.create(tenant.id, 'GoIP B', true, b.config, () => ({ MD5: '', 'SHA-256': '' })).id;
    const ext201 = store.extensions.get(tenant.id, '201')!;
    // 201 has no desk phone here: its mobile only.
    store.sims.create(tenant.id, { iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: ids.a, port: 1, extensionId: ext201.id, userRegistered: true, contract: 'МТС-1', monthlyMinuteLimit: 0, ringMode: 'only', ringDelay: 10 });
  });
}, 120_000);

afterAll(async () => {
  await pbx?.close();
});

const gatewayA = async () => ((await pbx.health()).gateways as GatewayReport[] | undefined)?.find((g) => g.id === ids.a);
// The alarms table the api's GET /api/alarms and the dashboard read.
const alarms = async () => pbx.store.alarms.list({ active: true, limit: 100 }).rows.filter((x) => x.code === 'gateway-down');

describe('a gateway that stops answering OPTIONS', () => {
  it('raises gateway-down and the mobile call fails over to the other gateway; an answer clears the alarm', async () => {
    const optionsA = await startPort(OPTIONS_ANSWER, { at: portA, calls: 100 });
    await waitFor(async () => (await gatewayA())?.reachability === 'reachable', 30_000, 'GoIP A answers OPTIONS');
    await optionsA.stop();
    await waitFor(async () => (await gatewayA())?.reachability === 'down', 60_000, 'GoIP A down after two missed OPTIONS');
    await waitFor(async () => (await alarms()).length === 1, 10_000, 'gateway-down alarm');
    expect((await alarms())[0]!.message).toContain('GoIP A (no answer to OPTIONS)');

    // B dials 801 + 8 925 718-44-44 (checked by sipp): A, the SIM's own gateway, is skipped.
    const lineB = await startPort(portScenario('b-answer', '80189257184444', 'answer'), { at: portB });
    const caller = await startCaller(pbx, uacScenario('fmc-failover', { answer: true, play: true }), '202', '201', { holdMs: 2000 });
    expect(await caller.exited).toBe(0);
    expect(await lineB.exited).toBe(0);
    const cdr = () => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 10 }).find((c) => c.callee.dialled === '201');
    await waitFor(() => cdr()?.status === 'completed', 15_000, 'CDR completed');
    expect(cdr()).toMatchObject({ disposition: 'answered' });

    const again = await startPort(OPTIONS_ANSWER, { at: portA, calls: 100 });
    await waitFor(async () => (await gatewayA())?.reachability === 'reachable', 30_000, 'GoIP A answers again');
    await waitFor(async () => (await alarms()).length === 0, 10_000, 'alarm cleared');
    await again.stop();
  }, 180_000);
});
