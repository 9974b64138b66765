// Korobka issue 4, trunks: the running appliance registers to an operator
// (sipp as its registrar) with digest auth, refreshes before the GRANTED
// expiry runs out and un-registers when the trunk is disabled; a registrar
// answering 403 raises trunk-registration-failed, visible in GET /api/alarms;
// OPTIONS keepalive sees a trunk reachable, down (and alarmed) once its
// operator stops answering, and up again (alarm cleared) when it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { hashPassword } from '../../../services/api/password';
import { SecretBox, TRUNK_PASSWORD } from '../../../services/common/secret-box';
import { loadMasterKey } from '../../../services/recordings';
import type { TrunkFields } from '../../../services/store';
import type { TrunkStatus } from '../../../services/call-control/trunks/trunk-status';
import { freePort, freeTcpPort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import type { Appliance } from '../appliance/appliance';
import { startPbx, waitFor, type Pbx } from './pbx';

const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const ADMIN = { username: 'trunk-admin', password: 'trunk-admin-password-1' };

let pbx: Pbx;
let registrar: Started;
let refuser: Started;
let optionsPeer: Started;
let tcpRegistrar: Started;
const ports = { registrar: 0, refuser: 0, options: 0, tcp: 0 };
const ids = { operator: 0, refused: 0, keepalive: 0, tcp: 0 };

/** sipp as the operator's side, a UAS on 127.0.0.1:port. */
function operator(scenario: string, port: number, calls: number, tag: string, transport: 'u1' | 't1' = 'u1'): Started {
  const dir = testOutputDir('call-control', 'trunks');
  return startProcess(
    'sipp',
    ['-sf', path.join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-t', transport, '-m', String(calls), '-nostdin', '-trace_err', '-error_file', path.join(dir, `${tag}-${port}-errors.log`)],
    { logFile: path.join(dir, `${tag}-${port}.log`), timeoutMs: 150_000 },
  );
}

const fields = (over: Partial<TrunkFields> & Pick<TrunkFields, 'name' | 'kind'>): TrunkFields => ({
  host: '127.0.0.1',
  port: 5060,
  transport: 'udp',
  username: null,
  registerExpiry: 60,
  addresses: [],
  optionsInterval: 0,
  channelLimit: 0,
  outboundCallerId: '',
  enabled: true,
  ...over,
});

async function addTrunks(app: Appliance, store: Pbx['store']): Promise<void> {
  const tenantId = store.tenants.defaultTenant()!.id;
  const box = new SecretBox(loadMasterKey({ dataDir: app.dataDir }).key, TRUNK_PASSWORD.purpose);
  const seal = (pw: string) => box.seal(pw, TRUNK_PASSWORD.aad(tenantId));
  ids.operator = store.trunks.create(tenantId, fields({ name: 'Operator', kind: 'register', port: ports.registrar, username: 'trunk1' }), seal('op-secret-1')).id;
  ids.refused = store.trunks.create(tenantId, fields({ name: 'Refused', kind: 'register', port: ports.refuser, username: 'trunk1' }), seal('not-the-password')).id;
  ids.tcp = store.trunks.create(tenantId, fields({ name: 'OperatorTcp', kind: 'register', port: ports.tcp, transport: 'tcp', username: 'trunk1' }), seal('op-secret-1')).id;
  ids.keepalive = store.trunks.create(tenantId, fields({ name: 'Keepalive', kind: 'ip', port: ports.options, addresses: ['127.0.0.1'], optionsInterval: 10 }), null).id;
  store.users.create({ tenantId: null, username: ADMIN.username, role: 'superadmin', passwordHash: await hashPassword(ADMIN.password), mustChangePassword: false });
}

function request(method: string, url: string, opts: { body?: unknown; cookie?: string } = {}) {
  const ca = readFileSync(path.join(pbx.app.dataDir, 'tls', 'ca.crt'));
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the api
    const req = https.request(
      { host: '127.0.0.1', port: pbx.app.ports.api, method, path: url, ca, servername: 'localhost', headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) } },
      (res) => {
        let s = '';
        res.on('data', (d: Buffer) => (s += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: s ? JSON.parse(s) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let cookie = '';
async function apiGet(url: string) {
  if (!cookie) {
    const login = await request('POST', '/api/auth/login', { body: ADMIN });
    expect(login.status).toBe(200);
    cookie = String((login.headers['set-cookie'] as string[])[0]).split(';')[0]!;
  }
  return request('GET', url, { cookie });
}

async function trunkStatus(id: number): Promise<TrunkStatus | undefined> {
  const h = await pbx.health().catch(() => undefined);
  return (h?.trunks as TrunkStatus[] | undefined)?.find((t) => t.id === id);
}

const activeAlarms = async (code: string) => ((await apiGet('/api/alarms?active=true')).body.alarms as { code: string; message: string; details: unknown }[]).filter((a) => a.code === code);

beforeAll(async () => {
  ports.registrar = await freePort();
  ports.refuser = await freePort();
  ports.options = await freePort();
  ports.tcp = await freeTcpPort();
  tcpRegistrar = operator('trunk-reg-registrar.xml', ports.tcp, 1, 'registrar-tcp', 't1');
  registrar = operator('trunk-reg-registrar.xml', ports.registrar, 1, 'registrar');
  refuser = operator('trunk-reg-registrar.xml', ports.refuser, 1, 'refuser');
  optionsPeer = operator('trunk-options-answer.xml', ports.options, 1000, 'options');
  pbx = await startPbx('trunk-signalling', [], {}, addTrunks);
}, 120_000);

afterAll(async () => {
  await Promise.all([registrar, refuser, optionsPeer, tcpRegistrar].map((p) => p?.stop('SIGKILL')));
  await pbx?.close();
});

describe('registering trunk (RFC 3261 §10.2) against sipp as the operator', () => {
  it('registers with digest, refreshes before the granted 3 s run out, and un-registers when disabled', async () => {
    // Granted 60 s only comes with the refresh's 200: seeing it proves the refresh came in time (the scenario's recv timeout is the 3 s grant).
    await waitFor(async () => {
      const s = await trunkStatus(ids.operator);
      return s?.registration === 'registered' && s.registeredUntil !== null && Date.parse(s.registeredUntil) > Date.now() + 30_000;
    }, 30_000, 'trunk registered and refreshed');
    expect(await trunkStatus(ids.operator)).toMatchObject({ registration: 'registered', usable: true });

    const t = pbx.store.trunks.get(ids.operator)!;
    pbx.store.trunks.update(t.id, { ...t, enabled: false }, undefined, new Date(Date.now() + 1000));
    // The scenario ends only after an un-REGISTER with Expires: 0 (check_it), so sipp's exit code 0 is the proof.
    const code = await Promise.race([registrar.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code, registrar.output()).toBe(0);
    // A disabled trunk leaves the directory, and so the status list.
    await waitFor(async () => (await trunkStatus(ids.operator)) === undefined, 15_000, 'disabled trunk not registering');
  }, 90_000);

  it('registers over TCP too (Contact with transport=tcp, the TCP listener of sip-core), refresh included', async () => {
    await waitFor(async () => {
      const st = await trunkStatus(ids.tcp);
      return st?.registration === 'registered' && st.registeredUntil !== null && Date.parse(st.registeredUntil) > Date.now() + 30_000;
    }, 30_000, 'TCP trunk registered and refreshed');
    expect(tcpRegistrar.output()).not.toMatch(/Aborting|unexpected/i);
  }, 60_000);

  it('a registrar refusing the credentials (403): trunk failed, alarm trunk-registration-failed in GET /api/alarms', async () => {
    await waitFor(async () => (await trunkStatus(ids.refused))?.registration === 'failed', 30_000, 'refused trunk failed');
    expect(await trunkStatus(ids.refused)).toMatchObject({ lastError: '403 Forbidden', usable: false });
    const alarms = await activeAlarms('trunk-registration-failed');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.message).toBe('trunk registration failed: Refused (403 Forbidden)');
    // The trunks list carries the same status for the admin UI.
    const listed = ((await apiGet('/api/trunks')).body.trunks as { id: number; status: unknown }[]).find((t) => t.id === ids.refused);
    expect(listed?.status).toMatchObject({ registration: 'failed', lastError: '403 Forbidden', usable: false });
    expect(await refuser.exited).toBe(0);
  }, 60_000);
});

describe('OPTIONS keepalive (RFC 3261 §11) against sipp', () => {
  it('reachable while answered; down with an alarm after two misses; up again and cleared when the operator is back', async () => {
    await waitFor(async () => (await trunkStatus(ids.keepalive))?.reachability === 'reachable', 30_000, 'trunk reachable');
    await optionsPeer.stop('SIGKILL');
    await waitFor(async () => (await trunkStatus(ids.keepalive))?.reachability === 'down', 45_000, 'trunk down');
    expect(await trunkStatus(ids.keepalive)).toMatchObject({ usable: false, lastError: 'no answer to OPTIONS' });
    const alarms = await activeAlarms('trunk-unreachable');
    expect(alarms.map((a) => a.message)).toEqual(['trunk unreachable (no answer to OPTIONS): Keepalive (no answer to OPTIONS)']);

    optionsPeer = operator('trunk-options-answer.xml', ports.options, 1000, 'options-again');
    await waitFor(async () => (await trunkStatus(ids.keepalive))?.reachability === 'reachable', 30_000, 'trunk reachable again');
    expect(await trunkStatus(ids.keepalive)).toMatchObject({ usable: true });
    await waitFor(async () => (await activeAlarms('trunk-unreachable')).length === 0, 10_000, 'alarm cleared');
  }, 120_000);
});

describe('OPTIONS to the PBX (RFC 3261 §11.2)', () => {
  it('answers an operator\'s OPTIONS with 200 and Allow', async () => {
    const dir = testOutputDir('call-control', 'trunks');
    const port = await freePort();
    const ping = startProcess(
      'sipp',
      ['-sf', path.join(SCENARIOS, 'trunk-options-ping.xml'), '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', '-nostdin', '-timeout', '20s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `ping-${port}-errors.log`), `127.0.0.1:${pbx.app.ports.sip}`],
      { logFile: path.join(dir, `ping-${port}.log`), timeoutMs: 30_000 },
    );
    expect(await ping.exited, ping.output()).toBe(0);
  }, 40_000);
});

describe('call-control stopping cleanly (RFC 3261 §10.2.2)', () => {
  it('takes its binding off the registrar with Expires: 0 before it exits', async () => {
    // The TCP registrar's scenario ends only with the un-REGISTER (check_it on Expires: 0).
    expect((await trunkStatus(ids.tcp))?.registration).toBe('registered');
    process.kill(await pbx.callControlPid(), 'SIGTERM');
    const code = await Promise.race([tcpRegistrar.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code, tcpRegistrar.output()).toBe(0);
  }, 40_000);
});
