// A call queue end to end on the real appliance (supervisor, sip-core,
// call-control, rtpengine; the queue stored as the api stores it): an
// operator's DID goes to a queue of two static agents, 202 and 203 (sipp
// phones answering), strategy linear, wrap-up 3 s. Three callers arrive:
// the first two are answered by 202 and 203 at once; the third waits,
// hears "your position in the queue is 1" (espeak-ng, played by rtpengine:
// the announcement is counted on its queue_calls row and logged) over the
// music on hold, and is answered by 202 only after 202's first call ended
// and its wrap-up passed. A fourth caller hangs up while waiting: its row
// says abandoned with the time it waited, its CDR is complete and its
// licence slot freed. The service-level counters (what /api/queues/:id/live
// serves) count 3 answered, 2 within 5 s, 1 abandoned.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queueSchema } from '../../../services/call-flows';
import { PromptLibrary } from '../../../services/prompts';
import { openStore } from '../../helpers/pd-open-store';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { uasScenario } from './call-scenarios';
import { ivrCallerArgs, ivrCallerScenario } from './ivr-caller';
import { wavTone } from './rtp-endpoint';
import { registerPhone, startCallee, startPbx, waitFor, type Pbx } from './pbx';

const NAME = 'queue';
const OUT = testOutputDir('call-control', NAME);
const APP_LOG = path.join(testOutputDir('appliance'), `${NAME}.log`);
const DID = '+74957654332';
const DIALLED = '84957654332';
let pbx: Pbx;
let queueId = 0;
const peers: Started[] = [];

beforeAll(async () => {
  pbx = await startPbx(NAME, ['202', '203'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const trunk = store.trunks.create(
        tenant.id,
        {
          name: 'Оператор',
          kind: 'ip',
          host: '127.0.0.1',
          port: 5999,
          transport: 'udp',
          username: null,
          registerExpiry: 300,
          addresses: ['127.0.0.1'],
          optionsInterval: 0,
          channelLimit: 8,
          outboundCallerId: '',
          enabled: true,
        },
        null,
      );
      const music = await new PromptLibrary(store, app.dataDir).upload({
        tenantId: tenant.id,
        name: 'Музыка',
        language: 'ru',
        createdBy: null,
        kind: 'upload',
        data: wavTone(3, 440),
      });
      queueId = store.callFlows.create(
        'queue',
        tenant.id,
        queueSchema.parse({
          name: 'Поддержка',
          strategy: 'linear',
          members: [{ extension: '202' }, { extension: '203' }],
          ringTimeout: 10,
          wrapUp: 3,
          announceEvery: 3,
          serviceLevel: 5,
          music: music.id,
        }),
      ).id;
      store.trunks.createDid(tenant.id, {
        number: DID,
        trunkId: trunk.id,
        destination: { type: 'feature', feature: 'queue', id: queueId },
      });
    } finally {
      store.close();
    }
  });
}, 180_000);

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
});

afterAll(async () => {
  await pbx?.close();
});

/** An operator's caller: answered by the queue, then joined to an agent (re-INVITE) and talking `holdMs`; or hanging up `holdMs` after the answer. */
async function caller(tag: string, then: 'agent' | 'abandon', holdMs: number, number: string): Promise<Started> {
  const ivr = ivrCallerScenario(OUT, tag, '', 'connect');
  // No keys to press, so no pause after the answer: an agent may be joined at once (sipp aborts on a message while pausing).
  let xml = readFileSync(ivr, 'utf8').replace('<pause milliseconds="1500"/>', '');
  // Abandoning: no agent, the caller's own BYE after its pause.
  if (then === 'abandon') xml = xml.replace(/<recv request="INVITE"[\s\S]*?(?=<pause\/>)/, '');
  const scenario = ivr.replace(/\.xml$/, `-${then}.xml`);
  writeFileSync(scenario, xml);
  const port = await freeLowUdpPorts(1);
  const args = await ivrCallerArgs({ scenario, port, out: OUT, tag, timeoutS: 80, dialled: DIALLED, caller: number, holdMs, pbx: `127.0.0.1:${pbx.app.ports.sip}` });
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 100_000 });
  peers.push(p);
  return p;
}

const queueCalls = () =>
  pbx.store.db.prepare('SELECT * FROM queue_calls WHERE queue_id = ? ORDER BY id').all(queueId) as Array<{
    cdr_id: string;
    caller: string;
    outcome: string;
    agent: string | null;
    entered_at: number;
    answered_at: number | null;
    ended_at: number | null;
    announced: number;
  }>;

function logLines(msg: string): Array<Record<string, unknown>> {
  return readFileSync(APP_LOG, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"${msg}"`))
    .flatMap((l) => {
      try {
        return [JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

describe('queue with two agents and three callers', () => {
  it('the third caller waits, hears its position, and is answered after wrap-up; an abandoned caller is counted', async () => {
    const a202 = await startCallee(uasScenario('answer'), 2);
    const a203 = await startCallee(uasScenario('answer'), 1);
    peers.push(a202, a203);
    await registerPhone(pbx, '202', a202.port);
    await registerPhone(pbx, '203', a203.port);
    const byCaller = (n: string) => queueCalls().find((r) => r.caller.endsWith(n));

    const c1 = await caller('c1', 'agent', 6000, '89160000001');
    await waitFor(() => byCaller('0000001')?.outcome === 'answered', 20_000, 'caller 1 answered');
    const c2 = await caller('c2', 'agent', 25000, '89160000002');
    await waitFor(() => byCaller('0000002')?.outcome === 'answered', 20_000, 'caller 2 answered');
    const c3 = await caller('c3', 'agent', 2000, '89160000003');
    await waitFor(() => byCaller('0000003') !== undefined, 20_000, 'caller 3 queued');
    const c4 = await caller('c4', 'abandon', 4000, '89160000004');
    expect(await c1.exited).toBe(0);
    expect(await c3.exited).toBe(0);
    expect(await c4.exited).toBe(0);
    expect(await c2.exited).toBe(0);
    expect(await a202.exited).toBe(0);
    expect(await a203.exited).toBe(0);
    await waitFor(() => queueCalls().every((r) => r.ended_at !== null), 15_000, 'queue rows closed');
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 15_000, 'licence slots freed');

    const [r1, r2, r3, r4] = [byCaller('0000001')!, byCaller('0000002')!, byCaller('0000003')!, byCaller('0000004')!];
    expect([r1.agent, r2.agent, r3.agent]).toEqual(['202', '203', '202']);
    expect(r3.outcome).toBe('answered');
    // Waited: answered only after 202's first call ended and its 3 s wrap-up.
    expect(r3.answered_at! - r1.ended_at!).toBeGreaterThanOrEqual(3000);
    expect(r3.answered_at! - r3.entered_at).toBeGreaterThan(5000);
    // Heard its position: announced on its row and in the log, position 1 (the callers ahead were with agents).
    expect(r3.announced).toBeGreaterThanOrEqual(1);
    const announced = logLines('queue position announced').filter((l) => l.callId === r3.cdr_id);
    expect(announced.length).toBeGreaterThanOrEqual(1);
    expect(announced[0]).toMatchObject({ position: 1 });
    // The abandoned caller: its wait recorded, its CDR complete.
    expect(r4).toMatchObject({ outcome: 'abandoned', agent: null });
    expect(r4.ended_at! - r4.entered_at).toBeGreaterThanOrEqual(3500);
    const cdrs = pbx.store.cdrs
      .list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 50 })
      .filter((c) => c.callee.dialled === DIALLED);
    expect(cdrs).toHaveLength(4);
    expect(cdrs.every((c) => c.status === 'completed' && c.disposition === 'answered')).toBe(true);
    expect(cdrs.find((c) => c.callId === r4.cdr_id)).toMatchObject({ hangupSide: 'caller' });
    // Service level: 3 answered, 2 within 5 s, 1 abandoned.
    const stats = pbx.store.queues.stats(queueId, 0, 5, Date.now());
    expect(stats).toMatchObject({ offered: 4, answered: 3, answeredWithin: 2, abandoned: 1, waiting: 0, serviceLevel: 66.7 });
    expect(stats.avgWaitMs).toBeGreaterThan(0);
    expect(stats.avgHandleMs).toBeGreaterThan(0);
  }, 150_000);
});
