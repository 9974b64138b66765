// Queues against a real api and SQLite: the config as a call-flow resource
// (400 shape errors with fields, 422 for members/prompts/overflow that do not
// exist, a queue with no members or an unknown strategy refused, nothing
// stored), agents logging in/out and pausing (an employee only themselves, a
// static member cannot log out, another tenant's queue is not found), each
// write audited; the live view's counters from recorded queue calls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultFeatures } from '../../services/store/repos/extension-features';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  const ha1 = { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) };
  for (const n of ['201', '202', '203']) h.store.extensions.create({ tenantId: tenant, extension: n, ha1 });
  h.store.extensions.create({ tenantId: other, extension: '201', ha1 });
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const fields = (r: { body: { details?: { fields?: Array<{ field: string; message: string }> } } }) =>
  (r.body.details?.fields ?? []).map((f) => `${f.field}: ${f.message}`);
const rows = (table: string) => (h.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

async function queue(body: Record<string, unknown> = {}): Promise<number> {
  const r = await admin.request('POST', '/api/queues', {
    name: 'Поддержка',
    members: [{ extension: '201' }, { extension: '202', mode: 'dynamic' }],
    ...body,
  });
  expect(r.status).toBe(201);
  return r.body.queue.id as number;
}

describe('queue config', () => {
  it('creates with defaults, reads, replaces, deletes; each write audited', async () => {
    const r = await admin.request('POST', '/api/queues', {
      name: 'Поддержка',
      strategy: 'round-robin',
      members: [{ extension: '201' }, { extension: '202', mode: 'dynamic', penalty: 1 }],
    });
    expect(r.status).toBe(201);
    expect(r.body.queue).toMatchObject({
      tenantId: tenant,
      name: 'Поддержка',
      strategy: 'round-robin',
      ringTimeout: 15,
      wrapUp: 10,
      autoPauseAfter: 3,
      maxWait: 600,
      joinEmpty: false,
      announceEvery: 30,
      members: [
        { extension: '201', mode: 'static', penalty: 0 },
        { extension: '202', mode: 'dynamic', penalty: 1 },
      ],
    });
    const id = r.body.queue.id;
    const put = await admin.request('PUT', `/api/queues/${id}`, { name: 'Поддержка', strategy: 'linear', members: [{ extension: '203' }] });
    expect(put.body.queue).toMatchObject({ strategy: 'linear', members: [{ extension: '203' }] });
    expect((await admin.request('GET', '/api/queues')).body.queues).toHaveLength(1);
    expect((await admin.request('DELETE', `/api/queues/${id}`)).status).toBe(204);
    for (const a of ['queue.create', 'queue.update', 'queue.delete']) expect(h.store.audit.list({ action: a }).rows).toHaveLength(1);
  });

  it('refuses no members, an unknown strategy and bad numbers (400), missing members/prompts/overflow (422); nothing stored', async () => {
    const bad = await admin.request('POST', '/api/queues', { name: 'Q', strategy: 'loudest', members: [], ringTimeout: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation-failed');
    expect(fields(bad)).toEqual([
      'strategy: must be one of ring-all, linear, round-robin, least-recent, fewest-calls, random, longest-idle, skills',
      'members: a queue needs at least one member',
      'ringTimeout: must be 5–120 seconds',
    ]);
    const skills = await admin.request('POST', '/api/queues', { name: 'Q', strategy: 'skills', members: [{ extension: '201' }] });
    expect(skills.status).toBe(422);
    expect(fields(skills)).toEqual(['requiredSkills: the skills strategy needs at least one required skill']);
    const missing = await admin.request('POST', '/api/queues', {
      name: 'Q',
      members: [{ extension: '299' }],
      music: 77,
      overflow: { type: 'feature', feature: 'ivr', id: 9 },
    });
    expect(missing.status).toBe(422);
    expect(fields(missing)).toEqual([
      'members[0].extension: extension 299 does not exist',
      'music: prompt 77 does not exist',
      'overflow: IVR menu 9 does not exist',
    ]);
    expect(rows('queues')).toBe(0);
  });

  it('is a destination: a DID may point at it, and it cannot be deleted while it does', async () => {
    const id = await queue();
    const main = await admin.request('PUT', '/api/call-flows/main', { destination: { type: 'feature', feature: 'queue', id } });
    expect(main.status).toBe(200);
    const del = await admin.request('DELETE', `/api/queues/${id}`);
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('in-use');
    expect(del.body.message).toContain('the main destination');
    const loop = await admin.request('PUT', `/api/queues/${id}`, {
      name: 'Поддержка',
      members: [{ extension: '201' }],
      overflow: { type: 'feature', feature: 'queue', id },
    });
    expect(loop.status).toBe(422);
    expect(fields(loop)[0]).toMatch(/^overflow: makes a loop/);
  });
});

describe('agents', () => {
  it('a dynamic agent logs in, pauses with a reason, unpauses and logs out; audited; static members start logged in', async () => {
    const id = await queue();
    let agents = (await admin.request('GET', `/api/queues/${id}/agents`)).body.agents;
    expect(agents.map((a: { extension: string; state: string }) => `${a.extension}:${a.state}`)).toEqual([
      '201:available',
      '202:logged-out',
    ]);
    const login = await admin.request('PUT', `/api/queues/${id}/agents/202`, { loggedIn: true });
    expect(login.body.agent).toMatchObject({ extension: '202', state: 'available' });
    const pause = await admin.request('PUT', `/api/queues/${id}/agents/202`, { paused: true, reason: 'обед' });
    expect(pause.body.agent).toMatchObject({ state: 'paused', pauseReason: 'обед' });
    expect((await admin.request('PUT', `/api/queues/${id}/agents/202`, { paused: false })).body.agent.state).toBe('available');
    expect((await admin.request('PUT', `/api/queues/${id}/agents/202`, { loggedIn: false })).body.agent.state).toBe('logged-out');
    expect(h.store.audit.list({ action: 'queue.agent' }).rows).toHaveLength(4);
    agents = (await admin.request('GET', `/api/queues/${id}/agents`)).body.agents;
    expect(agents[1]).toMatchObject({ extension: '202', state: 'logged-out', pauseReason: '' });
  });

  it('refuses a static log-out, pausing a logged-out agent, a non-member, an empty change; nothing changed', async () => {
    const id = await queue();
    const st = await admin.request('PUT', `/api/queues/${id}/agents/201`, { loggedIn: false });
    expect([st.status, st.body.code]).toEqual([409, 'queue-member-static']);
    const out = await admin.request('PUT', `/api/queues/${id}/agents/202`, { paused: true });
    expect([out.status, out.body.code]).toEqual([409, 'queue-agent-logged-out']);
    const nm = await admin.request('PUT', `/api/queues/${id}/agents/203`, { loggedIn: true });
    expect([nm.status, nm.body.code]).toEqual([404, 'queue-member-not-found']);
    const empty = await admin.request('PUT', `/api/queues/${id}/agents/202`, {});
    expect([empty.status, empty.body.code]).toEqual([400, 'validation-failed']);
    expect(rows('queue_agents')).toBe(0);
    expect(h.store.audit.list({ action: 'queue.agent' }).rows).toHaveLength(0);
  });

  it('an employee logs in only their own extension; another tenant’s queue is not found', async () => {
    const id = await queue();
    const emp = await h.as('employee', tenant, 'agent202');
    const ext = h.store.extensionFeatures.search({ tenantId: tenant }).extensions.find((e) => e.extension === '202')!;
    h.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: emp.userId });
    expect((await emp.client.request('PUT', `/api/queues/${id}/agents/202`, { loggedIn: true })).body.agent.state).toBe('available');
    const notMine = await emp.client.request('PUT', `/api/queues/${id}/agents/201`, { paused: true });
    expect([notMine.status, notMine.body.code]).toEqual([404, 'queue-member-not-found']);
    const theirs = h.store.callFlows.create('queue', other, { name: 'Их', members: [{ extension: '201' }] } as { name: string });
    const foreign = await admin.request('PUT', `/api/queues/${theirs.id}/agents/201`, { paused: true });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'queue-not-found']);
    expect(h.store.queues.agent(theirs.id, '201')).toBeUndefined();
  });

  it('/api/my-queues: an employee sees only the queues their own extensions are members of, with their state', async () => {
    const id = await queue();
    const second = await queue({ name: 'Продажи', members: [{ extension: '203' }] });
    const emp = await h.as('employee', tenant, 'agent202');
    expect((await emp.client.request('GET', '/api/my-queues')).body).toEqual({ queues: [] });
    const ext = h.store.extensionFeatures.search({ tenantId: tenant }).extensions.find((e) => e.extension === '202')!;
    h.store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: emp.userId });
    await emp.client.request('PUT', `/api/queues/${id}/agents/202`, { loggedIn: true });
    await emp.client.request('PUT', `/api/queues/${id}/agents/202`, { paused: true, reason: 'обед' });
    const mine = (await emp.client.request('GET', '/api/my-queues')).body.queues;
    expect(mine).toEqual([
      { id, name: 'Поддержка', agents: [expect.objectContaining({ extension: '202', mode: 'dynamic', state: 'paused', pauseReason: 'обед' })] },
    ]);
    expect(mine.some((q: { id: number }) => q.id === second)).toBe(false);
  });
});

describe('live view', () => {
  it('counts answered within the service level, abandoned, overflowed, waiting, average wait and handle', async () => {
    const id = await queue({ serviceLevel: 20 });
    const q = h.store.queues;
    q.setAgent(id, '202', { loggedIn: true }, false);
    const t0 = Date.now() - 60_000;
    const a = q.enter({ tenantId: tenant, queueId: id, cdrId: 'c1', caller: '+79990000001', at: t0, position: 1 });
    q.answered(a, '201', t0 + 5_000);
    q.ended(a, 'abandoned', t0 + 35_000); // an answered call's end keeps 'answered'
    const b = q.enter({ tenantId: tenant, queueId: id, cdrId: 'c2', caller: '+79990000002', at: t0, position: 2 });
    q.answered(b, '202', t0 + 30_000);
    const c = q.enter({ tenantId: tenant, queueId: id, cdrId: 'c3', caller: '+79990000003', at: t0, position: 3 });
    q.ended(c, 'abandoned', t0 + 10_000);
    q.enter({ tenantId: tenant, queueId: id, cdrId: 'c4', caller: '', at: t0, position: 1, outcome: 'full' });
    q.enter({ tenantId: tenant, queueId: id, cdrId: 'c5', caller: '+79990000005', at: t0 + 50_000, position: 1 });
    const live = await admin.request('GET', `/api/queues/${id}/live?since=${t0 - 1}`);
    expect(live.status).toBe(200);
    expect(live.body.stats).toMatchObject({
      offered: 5,
      answered: 2,
      answeredWithin: 1,
      abandoned: 1,
      overflowed: 1,
      waiting: 1,
      serviceLevel: 50,
      avgWaitMs: 15_000,
      avgHandleMs: 30_000,
    });
    expect(live.body.waiting).toEqual([expect.objectContaining({ position: 1, cdrId: 'c5', caller: '+79990000005' })]);
    // 202 answered c2 and is still talking.
    expect(live.body.agents.map((x: { extension: string; state: string }) => `${x.extension}:${x.state}`)).toEqual([
      '201:available',
      '202:on-call',
    ]);
  });
});
