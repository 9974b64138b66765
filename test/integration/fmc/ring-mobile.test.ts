// A call to the extension rings its desk phone and its mobile (issue 14),
// sipp playing the desk phone and the lines of a per-line GoIP on loopback
// against the real appliance (sip-core, call-control, rtpengine, SQLite).
// The SIM bound to 201 sits in the GoIP's port 1, so that port never dials
// it (a SIM cannot call itself); another free port dials 8 925 718-44-44.
// The mobile answers: the desk phone is CANCELed ("Call completed
// elsewhere", checked by sipp), media flows both ways through rtpengine
// (counted), the port is busy in the live port table for the call's length.
// A port answering 503 (no free channel) is skipped for the next port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { buildGateway } from '../../../services/fmc';
import type { GatewayReport } from '../../../services/call-control/fmc/port-table';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { portScenario, registerPort, startPort } from './goip';

const log = createLogger({ level: 'warn', sink: () => undefined });
const GW_PASSWORD = 'GoIP-Lines-2026';
const MOBILE = '89257184444';
let pbx: Pbx;
let media: RtpengineMedia;
let close: (() => void) | undefined;
let gatewayId = 0;

beforeAll(async () => {
  pbx = await startPbx('fmc-ring-mobile', ['201', '202'], { calls: { ringTimeoutSeconds: 15 } }, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    // No OPTIONS keepalive here: the sipp lines play calls only (gateway-failover.test.ts covers the keepalive).
    const built = buildGateway('goip-line', 'GoIP', { portCount: 3, optionsInterval: 0 });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const gw = store.gateways.create(tenant.id, 'GoIP', true, built.config, (u) => computeHa1Set(u, tenant.sipDomain, GW_PASSWORD));
    gatewayId = gw.id;
    const ext201 = store.extensions.get(tenant.id, '201')!;
    store.sims.create(tenant.id, { iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: gw.id, port: 1, extensionId: ext201.id, userRegistered: true, contract: 'МТС-1', monthlyMinuteLimit: 0, ringMode: 'together', ringDelay: 10 });
  });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  close = () => ng.close();
}, 120_000);

afterAll(async () => {
  close?.();
  await pbx?.close();
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const to201 = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === '201');
const ports = async () => ((await pbx.health()).gateways as GatewayReport[]).find((g) => g.id === gatewayId)!.ports;

/** 202 calls 201; the desk phone rings until CANCELed and the answering line speaks: media counted both ways, the port busy meanwhile. */
async function callAnsweredByMobile(answeringPort: number): Promise<string> {
  const before = new Set(to201().map((c) => c.callId));
  const desk = await startCallee(uasScenario('cancelled-elsewhere'));
  await registerPhone(pbx, '201', desk.port);
  const caller = await startCaller(pbx, uacScenario('fmc-ring-mobile', { answer: true, play: true }), '202', '201', { holdMs: 4000 });
  await waitFor(() => to201().some((c) => !before.has(c.callId) && c.status === 'in-progress'), 30_000, 'call answered');
  const callId = to201().find((c) => !before.has(c.callId))!.callId;
  await waitFor(async () => (await ports()).find((p) => p.port === answeringPort)?.busy === true, 10_000, 'answering port busy in the live table');
  await waitFor(
    async () => {
      const parties = Object.values((await media.query(callId)).parties).map((p) => p.rtp.packets);
      return parties.filter((n) => n >= 67).length >= 2;
    },
    15_000,
    'speech relayed both ways',
  );
  expect(await caller.exited).toBe(0);
  expect(await desk.exited).toBe(0);
  await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 15_000, 'CDR completed');
  expect(pbx.store.cdrs.get(callId)).toMatchObject({ disposition: 'answered', callee: { dialled: '201' } });
  await waitFor(async () => (await ports()).every((p) => !p.busy), 10_000, 'port free again');
  return callId;
}

describe('a call to the extension rings desk and mobile', () => {
  it('the mobile answers through a free port (not the SIM’s own): desk CANCELed, media both ways, port busy during the call', async () => {
    const line2 = await startPort(portScenario('answer-2', MOBILE, 'answer'));
    expect(await registerPort(pbx, 'goip-2', GW_PASSWORD, line2.port)).toBe(200);
    await callAnsweredByMobile(2);
    expect(await line2.exited).toBe(0);
    expect((await ports()).find((p) => p.port === 2)).toMatchObject({ busy: false, callsToday: 1 });
  }, 120_000);

  it('a port answering 503 (busy channel) is skipped for the next port', async () => {
    const line2 = await startPort(portScenario('busy-2', MOBILE, 'busy'));
    const line3 = await startPort(portScenario('answer-3', MOBILE, 'answer'));
    expect(await registerPort(pbx, 'goip-2', GW_PASSWORD, line2.port)).toBe(200);
    expect(await registerPort(pbx, 'goip-3', GW_PASSWORD, line3.port)).toBe(200);
    await callAnsweredByMobile(3);
    expect(await line2.exited).toBe(0);
    expect(await line3.exited).toBe(0);
    const state = await ports();
    expect(state.find((p) => p.port === 2)).toMatchObject({ lastError: '503 to INVITE', callsToday: 1 });
    expect(state.find((p) => p.port === 3)).toMatchObject({ callsToday: 1, busy: false });
  }, 120_000);
});
