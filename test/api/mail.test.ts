// Mail API against a real SMTP server on loopback: settings per appliance and
// tenant with a write-only password (never answered, never in the audit
// row), the test message reporting the server's own refusal, the outbox list
// and retry, missed-call notices; bad input named by field and nothing
// changed; tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSmtp, type TestSmtp } from '../helpers/smtp-server';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let smtp: TestSmtp;
let superadmin: Client;
let admin: Client;
let otherAdmin: Client;
let auditor: Client;
let tenantId: number;
let otherTenant: number;

const settings = (over: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: smtp.port, security: 'none', username: 'box', password: 'right', from: 'pbx@bank.example', fromName: 'АТС Банка', ...over });

beforeAll(async () => {
  smtp = await testSmtp({ user: 'box', password: 'right' });
  h = await startApi();
  tenantId = h.store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  otherTenant = h.store.tenants.create({ name: 'Other', sipDomain: 'pbx.other.ru' }).id;
  superadmin = (await h.as('superadmin', null)).client;
  admin = (await h.as('tenant-admin', tenantId)).client;
  otherAdmin = (await h.as('tenant-admin', otherTenant, 'other-admin')).client;
  auditor = (await h.as('auditor', tenantId)).client;
  h.store.extensions.create({ tenantId, extension: '202', ha1: { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) } });
});
afterAll(async () => {
  await h?.close();
  await smtp?.stop();
});

describe('SMTP settings', () => {
  it('a superadmin saves the appliance\'s; the password is never answered nor audited', async () => {
    const r = await superadmin.request('PUT', '/api/mail/smtp?scope=appliance', settings());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.settings).toMatchObject({ host: '127.0.0.1', security: 'none', username: 'box', hasPassword: true, enabled: true });
    expect(JSON.stringify(r.body)).not.toContain('right');
    const g = await superadmin.request('GET', '/api/mail/smtp?scope=appliance');
    expect(g.body).toMatchObject({ scope: 'appliance', settings: { hasPassword: true } });
    expect(JSON.stringify(g.body)).not.toContain('"password"');
    const row = h.store.audit.list({ action: 'mail.smtp.update' }).rows[0]!;
    expect(row).toMatchObject({ target: 'mail:appliance' });
    expect(JSON.stringify(row)).not.toContain('right');
    expect(row.details).toMatchObject({ password: 'changed' });
  });

  it('a tenant admin may not touch the appliance\'s, sees only whether it exists', async () => {
    const r = await admin.request('PUT', '/api/mail/smtp?scope=appliance', settings({ host: 'evil.example' }));
    expect(r.status).toBe(403);
    const g = await admin.request('GET', '/api/mail/smtp');
    expect(g.body).toEqual({ scope: 'tenant', settings: null, applianceConfigured: true });
  });

  it('refuses bad settings by field and changes nothing', async () => {
    const r = await admin.request('PUT', '/api/mail/smtp', settings({ port: 0, security: 'ssl', from: 'nobody', extra: 1 }));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    const fields = r.body.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['port', 'security', 'from']));
    expect((await admin.request('GET', '/api/mail/smtp')).body.settings).toBeNull();
  });

  it('test message: the server\'s 535 when the password is wrong, delivered when right', async () => {
    const bad = await admin.request('POST', '/api/mail/smtp/test', { to: 'ivanova@bank.example', settings: settings({ password: 'wrong' }) });
    expect(bad.status).toBe(502);
    expect(bad.body.code).toBe('smtp-failed');
    expect(bad.body.message).toMatch(/535 Authentication credentials invalid/);
    expect(bad.body.details).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(JSON.stringify(bad.body)).not.toContain('wrong');
    const before = smtp.received.length;
    const ok = await admin.request('POST', '/api/mail/smtp/test', { to: 'ivanova@bank.example', settings: settings() });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, via: 'tenant' });
    await smtp.waitFor(before + 1);
    expect(smtp.received.at(-1)!.subject).toBe('Korobka: проверка почты / mail test');
    expect(h.store.audit.list({ action: 'mail.smtp.test' }).rows.map((a) => a.outcome)).toEqual(['ok', 'failed']);
    // Saved nothing: a test is not a save.
    expect((await admin.request('GET', '/api/mail/smtp')).body.settings).toBeNull();
    // Without a form: the appliance's settings, inherited.
    const inherited = await admin.request('POST', '/api/mail/smtp/test', { to: 'ivanova@bank.example' });
    expect(inherited.body).toMatchObject({ ok: true, via: 'appliance' });
  });

  it('an unreachable server is reported as such', async () => {
    const r = await admin.request('POST', '/api/mail/smtp/test', { to: 'a@bank.example', settings: settings({ port: 1 }) });
    expect(r.status).toBe(502);
    expect(r.body.message).toMatch(/ECONNREFUSED/);
  });

  it('a tenant\'s own settings keep the stored password when the form leaves it out', async () => {
    await admin.request('PUT', '/api/mail/smtp', settings());
    const r = await admin.request('PUT', '/api/mail/smtp', settings({ password: undefined, fromName: 'Банк' }));
    expect(r.body.settings).toMatchObject({ hasPassword: true, fromName: 'Банк' });
    const ok = await admin.request('POST', '/api/mail/smtp/test', { to: 'a@bank.example', settings: settings({ password: undefined }) });
    expect(ok.body).toMatchObject({ ok: true, via: 'tenant' });
    expect((await otherAdmin.request('GET', '/api/mail/smtp')).body.settings).toBeNull();
  });
});

describe('outbox and notices', () => {
  it('lists a tenant\'s messages only, and sends a failed one again', async () => {
    const id = h.store.mail.enqueue({ tenantId, kind: 'missed-call', to: ['a@bank.example'], subject: 's', text: 't' })!;
    h.store.mail.enqueue({ tenantId: otherTenant, kind: 'missed-call', to: ['b@other.example'], subject: 'other', text: 't' });
    const l = await auditor.request('GET', '/api/mail/outbox');
    expect(l.status).toBe(200);
    expect(l.body.messages.map((m: { subject: string }) => m.subject)).toEqual(['s']);
    expect(l.body.messages[0]).not.toHaveProperty('text');
    const notFailed = await admin.request('POST', `/api/mail/outbox/${id}/retry`);
    expect(notFailed.status).toBe(400);
    expect(notFailed.body.code).toBe('mail-not-failed');
    h.store.mail.claim(id);
    h.store.mail.markFailed(id, '550 no');
    expect((await otherAdmin.request('POST', `/api/mail/outbox/${id}/retry`)).status).toBe(404);
    const r = await admin.request('POST', `/api/mail/outbox/${id}/retry`);
    expect(r.status).toBe(200);
    expect(r.body.message).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await admin.request('GET', '/api/mail/outbox?state=bogus')).status).toBe(400);
  });

  it('missed-call notices: an existing extension and an address; another tenant cannot see or delete them', async () => {
    const bad = await admin.request('POST', '/api/mail/notices', { extension: '999', email: 'a@bank.example' });
    expect(bad.status).toBe(404);
    expect(bad.body.code).toBe('extension-not-found');
    const badMail = await admin.request('POST', '/api/mail/notices', { extension: '202', email: 'nope' });
    expect(badMail.body.details.fields[0].field).toBe('email');
    const r = await admin.request('POST', '/api/mail/notices', { extension: '202', email: 'ivanova@bank.example' });
    expect(r.status).toBe(201);
    expect((await admin.request('GET', '/api/mail/notices')).body.notices).toHaveLength(1);
    expect((await otherAdmin.request('GET', '/api/mail/notices')).body.notices).toEqual([]);
    expect((await otherAdmin.request('DELETE', `/api/mail/notices/${r.body.notice.id}`)).status).toBe(404);
    expect((await admin.request('DELETE', `/api/mail/notices/${r.body.notice.id}`)).status).toBe(204);
    expect(h.store.audit.list({ action: 'mail.notice.delete' }).rows).toHaveLength(1);
  });
});
