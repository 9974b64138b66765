// A DID to a call flow on the real appliance (supervisor, sip-core,
// call-control, rtpengine; the flow stored as the api stores it): the
// operator's INVITE to the DID runs features/ — a ring group hunting its
// members, the first busy, the second answering —
// and a DID to the tenant's main destination when there is none is refused
// with its CDR reason.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ringGroupSchema } from '../../../services/call-flows';
import { openStore } from '../../helpers/pd-open-store';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';

const SCENARIOS = path.resolve('test/integration/call-control/scenarios');
const OUT = testOutputDir('call-control', 'did-call-flow');
let pbx: Pbx;
let operatorPort = 0;
const peers: Started[] = [];

beforeAll(async () => {
  operatorPort = await freeLowUdpPorts(1);
  pbx = await startPbx('did-call-flow', ['202', '203'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(tenant.id, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: operatorPort, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 4, outboundCallerId: '', enabled: true }, null);
      const group = store.callFlows.create('ring-group', tenant.id, ringGroupSchema.parse({ name: 'Продажи', strategy: 'hunt', members: [{ extension: '202', timeout: 10 }, { extension: '203', timeout: 10 }], timeout: 30 }));
      store.trunks.createDid(tenant.id, { number: '+74957654321', trunkId: trunk.id, destination: { type: 'feature', feature: 'ring-group', id: group.id } });
      store.trunks.createDid(tenant.id, { number: '+74957654322', trunkId: trunk.id, destination: null });
    } finally {
      store.close();
    }
  });
}, 120_000);

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});

afterAll(async () => {
  await pbx?.close();
});

async function operator(scenario: string, dialled: string, holdMs: number): Promise<Started> {
  const tag = `${path.basename(scenario, '.xml')}-${Date.now()}`;
  const args = ['-sf', path.join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(operatorPort), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts(4)), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, `${tag}-errors.log`), '-s', dialled, '-key', 'caller', '89161234567', '-d', String(holdMs), `127.0.0.1:${pbx.app.ports.sip}`];
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 90_000 });
  peers.push(p);
  return p;
}

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (dialled: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).filter((c) => c.callee.dialled === dialled);

describe('a DID to a call flow', () => {
  it('rings the ring group (hunt): 202 busy, 203 answers and talks 8 s, inbound CDR answered with the time billed', async () => {
    const busy = await startCallee(uasScenario('busy'));
    const answers = await startCallee(uasScenario('answer-play'));
    peers.push(busy, answers);
    await registerPhone(pbx, '202', busy.port);
    await registerPhone(pbx, '203', answers.port);
    const op = await operator('trunk-inbound.xml', '84957654321', 8000);
    expect(await op.exited).toBe(0);
    expect(await busy.exited).toBe(0);
    expect(await answers.exited).toBe(0);
    await waitFor(() => cdrsTo('84957654321').some((c) => c.status === 'completed'), 10_000, 'CDR completed');
    const cdr = cdrsTo('84957654321')[0]!;
    expect(cdr.billableSeconds).toBeGreaterThanOrEqual(7);
    expect(cdr).toMatchObject({ direction: 'inbound', callee: { dialled: '84957654321', number: '+74957654321' }, trunk: 'Оператор', disposition: 'answered', hangupSide: 'caller' });
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 10_000, 'slot freed');
  }, 120_000);

  it('a DID to the main destination, none set: refused 404 no-main-destination, no slot taken', async () => {
    const op = await operator('trunk-inbound-refused.xml', '84957654322', 0);
    await op.exited;
    await waitFor(() => cdrsTo('84957654322').some((c) => c.status === 'completed'), 10_000, 'CDR completed');
    expect(cdrsTo('84957654322')[0]).toMatchObject({ direction: 'inbound', disposition: 'failed', hangupSipStatus: 404, hangupReason: 'no-main-destination' });
  }, 60_000);
});
