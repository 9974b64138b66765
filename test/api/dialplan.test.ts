// /api/dialplan against a real api and SQLite file: the ordered routes are
// replaced whole and only when every route is right (all problems at once,
// with field paths, unknown trunks named); tenants stay apart; each change
// is audited; the dry run answers what a phone would get.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let root: Client;
let tenant: number;
let other: number;
let mts: number;
let beeline: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
  root = (await h.as('superadmin', null, 'root')).client;
  const trunk = async (c: Client, name: string, extra: Record<string, unknown> = {}) => {
    const r = await c.request('POST', '/api/trunks', { name, kind: 'ip', addresses: ['192.0.2.10'], ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.trunk.id as number;
  };
  mts = await trunk(admin, 'МТС');
  beeline = await trunk(admin, 'Билайн');
  await trunk(root, 'Чужой', { tenantId: other });
});
afterEach(() => h.close());

const moscow = { name: 'Москва', patterns: ['_8495XXXXXXX', '_+7499XXXXXXX'], trunks: [] as string[] };
const international = { name: 'Международные', patterns: ['_810X.'], strip: 3, prepend: '00', trunks: [] as string[] };
const fields = (r: { body: { details?: { fields?: Array<{ field: string }> } } }) => (r.body.details?.fields ?? []).map((f) => f.field).sort();

describe('outbound routes', () => {
  it('saves the ordered list, keeps its order, names trunks by id or name, and audits before and after', async () => {
    const empty = await admin.request('GET', '/api/dialplan');
    expect(empty.body).toMatchObject({ tenantId: tenant, routes: [], numbering: { cityCode: '', outsideLinePrefix: '', extensionMaxLength: 6 } });
    const routes = [
      { ...international, trunks: [String(beeline)] },
      { ...moscow, trunks: [String(mts), 'Билайн'] },
    ];
    const r = await admin.request('PUT', '/api/dialplan/routes', { routes });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.routes.map((x: { name: string }) => x.name)).toEqual(['Международные', 'Москва']);
    expect(r.body.routes[0]).toMatchObject({ id: 'route-1', enabled: true, strip: 3, prepend: '00' });
    const got = await admin.request('GET', '/api/dialplan');
    expect(got.body.routes.map((x: { id: string; trunks: string[] }) => [x.id, x.trunks])).toEqual([
      ['route-1', [String(beeline)]],
      ['route-2', [String(mts), 'Билайн']],
    ]);
    // Reordered: the same ids, the other order.
    const swapped = await admin.request('PUT', '/api/dialplan/routes', { routes: [got.body.routes[1], got.body.routes[0]] });
    expect(swapped.status).toBe(200);
    expect((await admin.request('GET', '/api/dialplan')).body.routes.map((x: { id: string }) => x.id)).toEqual(['route-2', 'route-1']);
    const rows = h.store.audit.list({ action: 'dialplan.routes.update' }).rows;
    expect(rows).toHaveLength(2);
    const last = rows.find((x) => (x.details as { before: unknown[] }).before.length === 2)!;
    expect(last).toMatchObject({ tenantId: tenant, actor: 'ta', target: `tenant:${tenant}` });
    expect((last.details as { after: Array<{ id: string }> }).after.map((x) => x.id)).toEqual(['route-2', 'route-1']);
  });

  it('reports every problem at once with its field path and saves nothing', async () => {
    await admin.request('PUT', '/api/dialplan/routes', { routes: [{ ...moscow, trunks: ['МТС'] }] });
    const bad = await admin.request('PUT', '/api/dialplan/routes', {
      routes: [
        { ...moscow, trunks: ['МТС'] },
        { name: 'Сломанный', patterns: ['_8495XXXXXXX', '_8[9-1]X.', '_X.X'], strip: -1, prepend: 'abc', trunks: [] },
        { name: 'Чужой транк', patterns: ['_+X.'], trunks: ['Чужой', '999', 'МТС'] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation-failed');
    expect(fields(bad)).toEqual(['routes[1].patterns[1]', 'routes[1].patterns[2]', 'routes[1].prepend', 'routes[1].strip', 'routes[1].trunks', 'routes[2].trunks[0]', 'routes[2].trunks[1]']);
    const messages = bad.body.details.fields.map((f: { field: string; message: string }) => `${f.field}: ${f.message}`);
    expect(messages).toContain('routes[2].trunks[0]: route Чужой транк: no trunk Чужой in this tenant');
    expect(messages).toContain('routes[2].trunks[1]: route Чужой транк: no trunk 999 in this tenant');
    expect(bad.body.message).toContain('routes[1].patterns[1]: pattern _8[9-1]X.: bad range 9-1');
    const kept = (await admin.request('GET', '/api/dialplan')).body.routes;
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ name: 'Москва', trunks: ['МТС'] });
    expect(h.store.audit.list({ action: 'dialplan.routes.update' }).rows).toHaveLength(1);
    const dup = await admin.request('PUT', '/api/dialplan/routes', { routes: [{ ...moscow, id: 'a', trunks: ['МТС'] }, { ...moscow, id: 'a', trunks: ['МТС'] }] });
    expect(dup.body.details.fields).toEqual([{ field: 'routes[1].id', message: 'duplicate id a' }]);
    const notList = await admin.request('PUT', '/api/dialplan/routes', { routes: 'all' });
    expect(fields(notList)).toEqual(['routes']);
  });

  it("keeps tenants apart: another tenant's trunk is unknown, superadmin picks the tenant, supervisors and auditors only read", async () => {
    const theirs = h.store.trunks.list(other)[0]!;
    const r = await admin.request('PUT', '/api/dialplan/routes', { routes: [{ ...moscow, trunks: [String(theirs.id)] }] });
    expect(r.body.details.fields).toEqual([{ field: 'routes[0].trunks[0]', message: `route Москва: no trunk ${theirs.id} in this tenant` }]);
    // A tenant admin naming another tenant still acts on their own.
    const own = await admin.request('PUT', `/api/dialplan/routes?tenantId=${other}`, { tenantId: other, routes: [{ ...moscow, trunks: ['МТС'] }] });
    expect(own.body.tenantId).toBe(tenant);
    expect(h.store.outboundRoutes.list(other)).toEqual([]);
    expect((await root.request('GET', '/api/dialplan')).body).toMatchObject({ code: 'validation-failed', details: { fields: [{ field: 'tenantId' }] } });
    const set = await root.request('PUT', '/api/dialplan/routes', { tenantId: other, routes: [{ ...moscow, trunks: ['Чужой'] }] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await root.request('GET', `/api/dialplan?tenantId=${other}`)).body.routes[0].trunks).toEqual(['Чужой']);
    expect((await admin.request('GET', '/api/dialplan')).body.routes[0].trunks).toEqual(['МТС']);
    for (const role of ['supervisor', 'auditor'] as const) {
      const c = (await h.as(role, tenant)).client;
      expect((await c.request('GET', '/api/dialplan')).body.routes).toHaveLength(1);
      expect((await c.request('POST', '/api/dialplan/test', { number: '84951234567' })).status).toBe(200);
      expect((await c.request('PUT', '/api/dialplan/routes', { routes: [] })).status, role).toBe(403);
      expect((await c.request('PUT', '/api/dialplan/numbering', {})).status, role).toBe(403);
    }
    expect(h.store.outboundRoutes.list(tenant)).toHaveLength(1);
  });
});

describe('numbering', () => {
  it('validates with the numbering schema, saves, and audits before and after', async () => {
    const bad = await admin.request('PUT', '/api/dialplan/numbering', { cityCode: '12', localAreaCodes: ['499', 'x'], extensionMinLength: 1, outsideLinePrefix: '5' });
    expect(fields(bad)).toEqual(['numbering.cityCode', 'numbering.extensionMinLength', 'numbering.localAreaCodes.1', 'numbering.outsideLinePrefix']);
    const ok = await admin.request('PUT', '/api/dialplan/numbering', { cityCode: '495', localAreaCodes: ['499'], extensionMinLength: 3, extensionMaxLength: 4, outsideLinePrefix: '9' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await admin.request('GET', '/api/dialplan')).body.numbering).toEqual({ cityCode: '495', localAreaCodes: ['499'], extensionMinLength: 3, extensionMaxLength: 4, outsideLinePrefix: '9' });
    const clash = await admin.request('PUT', '/api/dialplan/numbering', { cityCode: '4951', extensionMaxLength: 6 });
    expect(clash.body.details.fields).toEqual([{ field: 'numbering.extensionMaxLength', message: 'must be below 6, the length of local numbers in area 4951' }]);
    // Existing extensions must stay dialable.
    expect((await admin.request('POST', '/api/extensions', { extension: '20112' })).status).toBe(201);
    expect((await admin.request('POST', '/api/extensions', { extension: '9101' })).status).toBe(201);
    const strand = await admin.request('PUT', '/api/dialplan/numbering', { cityCode: '495', localAreaCodes: ['812'], extensionMaxLength: 4, outsideLinePrefix: '9' });
    expect(strand.body.details.fields).toEqual([
      { field: 'numbering.extensionMaxLength', message: 'extensions 20112 would not fit 2–4 digits' },
      { field: 'numbering.outsideLinePrefix', message: 'extensions 9101 would dial an emergency number' },
    ]);
    expect((await admin.request('GET', '/api/dialplan')).body.numbering).toMatchObject({ localAreaCodes: ['499'] });
    const rows = h.store.audit.list({ action: 'dialplan.numbering.update' }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: tenant, details: { before: { cityCode: '' }, after: { cityCode: '495', outsideLinePrefix: '9' } } });
  });
});

describe('dry run', () => {
  beforeEach(async () => {
    await admin.request('PUT', '/api/dialplan/numbering', { cityCode: '495', localAreaCodes: ['499'], extensionMaxLength: 4 });
    await admin.request('PUT', '/api/dialplan/routes', {
      routes: [
        { ...international, trunks: ['Билайн'] },
        { name: 'Россия', patterns: ['_+7X.'], strip: 2, prepend: '8', trunks: [String(mts), 'Билайн'] },
      ],
    });
    expect((await admin.request('POST', '/api/extensions', { extension: '201', outboundPermission: 'internal' })).status).toBe(201);
    expect((await admin.request('POST', '/api/extensions', { extension: '202', outboundPermission: 'international' })).status).toBe(201);
  });

  it('shows the normalised number, class, route and the number each trunk gets', async () => {
    const r = await admin.request('POST', '/api/dialplan/test', { number: '8 495 123-45-67', extension: '202' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.result).toMatchObject({
      outcome: 'outbound',
      normalised: { number: '+74951234567', class: 'local' },
      permission: { extension: '202', level: 'international', allowed: true, required: null },
      refusal: null,
      route: {
        id: 'route-2',
        name: 'Россия',
        dialNumber: '84951234567',
        trunks: [
          { ref: String(mts), id: mts, name: 'МТС', enabled: true, dialNumber: '84951234567' },
          { ref: 'Билайн', id: beeline, name: 'Билайн', enabled: true, dialNumber: '84951234567' },
        ],
      },
    });
    const abroad = await admin.request('POST', '/api/dialplan/test', { number: '+44 20 7946 0958', extension: '202' });
    expect(abroad.body.result).toMatchObject({ outcome: 'outbound', normalised: { number: '+442079460958', class: 'international' }, route: { name: 'Международные', dialNumber: '00442079460958', trunks: [{ name: 'Билайн' }] } });
  });

  it('refuses what the extension may not call, never emergency, and names bad input', async () => {
    const local = await admin.request('POST', '/api/dialplan/test', { number: '8 495 123-45-67', extension: '201' });
    expect(local.body.result).toMatchObject({
      outcome: 'refused',
      normalised: { number: '+74951234567', class: 'local' },
      permission: { extension: '201', level: 'internal', allowed: false, required: 'local' },
      refusal: { code: 'outbound-not-permitted', sipStatus: 403 },
      route: null,
    });
    const abroad = await admin.request('POST', '/api/dialplan/test', { number: '+442079460958', extension: '201' });
    expect(abroad.body.result).toMatchObject({ outcome: 'refused', permission: { allowed: false, required: 'international' }, refusal: { code: 'outbound-not-permitted' } });
    // 112 matches no route: it still goes out, over every trunk the routes name.
    const sos = await admin.request('POST', '/api/dialplan/test', { number: '112', extension: '201' });
    expect(sos.body.result).toMatchObject({
      outcome: 'outbound',
      normalised: { number: '112', class: 'emergency' },
      permission: { allowed: true },
      route: { id: 'emergency-fallback', dialNumber: '112', trunks: [{ name: 'Билайн' }, { name: 'МТС' }] },
    });
    const internal = await admin.request('POST', '/api/dialplan/test', { number: '202', extension: '201' });
    expect(internal.body.result).toMatchObject({ outcome: 'internal', normalised: { number: '202', class: 'internal' }, route: null });
    const short = await admin.request('POST', '/api/dialplan/test', { number: '8916123' });
    expect(short.body.result).toMatchObject({ outcome: 'refused', permission: null, refusal: { code: 'dialplan-incomplete', sipStatus: 484 } });
    const missing = await admin.request('POST', '/api/dialplan/test', { number: '112', extension: '299' });
    expect(missing.body.details.fields).toEqual([{ field: 'extension', message: 'no extension 299 in this tenant' }]);
    expect(fields(await admin.request('POST', '/api/dialplan/test', {}))).toEqual(['number']);
  });
});
