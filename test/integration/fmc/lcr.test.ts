// Least-cost routing through corporate SIMs (issue 14) on the real appliance
// with sipp on loopback: a trunk-mode GoIP holds an MTS SIM in port 1
// (routing prefix 901) and a MegaFon SIM in port 2 (902); the operator's IP
// trunk is the route for +7 numbers. The numbering plan is the shipped
// sample, imported as an admin would. 201 dialling an MTS mobile leaves
// through port 1 (the GoIP sees 901 + 8 916 …), and the CDR names the port;
// once the MTS SIM's minutes this month (summed from its calls' CDRs) reach
// its limit, the next call goes out through the operator's trunk; a MegaFon
// number whose port answers 503 (no free channel) falls back to the trunk.
// Then the GoIP is flagged quirky (183 without SDP, answer not reliable) and
// plays such a gateway: the caller hears ringing (180, never a silent 183),
// and the CDR marks the answer and bills from the gateway's first audio.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRangeImport } from '../../../services/api/commands/import-number-ranges';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { buildGateway } from '../../../services/fmc';
import { freeLowUdpPorts, freePort } from '../../helpers/ports';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { uacScenario } from '../call-control/call-scenarios';
import { startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { portScenario, startPort } from './goip';

const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
let pbx: Pbx;
let gwPort = 0;
let trunkPort = 0;
const sims = { mts: 0, megafon: 0 };
let gatewayId = 0;

beforeAll(async () => {
  gwPort = await freePort();
  do trunkPort = await freeLowUdpPorts(1);
  while (trunkPort === gwPort);
  pbx = await startPbx('fmc-lcr', ['201'], { calls: { ringTimeoutSeconds: 15 } }, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: trunkPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 4, outboundCallerId: '+74950000001', enabled: true }, null);
    store.extensions.update(tenant.id, '201', { outboundPermission: 'national' });
    const stores = { settings: store.settings, routes: store.outboundRoutes };
    saveNumbering(stores, tenant.id, { cityCode: '495' });
    saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.id)] }]);
    const built = buildGateway('goip-trunk', 'GoIP T', { portCount: 2, host: '127.0.0.1', sipPort: gwPort, optionsInterval: 0, ports: [{ port: 1, prefix: '901', did: '901' }, { port: 2, prefix: '902', did: '902' }] });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const gw = store.gateways.create(tenant.id, 'GoIP T', true, built.config, () => ({ MD5: '', 'SHA-256': '' }));
    gatewayId = gw.id;
    const sim = (iccid: string, msisdn: string, operator: 'mts' | 'megafon', port: number) =>
      store.sims.create(tenant.id, { iccid, msisdn, operator, state: 'active', gatewayId: gw.id, port, extensionId: null, userRegistered: true, contract: 'К-1', monthlyMinuteLimit: 60, ringMode: 'off', ringDelay: 10 }).id;
    sims.mts = sim('8970102100000000001', '+79160000001', 'mts', 1);
    sims.megafon = sim('8970199123456789012', '+79250000002', 'megafon', 2);
    const plan = planRangeImport(readFileSync(path.resolve('services/fmc/data/def-sample.csv'), 'utf8'));
    if (plan.problems.length) throw new Error(JSON.stringify(plan.problems));
    store.numberRanges.replace(tenant.id, plan.ranges);
  });
}, 120_000);

afterAll(async () => {
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrTo = (dialled: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === dialled);

/** The operator's trunk answering one call, its messages logged for the Request-URI. */
async function operatorTrunk(): Promise<{ exited: Promise<number | null>; seen(): string }> {
  const dir = testOutputDir('integration', 'fmc');
  const logFile = path.join(dir, `lcr-operator-${Date.now()}-messages.log`);
  const op = startProcess('sipp', ['-sf', path.join(SCENARIOS, 'trunk-answer.xml'), '-i', '127.0.0.1', '-p', String(trunkPort), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_logs', '-log_file', logFile], { logFile: path.join(dir, `lcr-operator-${trunkPort}.log`), timeoutMs: 90_000 });
  return { exited: op.exited, seen: () => readFileSync(logFile, 'utf8') };
}

describe('least-cost routing through the SIM of the number’s operator', () => {
  it('an MTS mobile leaves through the MTS SIM’s port with its routing prefix; the call counts toward the SIM', async () => {
    const port1 = await startPort(portScenario('lcr-mts', '90189161234567', 'answer'), { at: gwPort });
    const caller = await startCaller(pbx, uacScenario('lcr-mts', { answer: true, play: true }), '201', '89161234567', { holdMs: 2000 });
    expect(await caller.exited).toBe(0);
    expect(await port1.exited).toBe(0);
    await waitFor(() => cdrTo('89161234567')[0]?.status === 'completed', 15_000, 'CDR completed');
    expect(cdrTo('89161234567')[0]).toMatchObject({ direction: 'outbound', disposition: 'answered', trunk: 'GoIP T / 1', extension: '201' });
    const used = pbx.store.numberRanges.minutesThisMonth(tenantId());
    expect(used.get(sims.mts)).toBeGreaterThan(0);
    expect(used.has(sims.megafon)).toBe(false);
  }, 90_000);

  it('at its monthly minute limit the MTS SIM is passed over: the call leaves through the operator’s trunk', async () => {
    // Earlier this month the SIM carried an hour (its CDR), its whole limit.
    const now = Date.now();
    pbx.store.cdrs.open({ callId: 'lcr-earlier', tenantId: tenantId(), direction: 'outbound', caller: { dialled: '201', number: '201' }, callee: { dialled: '89160000009', number: '+79160000009' }, extension: '201', trunk: 'GoIP T / 1', startedAt: now - 3_700_000, answeredAt: now - 3_600_000, durationSeconds: 0, billableSeconds: 0, transfers: [], status: 'in-progress', lastSeenAt: now }, 'test');
    pbx.store.cdrs.close({ callId: 'lcr-earlier', tenantId: tenantId(), direction: 'outbound', caller: { dialled: '201', number: '201' }, callee: { dialled: '89160000009', number: '+79160000009' }, extension: '201', trunk: 'GoIP T / 1', startedAt: now - 3_700_000, answeredAt: now - 3_600_000, endedAt: now, durationSeconds: 3700, billableSeconds: 3600, disposition: 'answered', hangupSide: 'caller', transfers: [], status: 'completed', lastSeenAt: now });
    pbx.store.numberRanges.recordSimCall(tenantId(), sims.mts, 'lcr-earlier');
    expect(pbx.store.numberRanges.minutesThisMonth(tenantId()).get(sims.mts)).toBeGreaterThanOrEqual(60);

    const op = await operatorTrunk();
    const caller = await startCaller(pbx, uacScenario('lcr-limit', { answer: true }), '201', '89167654321', { holdMs: 1000 });
    expect(await caller.exited).toBe(0);
    expect(await op.exited).toBe(0);
    expect(op.seen()).toContain(`INVITE sip:79167654321@127.0.0.1:${trunkPort}`);
    await waitFor(() => cdrTo('89167654321')[0]?.status === 'completed', 15_000, 'CDR completed');
    expect(cdrTo('89167654321')[0]).toMatchObject({ disposition: 'answered', trunk: 'Оператор' });
  }, 90_000);

  it('a MegaFon mobile whose SIM’s port answers 503 (no free channel) falls back to the operator’s trunk', async () => {
    const port2 = await startPort(portScenario('lcr-megafon-busy', '90289261234567', 'busy'), { at: gwPort });
    const op = await operatorTrunk();
    const caller = await startCaller(pbx, uacScenario('lcr-fallback', { answer: true }), '201', '89261234567', { holdMs: 1000 });
    expect(await caller.exited).toBe(0);
    expect(await port2.exited).toBe(0);
    expect(await op.exited).toBe(0);
    expect(op.seen()).toContain(`INVITE sip:79261234567@127.0.0.1:${trunkPort}`);
    await waitFor(() => cdrTo('89261234567')[0]?.status === 'completed', 15_000, 'CDR completed');
    expect(cdrTo('89261234567')[0]).toMatchObject({ disposition: 'answered', trunk: 'Оператор' });
    expect(pbx.store.numberRanges.minutesThisMonth(tenantId()).has(sims.megafon)).toBe(false);
  }, 90_000);

  it('a quirky gateway: 183 without SDP reaches the caller as 180; its early 200 is marked and billing starts at its first audio', async () => {
    const gw = pbx.store.gateways.get(gatewayId)!;
    pbx.store.gateways.update(gatewayId, { name: gw.name, enabled: true, config: { ...gw.config, quirks: { ...gw.config.quirks, early183NoSdp: true, answerUnreliable: true } } }, null);
    const port2 = await startPort(portScenario('lcr-quirky', '90289267654321', 'quirky'), { at: gwPort });
    // The caller's scenario requires 180 and fails on a 183; it hangs up 6 s after the 200.
    const caller = await startCaller(pbx, uacScenario('lcr-quirky', { answer: true, ringback: true }), '201', '89267654321', { holdMs: 6000 });
    expect(await caller.exited).toBe(0);
    expect(await port2.exited).toBe(0);
    await waitFor(() => cdrTo('89267654321')[0]?.status === 'completed', 15_000, 'CDR completed');
    const cdr = cdrTo('89267654321')[0]!;
    expect(cdr).toMatchObject({ disposition: 'answered', trunk: 'GoIP T / 2', answerUnreliable: true });
    expect(cdr.ringingAt).toBeDefined();
    expect(cdr.earlyMediaAt).toBeUndefined();
    // 3 s of nothing after the 200, then speech: billed from the speech, not from the 200.
    expect(cdr.audioAt! - cdr.answeredAt!).toBeGreaterThanOrEqual(2500);
    expect(cdr.billableSeconds).toBeLessThanOrEqual(Math.ceil((cdr.endedAt! - cdr.audioAt!) / 1000));
    expect(cdr.billableSeconds).toBeLessThan(Math.ceil((cdr.endedAt! - cdr.answeredAt!) / 1000) - 1);
    expect(pbx.store.numberRanges.minutesThisMonth(tenantId()).get(sims.megafon)).toBeGreaterThan(0);
  }, 90_000);
});
