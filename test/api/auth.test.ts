import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../services/api/password';
import { PASSWORD, startApi, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startApi({ api: { lockoutAttempts: 3, lockoutMinutes: 15 } });
});
afterEach(() => h.close());

describe('sign-in', () => {
  it('signs in with the right password and sets a secure session cookie', async () => {
    const t = h.store.tenants.create({ name: 'Bank', sipDomain: 'bank.example.ru' });
    h.store.users.create({ tenantId: t.id, username: 'anna', role: 'tenant-admin', passwordHash: await hashPassword(PASSWORD) });
    const c = h.client();
    const r = await c.request('POST', '/api/auth/login', { username: 'anna', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'anna', role: 'tenant-admin', tenantId: t.id });
    expect(r.body.user.passwordHash).toBeUndefined();
    const cookie = (r.headers['set-cookie'] as string[]).find((s) => s.startsWith('korobka_sid='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/secure/i);
    expect(cookie).toMatch(/samesite=strict/i);
    c.csrf = r.body.csrfToken;
    const me = await c.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.tenant).toMatchObject({ sipDomain: 'bank.example.ru' });
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    h.store.users.create({ tenantId: null, username: 'root', role: 'superadmin', passwordHash: await hashPassword(PASSWORD) });
    const wrong = await h.client().request('POST', '/api/auth/login', { username: 'root', password: 'nope-nope-nope' });
    const unknown = await h.client().request('POST', '/api/auth/login', { username: 'ghost', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ status: 401, code: 'invalid-credentials', message: 'wrong user name or password' });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('locks the account after repeated failures, even for the right password, answering as for a wrong one', async () => {
    h.store.users.create({ tenantId: null, username: 'root', role: 'superadmin', passwordHash: await hashPassword(PASSWORD) });
    const c = h.client();
    expect((await c.login('root', 'bad-password-1')).status).toBe(401);
    expect((await c.login('root', 'bad-password-2')).status).toBe(401);
    const third = await c.login('root', 'bad-password-3');
    expect(third.status).toBe(401);
    // Issue 16 item 12: no 423 — a locked account must not tell that the user name exists.
    const right = await c.login('root', PASSWORD);
    expect(right.status).toBe(401);
    expect(right.body).toEqual(third.body);
    expect(right.body.code).toBe('invalid-credentials');
    const rows = h.store.audit.list({ action: 'auth.login' }).rows;
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(3);
    expect(rows.filter((r) => r.outcome === 'denied')).toHaveLength(1);
  });

  it('names the missing field', async () => {
    const r = await h.client().request('POST', '/api/auth/login', { username: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    expect(r.body.details.fields).toEqual([{ field: 'password', message: expect.any(String) }]);
  });

  it('rejects non-JSON bodies and broken JSON', async () => {
    const c = h.client();
    const form = await c.request('POST', '/api/auth/login', 'username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const broken = await c.request('POST', '/api/auth/login', '{"username":', {});
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('invalid-json');
  });

  it('requires the CSRF token on state-changing requests', async () => {
    const { client } = await h.as('superadmin', null);
    const token = client.csrf;
    client.csrf = '';
    const r = await client.request('POST', '/api/tenants', { name: 'X', sipDomain: 'x.example.ru', admin: { username: 'xadmin' } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('csrf-failed');
    client.csrf = 'forged-token';
    expect((await client.request('POST', '/api/auth/logout')).status).toBe(403);
    client.csrf = token;
    expect((await client.request('POST', '/api/auth/logout')).status).toBe(204);
    expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('makes a one-time password be changed before anything else', async () => {
    const { client: admin } = await h.as('superadmin', null);
    const created = await admin.request('POST', '/api/users', { username: 'newbie', role: 'superadmin' });
    expect(created.status).toBe(201);
    const c = h.client();
    expect((await c.login('newbie', created.body.password)).body.mustChangePassword).toBe(true);
    expect((await c.request('GET', '/api/tenants')).body.code).toBe('password-change-required');
    const weak = await c.request('POST', '/api/auth/password', { currentPassword: created.body.password, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.details.fields[0].field).toBe('newPassword');
    const ok = await c.request('POST', '/api/auth/password', { currentPassword: created.body.password, newPassword: 'a much better passphrase' });
    expect(ok.status).toBe(204);
    expect((await c.request('GET', '/api/tenants')).status).toBe(200);
  });

  it('answers unknown endpoints with the error shape', async () => {
    const r = await h.client().request('GET', '/api/nope');
    expect(r.status).toBe(401);
    const { client } = await h.as('superadmin', null);
    const r2 = await client.request('GET', '/api/nope');
    expect(r2.body).toEqual({ status: 404, code: 'route-not-found', message: 'no such endpoint: GET /api/nope' });
  });
});
