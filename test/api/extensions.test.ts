// /api/extensions against a real api and SQLite: the one-time SIP password
// is stored only as HA1 over the tenant's realm, input errors name the field,
// other tenants' extensions look missing, roles and the licence limit hold.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../services/call-control';
import { ExtensionsRepo } from '../../services/store/repos/extensions';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
let admin: Client;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

const fields = (r: { body: { details?: { fields?: Array<{ field: string }> } } }) => (r.body.details?.fields ?? []).map((f) => f.field).sort();

describe('extensions', () => {
  it('creates an extension with a strong one-time password kept only as HA1 over the tenant realm', async () => {
    const r = await admin.request('POST', '/api/extensions', { extension: '201', displayName: 'Иван Петров', outboundPermission: 'national', callerIdNumber: '+74951234567' });
    expect(r.status).toBe(201);
    expect(r.body.extension).toMatchObject({ tenantId: tenant, extension: '201', sipUsername: '201', outboundPermission: 'national', dnd: false, callerIdNumber: '+74951234567' });
    expect(r.body.password).toMatch(/^[A-Za-z0-9]{24}$/);
    const creds = new ExtensionsRepo(h.store.db).credentials(tenant, '201')!;
    expect(creds.ha1).toEqual(computeHa1Set('201', 't.example.ru', r.body.password));
    expect(JSON.stringify(h.store.audit.list({ action: 'extension.create' }).rows)).not.toContain(r.body.password);
    const again = await admin.request('GET', `/api/extensions/${r.body.extension.id}`);
    expect(again.body.extension.password).toBeUndefined();
    expect(JSON.stringify(again.body)).not.toContain('ha1');
  });

  it('names every bad field and writes nothing', async () => {
    const r = await admin.request('POST', '/api/extensions', { extension: '112', outboundPermission: 'space', callerIdNumber: 'abc', forward: { busy: 'x', noAnswerSeconds: 1 } });
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual(['callerIdNumber', 'extension', 'forward.busy', 'forward.noAnswerSeconds', 'outboundPermission']);
    const short = await admin.request('POST', '/api/extensions', { extension: '1' });
    expect(short.body.details.fields).toEqual([{ field: 'extension', message: 'must be 2–6 digits' }]);
    const fwd = await admin.request('POST', '/api/extensions', { extension: '202', forward: { always: '299' } });
    expect(fwd.body.details.fields).toEqual([{ field: 'forward.always', message: 'no extension 299 in this tenant' }]);
    expect(h.store.extensionFeatures.search({}).total).toBe(0);
  });

  it('refuses a duplicate number with 409 naming the field', async () => {
    await admin.request('POST', '/api/extensions', { extension: '203' });
    const dup = await admin.request('POST', '/api/extensions', { extension: '203' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'extension-exists', details: { field: 'extension' } });
  });

  it('updates features, forwards to another extension or outside, and resets the password', async () => {
    const a = (await admin.request('POST', '/api/extensions', { extension: '204' })).body.extension;
    await admin.request('POST', '/api/extensions', { extension: '205' });
    const p = await admin.request('PATCH', `/api/extensions/${a.id}`, { dnd: true, forward: { busy: '205', noAnswer: '+79161234567', noAnswerSeconds: 25 } });
    expect(p.status).toBe(200);
    expect(p.body.extension).toMatchObject({ dnd: true, forward: { busy: '205', noAnswer: '+79161234567', noAnswerSeconds: 25, always: null } });
    const self = await admin.request('PATCH', `/api/extensions/${a.id}`, { forward: { always: '204' } });
    expect(self.body.details.fields).toEqual([{ field: 'forward.always', message: 'cannot forward to itself' }]);
    const renumber = await admin.request('PATCH', `/api/extensions/${a.id}`, { extension: '299' });
    expect(fields(renumber)).toEqual(['extension']);
    const reset = await admin.request('POST', `/api/extensions/${a.id}/reset-password`);
    expect(reset.body.password).toHaveLength(24);
    expect(new ExtensionsRepo(h.store.db).credentials(tenant, '204')!.ha1.MD5).toBe(computeHa1Set('204', 't.example.ru', reset.body.password).MD5);
    expect(h.store.audit.list({ action: 'extension.reset-password' }).rows).toHaveLength(1);
  });

  it('sets TLS-only for an extension (issue 17 item 6) and refuses a non-boolean', async () => {
    const a = (await admin.request('POST', '/api/extensions', { extension: '206' })).body.extension;
    expect(a.requireTls).toBe(false);
    const on = await admin.request('PATCH', `/api/extensions/${a.id}`, { requireTls: true });
    expect(on.status).toBe(200);
    expect(on.body.extension.requireTls).toBe(true);
    expect(h.store.extensionFeatures.get(a.id)!.requireTls).toBe(true);
    const bad = await admin.request('PATCH', `/api/extensions/${a.id}`, { requireTls: 'yes' });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['requireTls']);
    expect(h.store.extensionFeatures.get(a.id)!.requireTls).toBe(true);
  });

  it('lists with search and paging, deletes, and answers not found', async () => {
    for (const [n, name] of [['210', 'Анна'], ['211', 'Борис'], ['212', 'Анатолий']] as const) await admin.request('POST', '/api/extensions', { extension: n, displayName: name });
    const search = await admin.request('GET', '/api/extensions?q=' + encodeURIComponent('Ан'));
    expect(search.body.extensions.map((e: { extension: string }) => e.extension)).toEqual(['210', '212']);
    const page = await admin.request('GET', '/api/extensions?limit=2&offset=2');
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(page.body.extensions).toHaveLength(1);
    const bad = await admin.request('GET', '/api/extensions?limit=0');
    expect(fields(bad)).toEqual(['limit']);
    const id = search.body.extensions[0].id;
    expect((await admin.request('DELETE', `/api/extensions/${id}`)).status).toBe(204);
    const gone = await admin.request('GET', `/api/extensions/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('extension-not-found');
  });

  it('refuses to delete an extension that a forwarding or an inbound number points at', async () => {
    const target = (await admin.request('POST', '/api/extensions', { extension: '260' })).body.extension;
    const from = (await admin.request('POST', '/api/extensions', { extension: '261', forward: { busy: '260' } })).body.extension;
    const r = await admin.request('DELETE', `/api/extensions/${target.id}`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'extension-in-use', details: { forwardedFrom: ['261'], dids: [] } });
    await admin.request('PATCH', `/api/extensions/${from.id}`, { forward: { busy: null } });
    await admin.request('POST', '/api/dids', { number: '+74951230260', destination: { type: 'extension', extension: '260' } });
    const viaDid = await admin.request('DELETE', `/api/extensions/${target.id}`);
    expect(viaDid.body.details).toEqual({ forwardedFrom: [], dids: ['+74951230260'] });
    expect(h.store.extensionFeatures.get(target.id)).toBeDefined();
  });

  it("another tenant's extension is not found for every verb", async () => {
    const theirs = (await root.request('POST', '/api/extensions', { extension: '301', tenantId: other })).body.extension;
    expect(theirs.tenantId).toBe(other);
    for (const [m, suffix, body] of [['GET', '', undefined], ['PATCH', '', { dnd: true }], ['DELETE', '', undefined], ['POST', '/reset-password', undefined]] as const) {
      const r = await admin.request(m, `/api/extensions/${theirs.id}${suffix}`, body);
      expect(r.status, m + suffix).toBe(404);
    }
    expect((await admin.request('GET', '/api/extensions')).body.total).toBe(0);
    expect(h.store.extensionFeatures.get(theirs.id)!.dnd).toBe(false);
  });

  it('a superadmin must name the tenant', async () => {
    const r = await root.request('POST', '/api/extensions', { extension: '220' });
    expect(r.body.details.fields).toEqual([{ field: 'tenantId', message: 'required: choose the organisation' }]);
  });

  it('supervisors read, employees see only their linked extensions, auditors are refused', async () => {
    const emp = await h.as('employee', tenant, 'emp');
    await admin.request('POST', '/api/extensions', { extension: '230', userId: emp.userId });
    await admin.request('POST', '/api/extensions', { extension: '231' });
    const sup = (await h.as('supervisor', tenant)).client;
    expect((await sup.request('GET', '/api/extensions')).body.total).toBe(2);
    const write = await sup.request('POST', '/api/extensions', { extension: '232' });
    expect(write.status).toBe(403);
    const mine = await emp.client.request('GET', '/api/extensions');
    expect(mine.body.extensions.map((e: { extension: string }) => e.extension)).toEqual(['230']);
    const aud = (await h.as('auditor', tenant)).client;
    expect((await aud.request('GET', '/api/extensions')).status).toBe(403);
    const foreignUser = await h.as('employee', other);
    const link = await admin.request('POST', '/api/extensions', { extension: '233', userId: foreignUser.userId });
    expect(link.body.details.fields).toEqual([{ field: 'userId', message: 'no such user in this tenant' }]);
  });

  it('enforces the licence extension limit over all tenants', async () => {
    // Unlicensed (eval profile): 10 extensions on the whole box.
    for (let i = 0; i < 6; i++) expect((await admin.request('POST', '/api/extensions', { extension: `40${i}` })).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await root.request('POST', '/api/extensions', { extension: `50${i}`, tenantId: other })).status).toBe(201);
    const r = await admin.request('POST', '/api/extensions', { extension: '499' });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'licence-extension-limit', details: { limit: 10, count: 10 } });
    expect(new ExtensionsRepo(h.store.db).countAll()).toBe(10);
  });

  it('gives the last licensed place to one of several simultaneous requests', async () => {
    for (let i = 0; i < 8; i++) await admin.request('POST', '/api/extensions', { extension: `41${i}` });
    const replies = await Promise.all(['420', '421', '422', '423'].map((n) => admin.request('POST', '/api/extensions', { extension: n })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 201, 403, 403]);
    expect(new ExtensionsRepo(h.store.db).countAll()).toBe(10);
  });
});

describe('extension usage', () => {
  it('counts every tenant for the licence page', async () => {
    await admin.request('POST', '/api/extensions', { extension: '201' });
    await root.request('POST', '/api/extensions', { extension: '201', tenantId: other });
    const r = await admin.request('GET', '/api/extensions/usage');
    expect(r.body).toEqual({ extensions: 2, tenants: 2 });
    const sup = (await h.as('supervisor', tenant)).client;
    expect((await sup.request('GET', '/api/extensions/usage')).status).toBe(403);
  });
});
