// Issue 16 item 5 as the attack test ran it, against the real appliance
// (supervisor, api, sip-core, call-control, rtpengine): tenant B's admin tries
// to take tenant A's inbound calls by adding an IP trunk on A's operator
// address and A's DID spelled 8… instead of +7…; the operator (sipp bound to
// its own loopback address, 127.0.5.1, so the source address is what
// call-control judges by) then sends the INVITE. A's extension must ring,
// never B's. Then the shared source a superadmin did approve: a number both
// tenants would read as theirs (a local 7-digit spelling under two area codes)
// is refused, not given to whichever trunk sorts first.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/api/password';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { saveNumbering } from '../../../services/dialplan/dial-plan-store';
import { openStore } from '../../helpers/pd-open-store';
import { Client } from '../../api/harness';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';

const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const OUT = testOutputDir('call-control', 'tenant-isolation');
const OPERATOR = '127.0.5.1';
const PASSWORD = 'a long passphrase for tests 1';
let pbx: Pbx;
let opPort = 0;
let tenantB = 0;
let adminB: Client;
let root: Client;

beforeAll(async () => {
  opPort = await freeLowUdpPorts(1);
  pbx = await startPbx('tenant-isolation', ['204'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const a = store.tenants.defaultTenant()!;
      const b = store.tenants.create({ name: 'Соседи', sipDomain: 'b.korobka.test' });
      tenantB = b.id;
      store.extensions.create({ tenantId: b.id, extension: '204', ha1: computeHa1Set('204', b.sipDomain, 'pw-b-204') });
      const stores = { settings: store.settings, routes: store.outboundRoutes };
      saveNumbering(stores, a.id, { cityCode: '495' });
      saveNumbering(stores, b.id, { cityCode: '499' });
      // A's operator: an IP trunk on its address (requests to it would go to port 5060; calls come from any port of it).
      const trunk = store.trunks.create(a.id, { name: 'МТС', kind: 'ip', host: OPERATOR, port: 5060, transport: 'udp', username: null, registerExpiry: 300, addresses: [OPERATOR], optionsInterval: 0, channelLimit: 0, outboundCallerId: '', enabled: true }, null);
      store.trunks.createDid(a.id, { number: '+74957654321', trunkId: trunk.id, destination: { type: 'extension', extension: '204' } });
      const hash = await hashPassword(PASSWORD);
      store.users.create({ tenantId: b.id, username: 'admin-b', role: 'tenant-admin', passwordHash: hash });
      store.users.create({ tenantId: null, username: 'root-2', role: 'superadmin', passwordHash: hash });
    } finally {
      store.close();
    }
  });
  const ca = readFileSync(path.join(pbx.app.dataDir, 'tls', 'ca.crt'));
  adminB = new Client(pbx.app.ports.api, ca);
  root = new Client(pbx.app.ports.api, ca);
  for (const [c, name] of [[adminB, 'admin-b'], [root, 'root-2']] as const) {
    const r = await c.login(name, PASSWORD);
    if (r.status !== 200) throw new Error(`login ${name}: ${JSON.stringify(r.body)}`);
  }
}, 120_000);

const peers: Started[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});
afterAll(async () => {
  await pbx?.close();
});

/** sipp as the operator, sending from its own address and port. */
async function operator(scenario: string, dialled: string, caller: string): Promise<Started & { logFile: string }> {
  const tag = `${path.basename(scenario, '.xml')}-${dialled}-${Date.now()}`;
  const logFile = path.join(OUT, `${tag}-messages.log`);
  const args = [
    '-sf', path.join(SCENARIOS, scenario), '-i', OPERATOR, '-p', String(opPort), '-mi', OPERATOR, '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin',
    '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`), '-trace_logs', '-log_file', logFile,
    '-s', dialled, '-key', 'caller', caller, '-d', '2000', `127.0.0.1:${pbx.app.ports.sip}`,
  ];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return Object.assign(p, { logFile });
}
const sawn = (op: { logFile: string }) => (existsSync(op.logFile) ? readFileSync(op.logFile, 'utf8') : '');
const cdrsOf = (tenantId: number) => pbx.store.cdrs.list({ tenantId, limit: 500 });
const tenantA = () => pbx.store.tenants.defaultTenant()!.id;

describe('tenant isolation in SIP (issue 16 item 5)', () => {
  it('B’s admin cannot put a trunk on A’s operator address nor take A’s DID spelled 8…: the operator’s INVITE rings A’s 204', async () => {
    const trunk = await adminB.request('POST', '/api/trunks', { name: 'Перехват', kind: 'ip', addresses: [OPERATOR], port: opPort });
    expect(trunk).toMatchObject({ status: 409, body: { code: 'trunk-source-shared', details: { sources: [OPERATOR] } } });
    for (const number of ['84957654321', '74957654321', '4957654321']) {
      const did = await adminB.request('POST', '/api/dids', { number, destination: { type: 'extension', extension: '204' } });
      expect(did, number).toMatchObject({ status: 409, body: { code: 'did-held-by-another-tenant' } });
    }
    expect(pbx.store.trunks.list(tenantB)).toEqual([]);
    expect(pbx.store.trunks.listDids(tenantB)).toEqual([]);

    const phoneA = await startCallee(uasScenario('answer'));
    peers.push(phoneA);
    await registerPhone(pbx, '204', phoneA.port);
    const op = await operator('trunk-inbound.xml', '84957654321', '89161234567');
    expect(await op.exited).toBe(0);
    expect(await phoneA.exited).toBe(0);
    await waitFor(() => cdrsOf(tenantA()).some((c) => c.callee.dialled === '84957654321' && c.status === 'completed'), 10_000, 'A’s CDR');
    expect(cdrsOf(tenantA()).find((c) => c.callee.dialled === '84957654321')).toMatchObject({ direction: 'inbound', extension: '204', trunk: 'МТС', disposition: 'answered' });
    expect(cdrsOf(tenantB).filter((c) => c.callee.dialled === '84957654321')).toEqual([]);
  }, 120_000);

  it('a source a superadmin let two tenants share routes only on a number exactly one of them holds', async () => {
    // The superadmin approves B's trunk on the same operator, even on the exact port the operator sends from (it sorts first).
    const shared = await root.request('POST', '/api/trunks', { name: 'МТС общий', kind: 'ip', addresses: [OPERATOR], port: opPort, tenantId: tenantB });
    expect(shared.status).toBe(201);
    expect((await adminB.request('POST', '/api/dids', { number: '84997654321', trunkId: shared.body.trunk.id, destination: { type: 'extension', extension: '204' } })).status).toBe(201);
    // call-control has read the new trunk once its health reports it.
    const id = shared.body.trunk.id as number;
    await waitFor(async () => (((await pbx.health()).trunks ?? []) as Array<{ id: number }>).some((t) => t.id === id), 15_000, 'call-control knows B’s trunk');
    // 7654321 is A's +74957654321 by A's plan (495) and B's +74997654321 by B's (499): nobody's.
    const refused = await operator('trunk-inbound-refused.xml', '7654321', '89161234568');
    expect(await refused.exited).toBe(0);
    expect(sawn(refused)).toContain('FINAL 404');
    const all = () => [...cdrsOf(tenantA()), ...cdrsOf(tenantB)].filter((c) => c.callee.dialled === '7654321');
    await waitFor(() => all()[0]?.status === 'completed', 10_000, 'refusal CDR');
    expect(all()).toHaveLength(1);
    expect(all()[0]).toMatchObject({ hangupSipStatus: 404, hangupReason: 'did-ambiguous', disposition: 'failed' });
    expect(all()[0]!.extension ?? '').toBe('');
    // A's number in full is still A's, even though B's trunk is the better match for the source port.
    const phoneA = await startCallee(uasScenario('answer'));
    peers.push(phoneA);
    await registerPhone(pbx, '204', phoneA.port);
    const op = await operator('trunk-inbound.xml', '+74957654321', '89161234569');
    expect(await op.exited).toBe(0);
    expect(await phoneA.exited).toBe(0);
    await waitFor(() => cdrsOf(tenantA()).some((c) => c.callee.dialled === '+74957654321' && c.status === 'completed'), 10_000, 'A’s CDR');
    expect(cdrsOf(tenantA()).find((c) => c.callee.dialled === '+74957654321')).toMatchObject({ extension: '204', disposition: 'answered' });
  }, 120_000);
});
