// Agents' feature codes dialled from a phone on the real appliance (sipp as
// the phone, authenticated by digest, rtpengine, espeak-ng): extension 202,
// a dynamic agent of two queues, dials *45 and is logged in to both (the PBX
// answers, says so and hangs up), *47*<id> pauses it in one queue with the
// reason "phone", *48 unpauses, *46 logs it out of both. Nothing to change
// (*46 again; a static member's *46) and a code nobody serves (*49) are
// refused 404 before any answer, the store unchanged. Every call's licence
// slot is freed.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queueSchema } from '../../../services/call-flows';
import { openStore } from '../../helpers/pd-open-store';
import type { Started } from '../../helpers/processes';
import { uacScenario } from './call-scenarios';
import { startCaller, startPbx, waitFor, type Pbx } from './pbx';

let pbx: Pbx;
let support = 0;
let sales = 0;
const peers: Started[] = [];

beforeAll(async () => {
  pbx = await startPbx('queue-agent-codes', ['202', '203'], {}, async (app) => {
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const tenant = store.tenants.defaultTenant()!;
      const make = (name: string, members: object[]) => store.callFlows.create('queue', tenant.id, queueSchema.parse({ name, members })).id;
      support = make('Поддержка', [{ extension: '202', mode: 'dynamic' }, { extension: '203', mode: 'static' }]);
      sales = make('Продажи', [{ extension: '202', mode: 'dynamic' }]);
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

/** One call from `from` dialling `code`: answered and hung up on by the PBX, or refused with `fail`. */
async function dial(from: string, code: string, fail?: number): Promise<number | null> {
  const scenario = fail ? uacScenario(`agent-code-${fail}`, { fail }) : uacScenario('agent-code', { byePbx: true });
  const p = await startCaller(pbx, scenario, from, code);
  peers.push(p);
  return p.exited;
}

const agent = (queueId: number, ext = '202') => pbx.store.queues.agent(queueId, ext);
const state = (queueId: number, ext = '202') => {
  const a = agent(queueId, ext);
  return a ? `${a.loggedIn ? 'in' : 'out'}${a.paused ? `/paused:${a.pauseReason}` : ''}` : 'none';
};

describe('agent feature codes', () => {
  it('*45 logs in to both queues, *47*id pauses one, *48 unpauses, *46 logs out; said and hung up by the PBX', async () => {
    expect(await dial('202', '*45')).toBe(0);
    expect([state(support), state(sales)]).toEqual(['in', 'in']);
    expect(await dial('202', `*47*${sales}`)).toBe(0);
    expect([state(support), state(sales)]).toEqual(['in', 'in/paused:phone']);
    expect(await dial('202', '*48')).toBe(0);
    expect([state(support), state(sales)]).toEqual(['in', 'in']);
    expect(await dial('202', '*46')).toBe(0);
    expect([state(support), state(sales)]).toEqual(['out', 'out']);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 15_000, 'licence slots freed');
    // Each code is a CDR of its own: answered by the PBX, ended by it with what it did.
    const cdrs = () => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 20 });
    const byCode = (code: string) => cdrs().filter((c) => c.callee.dialled === code).map((c) => [c.disposition, c.hangupSide, c.hangupReason]);
    expect(byCode('*45')).toEqual([['answered', 'system', 'queue-agent-log-in']]);
    expect(byCode(`*47*${sales}`)).toEqual([['answered', 'system', 'queue-agent-pause']]);
  }, 120_000);

  it('nothing to change, a static member logging out and an unknown code are refused 404; nothing stored', async () => {
    const before = pbx.store.db.prepare('SELECT * FROM queue_agents ORDER BY queue_id, extension').all();
    expect(await dial('202', '*46', 404)).toBe(0);
    expect(await dial('203', '*46', 404)).toBe(0);
    expect(await dial('202', '*49', 404)).toBe(0);
    expect(pbx.store.db.prepare('SELECT * FROM queue_agents ORDER BY queue_id, extension').all()).toEqual(before);
    expect(agent(support, '203')).toBeUndefined();
    // The CDR is written when the call's end is recorded, a moment after sipp saw the 404.
    const refused = () => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 20 }).filter((c) => c.callee.dialled === '*49');
    await expect.poll(() => refused().map((c) => [c.disposition, c.hangupReason]), { timeout: 10_000 }).toEqual([['failed', 'feature-not-available']]);
    await waitFor(async () => (await pbx.health()).activeCalls === 0, 15_000, 'licence slots freed');
  }, 120_000);
});
