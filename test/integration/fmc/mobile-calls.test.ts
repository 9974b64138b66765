// Calls from the mobile through a per-line GoIP, played by sipp on loopback
// against the real appliance (sip-core, call-control, rtpengine, SQLite):
// the GoIP's port registers as its own SIP user (digest, the password the
// api showed once); a GSM call whose caller is a SIM bound to extension 201
// dials the short number 202 and reaches the desk phone as 201 — the CDR is
// 201's, media flows both ways through rtpengine (counted); a caller whose
// number is no bound SIM is refused 403 and reaches nobody; the same SIM
// dialling 8 916 … leaves by the dial plan through the operator's trunk with
// the company's number, as a desk call of 201 would.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { buildGateway } from '../../../services/fmc';
import { freeLowUdpPorts, freePort } from '../../helpers/ports';
import { readFileSync, existsSync } from 'node:fs';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { SipUdpClient } from '../call-control/sip-udp-client';
import { createHash } from 'node:crypto';

const log = createLogger({ level: 'warn', sink: () => undefined });
const GW_PASSWORD = 'GoIP-Lines-2026';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let pbx: Pbx;
let media: RtpengineMedia;
let close: (() => void) | undefined;
let trunkPort = 0;
const SCENARIOS = path.resolve('test/integration/call-control/scenarios');

beforeAll(async () => {
  trunkPort = await freeLowUdpPorts(1);
  pbx = await startPbx('fmc-mobile', ['201', '202'], { calls: { ringTimeoutSeconds: 5 } }, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    // The operator: an IP trunk with the company's number; 201 may call national numbers.
    const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: trunkPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: '+74950000001', enabled: true }, null);
    store.extensions.update(tenant.id, '201', { outboundPermission: 'national' });
    const stores = { settings: store.settings, routes: store.outboundRoutes };
    saveNumbering(stores, tenant.id, { cityCode: '495' });
    saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.id)] }]);
    const built = buildGateway('goip-line', 'GoIP', { portCount: 2 });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const gw = store.gateways.create(tenant.id, 'GoIP', true, built.config, (u) => computeHa1Set(u, tenant.sipDomain, GW_PASSWORD));
    const ext201 = store.extensions.get(tenant.id, '201')!;
    store.sims.create(tenant.id, { iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: null, port: null, extensionId: ext201.id, userRegistered: true, contract: 'МТС-1', monthlyMinuteLimit: 0, ringMode: 'off', ringDelay: 10 });
    store.sims.create(tenant.id, { iccid: '8970199123456789012', msisdn: '+79160000001', operator: 'mts', state: 'active', gatewayId: gw.id, port: 1, extensionId: null, userRegistered: true, contract: 'МТС-1', monthlyMinuteLimit: 0, ringMode: 'off', ringDelay: 10 });
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

/** The GoIP's line: REGISTER as its port user with digest (MD5, qop=auth). */
async function registerPort(user: string, contactPort: number, password = GW_PASSWORD): Promise<number> {
  const line = await SipUdpClient.open({ host: '127.0.0.1', port: pbx.app.ports.sip });
  try {
    const contact = `<sip:${user}@127.0.0.1:${contactPort}>`;
    const challenge = await line.register({ user, domain: pbx.domain, contact });
    const row = challenge.all('www-authenticate').find((v) => v.endsWith('algorithm=MD5'))!;
    const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
    const response = md5(`${md5(`${user}:${pbx.domain}:${password}`)}:${nonce}:00000001:c1:auth:${md5(`REGISTER:sip:${pbx.domain}`)}`);
    const ok = await line.register({
      user,
      domain: pbx.domain,
      contact,
      headers: { Authorization: `Digest username="${user}", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"` },
    });
    return ok.status;
  } finally {
    line.close();
  }
}

/** sipp as the GoIP's line: the GSM caller's number in From ([caller]), digest as the port user. */
async function gsmCall(scenario: string, gsmCaller: string, dialled: string, port = 'goip-1') {
  const sippPort = await freePort();
  const dir = testOutputDir('integration', 'fmc');
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(sippPort), '-mi', '127.0.0.1', '-t', 'u1', '-nostdin', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `goip-${sippPort}-errors.log`), '-m', '1', '-d', '3000', '-key', 'caller', gsmCaller, '-s', dialled, '-au', port, '-ap', GW_PASSWORD, `127.0.0.1:${pbx.app.ports.sip}`];
  return startProcess('sipp', args, { logFile: path.join(dir, `goip-${sippPort}.log`), timeoutMs: 90_000 });
}

describe('calls from the mobile through a GoIP line', () => {
  it('the port registers as a SIP user; a wrong password does not', async () => {
    expect(await registerPort('goip-2', 5998, 'not-the-password')).toBe(401);
    expect(await registerPort('goip-1', 5999)).toBe(200);
    expect(pbx.store.registrations.listTenant(tenantId(), Date.now()).map((r) => r.extension)).toEqual(expect.arrayContaining(['goip-1']));
    expect(pbx.store.registrations.listTenant(tenantId(), Date.now()).map((r) => r.extension)).not.toContain('goip-2');
  });

  it("a bound SIM dialling a short number reaches the desk phone as its extension, media counted both ways", async () => {
    const callee = await startCallee(uasScenario('answer-play'));
    await registerPhone(pbx, '202', callee.port);
    const goip = await gsmCall(uacScenario('fmc-talk', { answer: true, play: true }), '89257184444', '202');
    const to202 = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === '202');
    await waitFor(() => to202().some((c) => c.status === 'in-progress'), 20_000, 'call answered');
    const callId = to202().find((c) => c.status === 'in-progress')!.callId;
    let packets: number[] = [];
    await waitFor(
      async () => {
        packets = Object.values((await media.query(callId)).parties).map((p) => p.rtp.packets);
        return packets.length === 2 && packets.every((n) => n >= 67);
      },
      10_000,
      'speech relayed both ways',
    );
    expect(await goip.exited).toBe(0);
    expect(await callee.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({ direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, extension: '201', disposition: 'answered' });
  }, 90_000);

  it('a caller whose number is no bound SIM is refused 403', async () => {
    const before = pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).length;
    // The gateway's own SIM (no extension) and a stranger.
    for (const stranger of ['+79160000001', '84952293042']) {
      const goip = await gsmCall(uacScenario('fmc-refused', { fail: 403 }), stranger, '202');
      expect(await goip.exited).toBe(0);
    }
    expect(pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 })).toHaveLength(before);
  }, 60_000);

  it('an external number leaves by the dial plan through the trunk with the company number, as 201', async () => {
    const dir = testOutputDir('integration', 'fmc');
    const logFile = path.join(dir, `operator-${Date.now()}-messages.log`);
    const op = startProcess('sipp', ['-sf', path.join(SCENARIOS, 'trunk-answer.xml'), '-i', '127.0.0.1', '-p', String(trunkPort), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_logs', '-log_file', logFile], { logFile: path.join(dir, `operator-${trunkPort}.log`), timeoutMs: 90_000 });
    const goip = await gsmCall(uacScenario('fmc-out', { answer: true }), '+79257184444', '89161234567');
    expect(await goip.exited).toBe(0);
    expect(await op.exited).toBe(0);
    const seen = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    expect(seen).toContain(`INVITE sip:79161234567@127.0.0.1:${trunkPort}`);
    expect(seen).toMatch(/From:\s+<sip:\+74950000001@127\.0\.0\.1>;tag=/);
    expect(seen).not.toContain('79257184444');
    const cdr = pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).find((c) => c.callee.dialled === '89161234567');
    expect(cdr).toMatchObject({ direction: 'outbound', caller: { dialled: '201', number: '201' }, extension: '201', trunk: 'Оператор' });
  }, 90_000);
});
