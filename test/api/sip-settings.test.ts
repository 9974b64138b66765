// /api/sip-settings: a tenant admin chooses the digest algorithms the
// tenant's challenges offer and sets one extension apart; a name that is not
// a policy is refused by field; another tenant's extension is out of reach;
// each change is audited; an auditor reads and cannot write.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../services/call-control';
import { digestPolicyFor } from '../../services/common/sip-digest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let admin: Client;
let tenant: number;
let other: number;
beforeEach(async () => {
  h = await startApi();
  tenant = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  other = h.store.tenants.create({ name: 'O', sipDomain: 'o.example.ru' }).id;
  admin = (await h.as('tenant-admin', tenant, 'ta')).client;
});
afterEach(() => h.close());

describe('SIP settings', () => {
  it('starts at MD5 then SHA-256, changes the tenant’s policy and audits it', async () => {
    const before = await admin.request('GET', '/api/sip-settings');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ tenantId: tenant, digestPolicy: 'md5-sha256', default: 'md5-sha256', extensions: [] });
    expect(before.body.policies['sha256-md5']).toEqual(['SHA-256', 'MD5']);
    const r = await admin.request('PUT', '/api/sip-settings', { digestPolicy: 'sha256' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ tenantId: tenant, digestPolicy: 'sha256', algorithms: ['SHA-256'] });
    expect(digestPolicyFor(h.store.settings, tenant)).toBe('sha256');
    expect(digestPolicyFor(h.store.settings, other)).toBe('md5-sha256');
    const row = h.store.audit.list({ tenantId: tenant }).rows.find((a) => a.action === 'sip-settings.update');
    expect(row?.details).toEqual({ digestPolicy: { from: 'md5-sha256', to: 'sha256' } });
  });

  it('refuses a policy that does not exist, naming the field, and changes nothing', async () => {
    const r = await admin.request('PUT', '/api/sip-settings', { digestPolicy: 'sha512' });
    expect(r.status).toBe(400);
    expect(r.body.details.fields[0].field).toBe('digestPolicy');
    expect(digestPolicyFor(h.store.settings, tenant)).toBe('md5-sha256');
  });

  it('sets one extension apart and back; another tenant’s extension answers 404', async () => {
    const mine = h.store.extensions.create({ tenantId: tenant, extension: '201', ha1: computeHa1Set('201', 't.example.ru', 'x') });
    const theirs = h.store.extensions.create({ tenantId: other, extension: '201', ha1: computeHa1Set('201', 'o.example.ru', 'x') });
    await admin.request('PUT', '/api/sip-settings', { digestPolicy: 'sha256' });
    const set = await admin.request('PUT', `/api/sip-settings/extensions/${mine.id}`, { digestPolicy: 'md5' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ digestPolicy: 'md5', effective: 'md5', algorithms: ['MD5'] });
    expect((await admin.request('GET', '/api/sip-settings')).body.extensions).toEqual([{ id: mine.id, extension: '201', digestPolicy: 'md5' }]);
    expect((await admin.request('PUT', `/api/sip-settings/extensions/${theirs.id}`, { digestPolicy: 'md5' })).status).toBe(404);
    const back = await admin.request('PUT', `/api/sip-settings/extensions/${mine.id}`, { digestPolicy: null });
    expect(back.body).toMatchObject({ digestPolicy: null, effective: 'sha256' });
    expect(digestPolicyFor(h.store.settings, tenant, mine.id)).toBe('sha256');
  });

  it('an auditor reads and may not write', async () => {
    const auditor = (await h.as('auditor', null, 'aud')).client;
    expect((await auditor.request('GET', `/api/sip-settings?tenantId=${tenant}`)).status).toBe(200);
    expect((await auditor.request('PUT', '/api/sip-settings', { digestPolicy: 'md5', tenantId: tenant })).status).toBe(403);
  });
});
