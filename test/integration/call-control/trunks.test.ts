// Calls to and from the outside world through SIP trunks, on the real
// appliance (supervisor, sip-core, call-control, rtpengine): sipp plays the
// operators — trunk A (with an account it challenges for), trunk B, and an
// IP trunk C that delivers inbound calls — and the phones. What is asserted
// is what the operator saw (Request-URI, From, P-Asserted-Identity, the
// digest credentials checked by sipp's verifyauth), rtpengine's packet
// counters, and the CDR rows in SQLite.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveNumbering, saveRoutes } from '../../../services/dialplan/dial-plan-store';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { trunkSecretBox } from '../../../services/call-control/trunks/trunk-directory';
import { createLogger } from '../../../services/common/logger';
import { TRUNK_PASSWORD } from '../../../services/common/secret-box';
import { defaultFeatures, type TrunkFields } from '../../../services/store';
import { openStore } from '../../helpers/pd-open-store';
import { freeLowUdpPorts, freePort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx, type SippRun } from './pbx';

const log = createLogger({ level: 'warn', sink: () => undefined });
const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const OUT = testOutputDir('call-control', 'trunks');
const ACCOUNT = { user: '74951234567', password: 'trunk-пароль-1' };
let pbx: Pbx;
let media: RtpengineMedia;
let closeNg: () => void;
const port = { a: 0, b: 0, c: 0 };
const trunkId = { a: 0, b: 0, c: 0 };

const fields = (over: Partial<TrunkFields>): TrunkFields => ({
  name: 'x',
  kind: 'ip',
  host: '127.0.0.1',
  port: 5060,
  transport: 'udp',
  username: null,
  registerExpiry: 300,
  addresses: ['127.0.0.1'],
  optionsInterval: 0,
  channelLimit: 1,
  outboundCallerId: '',
  enabled: true,
  ...over,
});

beforeAll(async () => {
  port.a = await lowPorts(1);
  port.b = await lowPorts(1);
  port.c = await lowPorts(1);
  pbx = await startPbx('trunks', ['201', '202', '203', '204'], { calls: { ringTimeoutSeconds: 8, trunkFailoverSeconds: 2 } }, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const box = trunkSecretBox({ dataDir: app.dataDir })();
      // IP trunks (the operators' addresses), so trunk registration and keepalive leave these sipp peers alone.
      trunkId.a = store.trunks.create(tenant.id, fields({ name: 'Оператор A', port: port.a, username: ACCOUNT.user, outboundCallerId: '+74950000001' }), box.seal(ACCOUNT.password, TRUNK_PASSWORD.aad(tenant.id))).id;
      trunkId.b = store.trunks.create(tenant.id, fields({ name: 'Оператор B', port: port.b, outboundCallerId: '+74950000002' }), null).id;
      trunkId.c = store.trunks.create(tenant.id, fields({ name: 'Входящий C', port: port.c, channelLimit: 1 }), null).id;
      for (const [ext, permission] of [['201', 'national'], ['202', 'international'], ['203', 'internal']] as const) store.extensions.update(tenant.id, ext, { outboundPermission: permission });
      const e202 = store.extensions.get(tenant.id, '202')!;
      store.extensionFeatures.set(e202.id, { ...defaultFeatures(), callerIdNumber: '+74951112233', callerIdName: 'Иванова' });
      const stores = { settings: store.settings, routes: store.outboundRoutes };
      saveNumbering(stores, tenant.id, { cityCode: '495' });
      // Routes name trunks by their id in the trunks table; the emergency codes have no route (fallback).
      saveRoutes(stores, tenant.id, [{ id: 'russia', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunkId.a), String(trunkId.b)] }]);
      store.trunks.createDid(tenant.id, { number: '+74957654321', trunkId: trunkId.c, destination: { type: 'extension', extension: '204' } });
    } finally {
      store.close();
    }
  });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  closeNg = () => ng.close();
}, 120_000);

// A failed test must not leave its sipp peers on the trunks' ports for the next one.
const peers: Started[] = [];
const track = <T extends Started>(p: T): T => (peers.push(p), p);
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});

afterAll(async () => {
  closeNg?.();
  await pbx?.close();
});

/** sipp's media ports, and the trunks' SIP ports for the whole file, below 20000 (helpers/ports.ts says why). */
const mediaPort = () => freeLowUdpPorts(4);
const lowPorts = (n: number) => freeLowUdpPorts(n);

/** sipp as an operator on a fixed port (the trunk's), logging what it saw to a file. */
async function operator(scenario: string, on: number, o: { calls?: number; extra?: string[]; remote?: string } = {}): Promise<SippRun & { logFile: string }> {
  const tag = `${path.basename(scenario, '.xml')}-${on}-${Date.now()}`;
  const logFile = path.join(OUT, `${tag}-messages.log`);
  const args = [
    '-sf', path.join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(on), '-mi', '127.0.0.1', '-mp', String(await mediaPort()), '-t', 'u1', '-nostdin',
    '-m', String(o.calls ?? 1), '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`), '-trace_logs', '-log_file', logFile,
    ...(o.extra ?? []), ...(o.remote ? [o.remote] : []),
  ];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return Object.assign(p, { port: on, logFile });
}

const sawn = (op: { logFile: string }) => (existsSync(op.logFile) ? readFileSync(op.logFile, 'utf8') : '');
const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrs = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 });
const latestTo = (dialled: string) => cdrs().filter((c) => c.callee.dialled === dialled);

async function speechBothWays(callId: string): Promise<number[]> {
  let packets: number[] = [];
  await waitFor(
    async () => {
      packets = Object.values((await media.query(callId)).parties).map((p) => p.rtp.packets);
      return packets.length === 2 && packets.every((n) => n >= 67);
    },
    15_000,
    'speech relayed both ways',
  );
  return packets;
}

describe('outbound calls through a trunk', () => {
  it('(a) 201 dials 8 495 123-45-67: INVITE to trunk A with the trunk’s caller ID, speech both ways through rtpengine, outbound CDR', async () => {
    const op = await operator('trunk-answer.xml', port.a);
    const caller = track(await startCaller(pbx, uacScenario('trunk-out', { answer: true, play: true }), '201', '84951234567', { holdMs: 4000 }));
    await waitFor(() => latestTo('84951234567').some((c) => c.status === 'in-progress'), 20_000, 'call answered');
    const callId = latestTo('84951234567').find((c) => c.status === 'in-progress')!.callId;
    await speechBothWays(callId);
    await waitFor(async () => JSON.stringify((await pbx.health()).trunkChannels) === JSON.stringify({ [String(trunkId.a)]: 1 }), 5_000, 'one channel of trunk A in use');
    expect(await caller.exited).toBe(0);
    expect(await op.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({
      direction: 'outbound',
      caller: { dialled: '201', number: '201' },
      callee: { dialled: '84951234567', number: '+74951234567' },
      extension: '201',
      trunk: 'Оператор A',
      disposition: 'answered',
      hangupSide: 'caller',
      hangupSipStatus: 200,
    });
    expect(pbx.store.cdrs.get(callId)!.billableSeconds).toBeGreaterThanOrEqual(4);
    // What the operator received: the route's dial number on its host and port; the trunk's caller ID (201 has none of its own).
    const seen = sawn(op);
    expect(seen).toContain(`INVITE sip:74951234567@127.0.0.1:${port.a};transport=udp`);
    expect(seen).toMatch(/From:\s+<sip:\+74950000001@127\.0\.0\.1>;tag=/);
    expect(seen).toMatch(/P-Asserted-Identity:\s+<sip:\+74950000001@127\.0\.0\.1>/);
    await waitFor(async () => (await pbx.health()).activeCalls === 0 && Object.keys((await pbx.health()).trunkChannels as object).length === 0, 10_000, 'slot and channel freed');
  }, 90_000);

  it('(b) trunk A answers 503: the call fails over to trunk B, with 202’s own caller ID; the CDR names B', async () => {
    const a = await operator('trunk-unavailable.xml', port.a);
    const b = await operator('trunk-answer.xml', port.b);
    const caller = track(await startCaller(pbx, uacScenario('trunk-failover', { answer: true }), '202', '89161234567', { holdMs: 1000 }));
    expect(await caller.exited).toBe(0);
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    await waitFor(() => latestTo('89161234567')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('89161234567')[0]).toMatchObject({ direction: 'outbound', callee: { number: '+79161234567' }, extension: '202', trunk: 'Оператор B', disposition: 'answered' });
    expect(sawn(a)).toContain(`INVITE sip:79161234567@127.0.0.1:${port.a}`);
    expect(sawn(b)).toMatch(/From:\s+"Иванова" <sip:\+74951112233@127\.0\.0\.1>;tag=/);
    expect(sawn(b)).toMatch(/P-Asserted-Identity:\s+"Иванова" <sip:\+74951112233@127\.0\.0\.1>/);
  }, 90_000);

  it('a 486 from the trunk is the callee’s answer: back to the caller, no failover, CDR busy on trunk A', async () => {
    const a = await operator('trunk-busy.xml', port.a);
    const caller = track(await startCaller(pbx, uacScenario('trunk-busy', { fail: 486 }), '201', '84991112233'));
    expect(await caller.exited).toBe(0);
    expect(await a.exited).toBe(0);
    await waitFor(() => latestTo('84991112233')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('84991112233')[0]).toMatchObject({ disposition: 'busy', hangupSipStatus: 486, trunk: 'Оператор A', hangupSide: 'callee' });
  }, 60_000);

  it('(c) trunk A challenges with 401: the retried INVITE carries the account’s digest credentials (verified by sipp)', async () => {
    const a = await operator('trunk-challenge.xml', port.a, { extra: ['-key', 'trunk_user', ACCOUNT.user, '-key', 'trunk_pw', ACCOUNT.password] });
    const caller = track(await startCaller(pbx, uacScenario('trunk-auth', { answer: true }), '201', '84951230000', { holdMs: 500 }));
    expect(await caller.exited).toBe(0);
    // sipp's verifyauth recomputed the digest with the password: a wrong one would have failed its scenario.
    expect(await a.exited).toBe(0);
    expect(sawn(a)).toMatch(new RegExp(`AUTH\\s+Digest .*username="${ACCOUNT.user}"`));
    await waitFor(() => latestTo('84951230000')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('84951230000')[0]).toMatchObject({ disposition: 'answered', trunk: 'Оператор A' });
  }, 60_000);

  it('wrong credentials are refused by the operator (sipp’s verifyauth is a real check): the caller gets its 403', async () => {
    const a = await operator('trunk-challenge.xml', port.a, { extra: ['-key', 'trunk_user', ACCOUNT.user, '-key', 'trunk_pw', 'not-the-password'] });
    const caller = track(await startCaller(pbx, uacScenario('trunk-wrong-auth', { fail: 403 }), '201', '84951118888'));
    expect(await caller.exited).toBe(0);
    expect(await a.exited).not.toBe(0);
    await waitFor(() => latestTo('84951118888')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('84951118888')[0]).toMatchObject({ disposition: 'failed', hangupSipStatus: 403, trunk: 'Оператор A' });
  }, 60_000);

  it('(d) channel limit 1 per trunk: the second concurrent call goes to trunk B, the third is refused 503 (Q.850 34)', async () => {
    const a = await operator('trunk-answer.xml', port.a);
    const b = await operator('trunk-answer.xml', port.b);
    const first = track(await startCaller(pbx, uacScenario('limit-1', { answer: true }), '201', '84951110001', { holdMs: 8000 }));
    await waitFor(() => latestTo('84951110001')[0]?.status === 'in-progress', 15_000, 'first call up on A');
    const second = track(await startCaller(pbx, uacScenario('limit-2', { answer: true }), '202', '84951110002', { holdMs: 6000 }));
    await waitFor(() => latestTo('84951110002')[0]?.status === 'in-progress', 15_000, 'second call up on B');
    const third = track(await startCaller(pbx, uacScenario('limit-3', { fail: 503 }), '201', '84951110003'));
    expect(await third.exited).toBe(0);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    await waitFor(() => ['84951110001', '84951110002', '84951110003'].every((n) => latestTo(n)[0]?.status === 'completed'), 10_000, 'CDRs completed');
    expect(latestTo('84951110001')[0]).toMatchObject({ trunk: 'Оператор A', disposition: 'answered' });
    expect(latestTo('84951110002')[0]).toMatchObject({ trunk: 'Оператор B', disposition: 'answered' });
    expect(latestTo('84951110003')[0]).toMatchObject({ disposition: 'failed', hangupSipStatus: 503, hangupReason: 'trunk-channels-busy', hangupSide: 'system' });
    await waitFor(async () => Object.keys((await pbx.health()).trunkChannels as object).length === 0, 10_000, 'every channel freed');
  }, 90_000);

  it('emergency 112 gets out from an internal-only extension (no route names it: every trunk is tried); a national number does not', async () => {
    const a = await operator('trunk-answer.xml', port.a);
    const caller = track(await startCaller(pbx, uacScenario('trunk-112', { answer: true }), '203', '112', { holdMs: 500 }));
    expect(await caller.exited).toBe(0);
    expect(await a.exited).toBe(0);
    expect(sawn(a)).toContain(`INVITE sip:112@127.0.0.1:${port.a}`);
    const refused = track(await startCaller(pbx, uacScenario('trunk-403', { fail: 403 }), '203', '84951234567'));
    expect(await refused.exited).toBe(0);
    await waitFor(() => latestTo('112')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('112')[0]).toMatchObject({ direction: 'outbound', callee: { number: '112' }, extension: '203', trunk: 'Оператор A', disposition: 'answered' });
  }, 60_000);
  it('an extension forwarded to a mobile number: the call goes out through trunk A with the forward in the CDR', async () => {
    const t = tenantId();
    const e203 = pbx.store.extensions.get(t, '203')!;
    // The forwarding extension's own permission applies to its forward (it pays).
    pbx.store.extensions.update(t, '203', { outboundPermission: 'national' });
    pbx.store.extensionFeatures.set(e203.id, { ...defaultFeatures(), forward: { always: '89161234567', busy: null, noAnswer: null, noAnswerSeconds: 20, unreachable: null } });
    try {
      const a = await operator('trunk-answer.xml', port.a);
      const caller = track(await startCaller(pbx, uacScenario('trunk-forward', { answer: true }), '201', '203', { holdMs: 500 }));
      expect(await caller.exited).toBe(0);
      expect(await a.exited).toBe(0);
      expect(sawn(a)).toContain(`INVITE sip:79161234567@127.0.0.1:${port.a}`);
      await waitFor(() => latestTo('203')[0]?.status === 'completed', 10_000, 'CDR completed');
      const cdr = latestTo('203')[0]!;
      expect(cdr).toMatchObject({ direction: 'outbound', callee: { dialled: '203', number: '+79161234567' }, trunk: 'Оператор A', disposition: 'answered' });
      expect(cdr.forwards).toEqual([expect.objectContaining({ from: '203', to: '+79161234567', reason: 'always' })]);
    } finally {
      pbx.store.extensionFeatures.set(e203.id, defaultFeatures());
      pbx.store.extensions.update(t, '203', { outboundPermission: 'internal' });
    }
  }, 60_000);

  // Last of the outbound tests: the abandoned INVITE is retransmitted to trunk A's port until Timer B (32 s).
  it('a trunk that does not answer at all is left after trunkFailoverSeconds (2 s): trunk B takes the call', async () => {
    const a = await operator('trunk-silent.xml', port.a);
    const b = await operator('trunk-answer.xml', port.b);
    const started = Date.now();
    const caller = track(await startCaller(pbx, uacScenario('trunk-timeout', { answer: true }), '201', '84951119999', { holdMs: 500 }));
    expect(await caller.exited).toBe(0);
    expect(await b.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(sawn(a)).toContain(`INVITE sip:74951119999@127.0.0.1:${port.a}`);
    await waitFor(() => latestTo('84951119999')[0]?.status === 'completed', 10_000, 'CDR completed');
    expect(latestTo('84951119999')[0]).toMatchObject({ disposition: 'answered', trunk: 'Оператор B' });
    await a.stop('SIGTERM', 2000);
    // The abandoned attempt holds no channel of trunk A.
    await waitFor(async () => Object.keys((await pbx.health()).trunkChannels as object).length === 0, 10_000, 'no channel held');
  }, 60_000);
});

describe('inbound calls from a trunk', () => {
  let phone: SippRun;

  it('(e) the operator’s INVITE to DID 8 495 765-43-21 from trunk C’s address rings extension 204: speech both ways, inbound CDR', async () => {
    phone = track(await startCallee(uasScenario('answer-play')));
    await registerPhone(pbx, '204', phone.port);
    const op = await operator('trunk-inbound.xml', port.c, { extra: ['-s', '84957654321', '-key', 'caller', '89161234567', '-d', '4000'], remote: `127.0.0.1:${pbx.app.ports.sip}` });
    await waitFor(() => latestTo('84957654321').some((c) => c.status === 'in-progress'), 20_000, 'inbound call answered');
    const callId = latestTo('84957654321').find((c) => c.status === 'in-progress')!.callId;
    await speechBothWays(callId);
    await waitFor(async () => JSON.stringify((await pbx.health()).trunkChannels) === JSON.stringify({ [String(trunkId.c)]: 1 }), 5_000, 'one channel of trunk C in use');
    expect(await op.exited).toBe(0);
    expect(await phone.exited).toBe(0);
    await waitFor(() => pbx.store.cdrs.get(callId)?.status === 'completed', 10_000, 'CDR completed');
    expect(pbx.store.cdrs.get(callId)).toMatchObject({
      direction: 'inbound',
      caller: { dialled: '89161234567', number: '+79161234567' },
      callee: { dialled: '84957654321', number: '+74957654321' },
      extension: '204',
      trunk: 'Входящий C',
      disposition: 'answered',
      hangupSide: 'caller',
    });
  }, 90_000);

  it('trunk C at its channel limit (1): a second inbound call is refused 503 with Q.850 cause 34', async () => {
    phone = track(await startCallee(uasScenario('answer')));
    await registerPhone(pbx, '204', phone.port);
    const first = await operator('trunk-inbound.xml', port.c, { extra: ['-s', '+74957654321', '-key', 'caller', '89161230001', '-d', '5000'], remote: `127.0.0.1:${pbx.app.ports.sip}` });
    await waitFor(() => latestTo('+74957654321').some((c) => c.status === 'in-progress'), 20_000, 'first inbound call answered');
    // From another port of the operator's address: still its call, since it names a DID.
    const second = await operator('trunk-inbound-refused.xml', await freePort(), { extra: ['-s', '74957654321', '-key', 'caller', '89161230002'], remote: `127.0.0.1:${pbx.app.ports.sip}` });
    expect(await second.exited).toBe(0);
    expect(sawn(second)).toMatch(/FINAL 503\s+Q\.850;cause=34/);
    expect(await first.exited).toBe(0);
    expect(await phone.exited).toBe(0);
    await waitFor(() => latestTo('74957654321')[0]?.status === 'completed', 10_000, 'refusal CDR');
    expect(latestTo('74957654321')[0]).toMatchObject({ direction: 'inbound', trunk: 'Входящий C', hangupSipStatus: 503, hangupReason: 'trunk-channels-busy' });
  }, 90_000);

  it('an unknown DID from the trunk is answered 404 (no challenge), with a CDR naming the trunk', async () => {
    const op = await operator('trunk-inbound-refused.xml', port.c, { extra: ['-s', '84950000000', '-key', 'caller', '89161234567'], remote: `127.0.0.1:${pbx.app.ports.sip}` });
    expect(await op.exited).toBe(0);
    expect(sawn(op)).toContain('FINAL 404');
    await waitFor(() => latestTo('84950000000')[0]?.status === 'completed', 10_000, 'CDR written');
    expect(latestTo('84950000000')[0]).toMatchObject({ direction: 'inbound', trunk: 'Входящий C', hangupSipStatus: 404, hangupReason: 'did-not-found', disposition: 'failed' });
  }, 60_000);
});
