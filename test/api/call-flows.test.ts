// Ring groups, IVR menus, schedules, announcements, lists, DIDs and the main
// destination against a real api and SQLite: shape errors are 400 with
// fields, call-flow problems (missing objects, loops, a menu without
// options, overlapping branches) 422 with fields and nothing stored; a
// referenced object cannot be deleted; the view and the dry run read what
// was stored; roles and tenants are kept apart; every write is audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const fields = (r: { body: { details?: { fields?: Array<{ field: string; message: string }> } } }) => (r.body.details?.fields ?? []).map((f) => `${f.field}: ${f.message}`);
const ext = (n: string) => ({ type: 'extension', extension: n });
const feature = (f: string, id: number) => ({ type: 'feature', feature: f, id });
/** A stored prompt of the tenant (its files are not needed to save a flow). */
const prompt = (name: string, tenantId = tenant) =>
  h.store.prompts.create({ tenantId, name, language: 'ru', kind: 'tts', text: name, source: 'espeak-ng', durationMs: 1000, sizeBytes: 1, createdBy: null }, (id) => ({
    alawPath: `prompts/${tenantId}/${id}.alaw.wav`,
    ulawPath: `prompts/${tenantId}/${id}.ulaw.wav`,
  })).id;
const rows = (table: string) => (h.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('ring groups', () => {
  it('creates with defaults, reads, replaces and deletes, each write audited', async () => {
    const r = await admin.request('POST', '/api/ring-groups', { name: 'Продажи', strategy: 'hunt', members: [{ extension: '201' }, { extension: '202', delay: 5 }] });
    expect(r.status).toBe(201);
    expect(r.body.ringGroup).toMatchObject({ tenantId: tenant, name: 'Продажи', strategy: 'hunt', timeout: 60, skipBusy: true, members: [{ extension: '201', delay: 0, timeout: 20 }, { extension: '202', delay: 5 }] });
    const id = r.body.ringGroup.id;
    expect((await admin.request('GET', `/api/ring-groups/${id}`)).body.ringGroup.name).toBe('Продажи');
    const put = await admin.request('PUT', `/api/ring-groups/${id}`, { name: 'Продажи', strategy: 'round-robin', members: [{ extension: '203' }] });
    expect(put.body.ringGroup).toMatchObject({ strategy: 'round-robin', members: [{ extension: '203' }] });
    expect((await admin.request('GET', '/api/ring-groups')).body.ringGroups).toHaveLength(1);
    expect((await admin.request('DELETE', `/api/ring-groups/${id}`)).status).toBe(204);
    expect(h.store.audit.list({ action: 'ring-group.create' }).rows).toHaveLength(1);
    expect(h.store.audit.list({ action: 'ring-group.update' }).rows).toHaveLength(1);
    expect(h.store.audit.list({ action: 'ring-group.delete' }).rows).toHaveLength(1);
  });

  it('names bad fields (400) and members that do not exist (422); nothing stored', async () => {
    const bad = await admin.request('POST', '/api/ring-groups', { name: '', strategy: 'loudest', members: [{ extension: 'x' }], timeout: 1 });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['name: required', 'strategy: must be one of ring-all, hunt, round-robin, least-recent, fewest-calls, random', 'members[0].extension: must be 2–6 digits', 'timeout: must be 5–600 seconds']);
    const missing = await admin.request('POST', '/api/ring-groups', { name: 'G', members: [{ extension: '299' }], overflow: feature('ivr', 7) });
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('call-flow-invalid');
    expect(fields(missing)).toEqual(['members[0].extension: extension 299 does not exist', 'overflow: IVR menu 7 does not exist']);
    expect(rows('ring_groups')).toBe(0);
  });

  it('is not found in another tenant, by id or by a bad id', async () => {
    const theirs = h.store.callFlows.create('ring-group', other, { name: 'Их' });
    expect((await admin.request('GET', `/api/ring-groups/${theirs.id}`)).body.code).toBe('ring-group-not-found');
    expect((await admin.request('PUT', `/api/ring-groups/${theirs.id}`, { name: 'x', members: [{ extension: '201' }] })).status).toBe(404);
    expect((await admin.request('DELETE', '/api/ring-groups/abc')).status).toBe(404);
    expect((await admin.request('GET', '/api/ring-groups')).body.ringGroups).toEqual([]);
  });

  it('is refused to a supervisor for writes and to an employee altogether', async () => {
    const sup = (await h.as('supervisor', tenant)).client;
    expect((await sup.request('GET', '/api/ring-groups')).status).toBe(200);
    const w = await sup.request('POST', '/api/ring-groups', { name: 'G', members: [{ extension: '201' }] });
    expect([w.status, w.body.code]).toEqual([403, 'forbidden']);
    const emp = (await h.as('employee', tenant)).client;
    expect((await emp.request('GET', '/api/ivr-menus')).status).toBe(403);
  });
});

describe('IVR menus and the graph', () => {
  it('refuses a missing destination naming the option, a menu without options, a duplicated key', async () => {
    const r = await admin.request('POST', '/api/ivr-menus', { name: 'Главное', options: [{ digit: '1', destination: ext('201') }, { digit: '2', destination: ext('202') }, { digit: '3', destination: feature('ring-group', 7) }] });
    expect(r.status).toBe(422);
    expect(fields(r)).toEqual(['options[2].destination: ring group 7 does not exist']);
    const empty = await admin.request('POST', '/api/ivr-menus', { name: 'Пустое', options: [] });
    expect([empty.status, ...fields(empty)]).toEqual([422, 'options: a menu needs at least one option (or dial-by-extension)']);
    const dup = await admin.request('POST', '/api/ivr-menus', { name: 'Д', options: [{ digit: '1', destination: ext('201') }, { digit: '1', destination: ext('202') }] });
    expect(fields(dup)).toEqual(['options[1].digit: key 1 is already options[0]']);
    const shape = await admin.request('POST', '/api/ivr-menus', { name: 'Д', options: [{ digit: 'A', destination: { type: 'hangup', status: 200 } }] });
    expect([shape.status, ...fields(shape)]).toEqual([400, 'options[0].digit: must be one of 0–9, * or #', 'options[0].destination.status: must be a SIP status 400–699']);
    expect(rows('ivr_menus')).toBe(0);
  });

  it('refuses a loop at save naming the field, and a delete of something still referenced', async () => {
    const menu = (await admin.request('POST', '/api/ivr-menus', { name: 'Главное', options: [{ digit: '1', destination: ext('201') }] })).body.ivrMenu;
    const group = (await admin.request('POST', '/api/ring-groups', { name: 'Продажи', members: [{ extension: '201' }], overflow: feature('ivr', menu.id) })).body.ringGroup;
    const loop = await admin.request('PUT', `/api/ivr-menus/${menu.id}`, { name: 'Главное', options: [{ digit: '1', destination: ext('201') }], final: feature('ring-group', group.id) });
    expect(loop.status).toBe(422);
    expect(fields(loop)).toEqual(["final: makes a loop: IVR menu 'Главное' (final) → ring group 'Продажи' (overflow) → IVR menu 'Главное'"]);
    expect((await admin.request('GET', `/api/ivr-menus/${menu.id}`)).body.ivrMenu.final).toEqual({ type: 'hangup', status: 480, reason: 'No Input' });
    // An option back to the menu is the caller's choice: allowed.
    const back = await admin.request('PUT', `/api/ivr-menus/${menu.id}`, { name: 'Главное', options: [{ digit: '0', destination: feature('ivr', menu.id) }, { digit: '1', destination: feature('ring-group', group.id) }] });
    expect(back.status).toBe(200);
    const del = await admin.request('DELETE', `/api/ring-groups/${group.id}`);
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ code: 'in-use', message: "ring group 'Продажи' is used by IVR menu 'Главное' options[1].destination" });
    expect(rows('ring_groups')).toBe(1);
  });
});

describe('schedules', () => {
  const branch = (name: string, days: string[], from: string, to: string) => ({ name, days, from, to, destination: ext('201') });

  it('refuses overlapping branches (422) and a bad zone (400); flips day/night for a supervisor; imports the production calendar', async () => {
    const over = await admin.request('POST', '/api/schedules', { name: 'Офис', branches: [branch('Утро', ['mon'], '09:00', '13:00'), branch('День', ['mon'], '12:00', '18:00')], closed: ext('202') });
    expect([over.status, ...fields(over)]).toEqual([422, "branches[1]: overlaps branches[0] 'Утро' on mon 12:00–13:00"]);
    const zone = await admin.request('POST', '/api/schedules', { name: 'Офис', timeZone: 'Europe/Nowhere', branches: [branch('b', ['mon'], '09:00', '18:00')], closed: ext('202') });
    expect([zone.status, ...fields(zone)]).toEqual([400, 'timeZone: not a known time zone (e.g. Europe/Moscow)']);
    const s = (await admin.request('POST', '/api/schedules', { name: 'Офис', branches: [branch('Будни', ['mon', 'tue', 'wed', 'thu', 'fri'], '09:00', '18:00')], closed: ext('202') })).body.schedule;
    expect(s).toMatchObject({ timeZone: 'Europe/Moscow', override: 'auto', holidays: [] });
    const sup = (await h.as('supervisor', tenant)).client;
    const night = await sup.request('PUT', `/api/schedules/${s.id}/override`, { override: 'night' });
    expect(night.body.schedule.override).toBe('night');
    expect(h.store.audit.list({ action: 'schedule.override' }).rows[0]).toMatchObject({ outcome: 'ok', target: `schedule:${s.id}` });
    expect((await sup.request('PUT', `/api/schedules/${s.id}/override`, { override: 'dusk' })).status).toBe(400);
    const csv = 'Год/Месяц,Январь,Февраль,Март,Апрель,Май,Июнь,Июль,Август,Сентябрь,Октябрь,Ноябрь,Декабрь\n2018,"1,2,3,4,5,6,7,8,13,14,20,21,27,28","3,4,10,11,17,18,22*,23,24,25","3,4,7*,8,9,10,11,17,18,24,25,31","1,7,8,14,15,21,22,28*,29,30","1,2,5,6,8*,9,12,13,19,20,26,27","2,3,9*,10,11,12,16,17,23,24,30","1,7,8,14,15,21,22,28,29","4,5,11,12,18,19,25,26","1,2,8,9,15,16,22,23,29,30","6,7,13,14,20,21,27,28","3,4,5,10,11,17,18,24,25","1,2,8,9,15,16,22,23,29*,30,31"\n';
    const cal = await admin.request('POST', '/api/schedules/calendar', { csv });
    expect(cal.body.years).toEqual([2018]);
    expect(cal.body.holidays).toContainEqual({ name: 'День народного единства', from: '2018-11-04', to: '2018-11-05', yearly: false });
    const badCal = await admin.request('POST', '/api/schedules/calendar', { csv: '2018,"1,2,40"' });
    expect(badCal.status).toBe(400);
    expect(fields(badCal)).toEqual(['csv line 1: expected a year and 12 months, got 2 columns']);
  });
});

describe('numbers, the main destination, the view and the dry run', () => {
  it('routes a DID to a schedule; the view draws it; the dry run follows it; a deleted-in-use schedule is refused', async () => {
    const ann = (await admin.request('POST', '/api/announcements', { name: 'Нерабочее время', prompt: prompt('Нерабочее время') })).body.announcement;
    const menu = (await admin.request('POST', '/api/ivr-menus', { name: 'Главное', options: [{ digit: '1', destination: ext('201') }], final: feature('announcement', ann.id) })).body.ivrMenu;
    const s = (
      await admin.request('POST', '/api/schedules', {
        name: 'Офис',
        branches: [{ name: 'Будни', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: feature('ivr', menu.id) }],
        closed: feature('announcement', ann.id),
      })
    ).body.schedule;
    const did = await admin.request('POST', '/api/dids', { number: '84951234567', destination: feature('schedule', s.id) });
    expect(did.status).toBe(201);
    expect(did.body.did).toMatchObject({ number: '+74951234567', destination: feature('schedule', s.id) });
    const missing = await admin.request('POST', '/api/dids', { number: '+74951234568', destination: feature('ivr', 999) });
    expect([missing.status, ...fields(missing)]).toEqual([422, 'destination: IVR menu 999 does not exist']);

    const view = await admin.request('GET', '/api/call-flows/view?number=%2B74951234567');
    expect(view.body.tree).toMatchObject({ kind: 'did', name: '+74951234567', children: [{ node: { kind: 'schedule', name: 'Офис', children: [{ label: 'Будни', node: { kind: 'ivr' } }, { label: 'closed', node: { kind: 'announcement' } }] } }] });
    expect((await admin.request('GET', '/api/call-flows/view?number=123')).body.code).toBe('number-not-found');

    const run = await admin.request('POST', '/api/call-flows/dry-run', { number: '8 495 123-45-67', caller: '+79161234567', at: '2026-12-05T21:00:00+03:00' });
    expect(run.body.result).toMatchObject({ outcome: 'hangup' });
    expect(run.body.result.summary).toBe("number +74951234567 → schedule 'Офис' (closed: outside hours, sat 2026-12-05 21:00) → announcement 'Нерабочее время' → hang up after the announcement");
    const day = await admin.request('POST', '/api/call-flows/dry-run', { number: '+74951234567', at: '2026-12-07T10:00:00+03:00', keys: ['1'] });
    expect(day.body.result).toMatchObject({ outcome: 'extension', destination: ext('201') });
    expect(fields(await admin.request('POST', '/api/call-flows/dry-run', { number: '', at: 'yesterday' }))).toEqual(['number: required', 'at: must be an ISO date and time, e.g. 2026-12-05T21:00:00+03:00']);

    const del = await admin.request('DELETE', `/api/schedules/${s.id}`);
    expect([del.status, del.body.message]).toEqual([409, "schedule 'Офис' is used by number +74951234567"]);
    expect((await admin.request('PATCH', `/api/dids/${did.body.did.id}`, { destination: null })).body.did.destination).toBeNull();
    expect(h.store.audit.list({ action: 'did.update' }).rows).toHaveLength(1);
    expect((await admin.request('DELETE', `/api/schedules/${s.id}`)).status).toBe(204);
  });

  it('sets the main destination through the graph, and the recording notice per number', async () => {
    expect((await admin.request('PUT', '/api/call-flows/main', { destination: feature('ring-group', 3) })).status).toBe(422);
    const put = await admin.request('PUT', '/api/call-flows/main', { destination: ext('201') });
    expect(put.body.destination).toEqual(ext('201'));
    expect((await admin.request('GET', '/api/call-flows/main')).body.destination).toEqual(ext('201'));
    await admin.request('POST', '/api/dids', { number: '+74951234567', destination: null });
    const run = await admin.request('POST', '/api/call-flows/dry-run', { number: '+74951234567' });
    expect(run.body.result.path.map((s: { kind: string }) => s.kind)).toEqual(['did', 'main', 'extension']);
    const noticePrompt = prompt('Разговор записывается');
    const notice = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'did', ref: '+74951234567', notice: { enabled: true, prompt: noticePrompt } });
    expect(notice.status).toBe(200);
    expect((await admin.request('GET', '/api/call-flows/recording-notices')).body.notices).toMatchObject([{ scope: 'did', ref: '+74951234567', enabled: true, prompt: noticePrompt, toCalled: false }]);
    // A prompt of another tenant, or none, is refused with the field named.
    const foreign = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'did', ref: '+74951234567', notice: { enabled: true, prompt: prompt('Чужой', other) } });
    expect(foreign.status).toBe(422);
    expect(fields(foreign)[0]).toMatch(/^notice\.prompt: prompt \d+ does not exist$/);
    expect((await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'did', ref: '+70000000000', notice: { enabled: true } })).status).toBe(422);
    expect(h.store.audit.list({ action: 'call-flows.main' }).rows).toHaveLength(1);
  });

  it('a recording notice on an outbound route: only a route of the organisation, toCalled kept', async () => {
    const notice = { enabled: true, prompt: prompt('Разговор записывается'), toCalled: true };
    const missing = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'route', ref: 'russia', notice });
    expect(missing.status).toBe(422);
    expect(fields(missing)[0]).toBe('ref: outbound route russia does not exist');
    const trunk = h.store.trunks.create(tenant, { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: 5099, transport: 'udp', username: null, registerExpiry: 300, addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2, outboundCallerId: '+74950000009', enabled: true }, null);
    h.store.outboundRoutes.replaceAll(tenant, [{ id: 'russia', name: '', enabled: true, patterns: ['_+7XXXXXXXXXX'], strip: 0, prepend: '', trunks: [String(trunk.id)] }]);
    const put = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'route', ref: 'russia', notice });
    expect(put.status).toBe(200);
    expect((await admin.request('GET', '/api/call-flows/recording-notices')).body.notices).toEqual(
      expect.arrayContaining([expect.objectContaining({ scope: 'route', ref: 'russia', enabled: true, toCalled: true })]),
    );
  });

  it('a recording notice on a queue: only a queue of the organisation; the dry run names it in callPath, and noAnswer follows the overflow', async () => {
    const q = await admin.request('POST', '/api/queues', { name: 'Поддержка', members: [{ extension: '201' }], overflow: ext('202') });
    expect(q.status).toBe(201);
    const id = q.body.queue.id as number;
    await admin.request('POST', '/api/dids', { number: '+74951234569', destination: feature('queue', id) });
    const noticePrompt = prompt('Разговор записывается');
    const set = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'queue', ref: String(id), notice: { enabled: true, prompt: noticePrompt } });
    expect(set.status).toBe(200);
    for (const ref of ['999', 'abc']) {
      const bad = await admin.request('PUT', '/api/call-flows/recording-notices', { scope: 'queue', ref, notice: { enabled: true, prompt: noticePrompt } });
      expect([bad.status, ...fields(bad)]).toEqual([422, `ref: queue ${ref} does not exist`]);
    }
    const run = await admin.request('POST', '/api/call-flows/dry-run', { number: '+74951234569' });
    expect(run.body.result.callPath).toEqual([`feature:queue:${id}`, `notice:${noticePrompt}`]);
    const over = await admin.request('POST', '/api/call-flows/dry-run', { number: '+74951234569', noAnswer: true });
    expect(over.body.result).toMatchObject({ outcome: 'extension', callPath: [`feature:queue:${id}`, `notice:${noticePrompt}`, 'extension:202'] });
    expect(fields(await admin.request('POST', '/api/call-flows/dry-run', { number: '+74951234569', noAnswer: 'yes' }))).toEqual(['noAnswer: Invalid input: expected boolean, received string']);
  });

  it('lists: entries stored canonical; a block list treatment must exist', async () => {
    const r = await admin.request('POST', '/api/call-lists', { name: 'Спам', kind: 'block', entries: [{ match: 'number', value: '8 (916) 123-45-67' }, { match: 'prefix', value: '8800' }, { match: 'anonymous' }] });
    expect(r.status).toBe(201);
    expect(r.body.list.entries.map((e: { value: string }) => e.value)).toEqual(['+79161234567', '+7800', '']);
    const bad = await admin.request('POST', '/api/call-lists', { name: 'X', kind: 'block', treatment: feature('announcement', 9), entries: [{ match: 'number', value: 'abc' }] });
    expect([bad.status, ...fields(bad)]).toEqual([400, 'entries[0].value: must be digits with an optional leading +']);
    const gone = await admin.request('POST', '/api/call-lists', { name: 'X', kind: 'block', treatment: feature('announcement', 9), entries: [] });
    expect([gone.status, ...fields(gone)]).toEqual([422, 'treatment: announcement 9 does not exist']);
  });

  it('an extension a call flow uses cannot be deleted', async () => {
    await admin.request('POST', '/api/ring-groups', { name: 'Продажи', members: [{ extension: '201' }, { extension: '202' }] });
    const id = h.store.extensions.get(tenant, '202')!.id;
    const r = await admin.request('DELETE', `/api/extensions/${id}`);
    expect([r.status, r.body.code, r.body.message]).toEqual([409, 'extension-in-use', "extension 202 is used by ring group 'Продажи' members[1]; change those first"]);
  });
});
