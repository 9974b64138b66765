// Issue 16's low items for the api, each as the attack against a real api
// (HTTPS on 127.0.0.1, a temporary database): sessions, one-time passwords,
// scrypt's cost, the public health report, bodies before authentication,
// CSV bombs and formula cells, user-name probing across tenants.
import { scrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../services/api/commands/csv';
import { FingerprintCache } from '../../services/api/commands/fingerprint-cache';
import { hashPassword, needsRehash, verifyPassword } from '../../services/api/password';
import { ensureHealthToken } from '../../services/api/routes/health/health-token';
import { PASSWORD, startApi, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A hash as the api made them before: scrypt N=2^15. */
function oldHash(password: string): Promise<string> {
  const salt = Buffer.from('0123456789abcdef');
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (e, key) =>
      e ? reject(e) : resolve(`scrypt$32768$8$1$${salt.toString('base64')}$${key.toString('base64')}`),
    ),
  );
}

describe('sessions and passwords', () => {
  it('a password change signs out every other session of the user, not this one', async () => {
    h = await startApi();
    const { client: here, userId } = await h.as('superadmin', null, 'changer');
    const there = h.client();
    expect((await there.login('changer', PASSWORD)).status).toBe(200);
    expect((await there.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await here.request('POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).status).toBe(204);
    expect((await there.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await here.request('GET', '/api/auth/me')).body.user.id).toBe(userId);
  });

  it('a session left idle ends; one in use lives on', { timeout: 40_000 }, async () => {
    h = await startApi({ api: { idleMinutes: 0.1 } }); // 6 s
    const { client: idle } = await h.as('superadmin', null);
    const { client: busy } = await h.as('superadmin', null);
    const t0 = Date.now();
    while (Date.now() - t0 < 8000) {
      await new Promise((r) => setTimeout(r, 1500));
      expect((await busy.request('GET', '/api/auth/me')).status).toBe(200);
    }
    expect((await idle.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('a one-time password expires', async () => {
    h = await startApi({ api: { oneTimePasswordHours: 72 } });
    const hash = await hashPassword(PASSWORD);
    const fresh = h.store.users.create({ tenantId: null, username: 'fresh', role: 'superadmin', passwordHash: hash, mustChangePassword: true });
    const stale = h.store.users.create({ tenantId: null, username: 'stale', role: 'superadmin', passwordHash: hash, mustChangePassword: true });
    h.store.users.setPassword(stale.id, hash, true, new Date(Date.now() - 73 * 3_600_000));
    expect((await h.client().login('fresh', PASSWORD)).status).toBe(200);
    const r = await h.client().login('stale', PASSWORD);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('invalid-credentials');
    expect(h.store.audit.list({ action: 'auth.login' }).rows[0]).toMatchObject({ actorId: stale.id, outcome: 'failed', details: { reason: 'one-time-password-expired' } });
    expect(fresh.id).not.toBe(stale.id);
  });

  it('hashes with scrypt N=2^17 and rehashes an older hash at the next sign-in', async () => {
    h = await startApi({ api: { scryptLogN: 17 } });
    expect((await hashPassword('x')).startsWith('scrypt$131072$8$1$')).toBe(true);
    const u = h.store.users.create({ tenantId: null, username: 'oldie', role: 'superadmin', passwordHash: await oldHash(PASSWORD) });
    expect(needsRehash(h.store.users.get(u.id)!.passwordHash)).toBe(true);
    expect((await h.client().login('oldie', PASSWORD)).status).toBe(200);
    const now = h.store.users.get(u.id)!.passwordHash;
    expect(now.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(await verifyPassword(PASSWORD, now)).toBe(true);
    expect((await h.client().login('oldie', PASSWORD)).status).toBe(200);
  });
});

describe('GET /api/health', () => {
  const status = () => ({
    pid: 1,
    updatedAt: new Date().toISOString(),
    processes: [{ name: 'call-control', state: 'running' as const, pid: 42, restarts: 0, since: new Date().toISOString(), lastExit: null, health: { ok: true, activeCalls: 3, trunks: [{ name: 'operator-a', tenantId: 7 }] } }],
  });

  it('shows the public only whether it is up; the dashboard more; superadmins and the box token everything', async () => {
    h = await startApi({}, { supervisorStatus: status });
    const anon = await h.client().request('GET', '/api/health');
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ ok: true, status: 'ok', processes: [{ name: 'call-control', state: 'running', healthy: true }] });
    expect(JSON.stringify(anon.body)).not.toMatch(/operator-a|activeCalls|tenantId|pid/);
    const t = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' });
    const { client: ta } = await h.as('tenant-admin', t.id);
    const dash = await ta.request('GET', '/api/health');
    expect(dash.body.processes[0]).toMatchObject({ pid: 42, restarts: 0 });
    expect(dash.body.processes[0].health).toBeUndefined();
    const { client: sa } = await h.as('superadmin', null);
    expect((await sa.request('GET', '/api/health')).body.processes[0].health).toMatchObject({ activeCalls: 3 });
    const dataDir = path.dirname(h.store.db.name);
    const token = ensureHealthToken(dataDir);
    expect(readFileSync(path.join(dataDir, 'keys', 'health.token'), 'utf8').trim()).toBe(token);
    expect((await h.client().request('GET', '/api/health', undefined, { 'x-korobka-health-token': token })).body.processes[0].health).toMatchObject({ activeCalls: 3 });
    expect((await h.client().request('GET', '/api/health', undefined, { 'x-korobka-health-token': 'guess' })).body.processes[0].health).toBeUndefined();
  });
});

describe('requests before authentication', () => {
  it('an anonymous 4 MB body gets 401 without being read', async () => {
    h = await startApi();
    const big = JSON.stringify({ csv: 'x'.repeat(4 * 1024 * 1024 - 100), dryRun: true });
    const r = await h.client().request('POST', '/api/extensions/import', big);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('not-authenticated');
  });
});

describe('CSV', () => {
  it('a header of separators stops at the column cap: one problem, little memory, no stall', async () => {
    h = await startApi();
    const t = h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' });
    const { client } = await h.as('tenant-admin', t.id);
    const heap = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const r = await client.request('POST', '/api/extensions/import', { csv: ';'.repeat(3 * 1024 * 1024) + '\n1', dryRun: true });
    const ms = performance.now() - t0;
    expect(r.status).toBe(200);
    expect(r.body.fileErrors).toEqual([{ field: 'csv', message: 'line 1 has more than 26 cells; the template has 13 columns' }]);
    expect(r.body.errors).toHaveLength(1);
    // It was ~3 GB and seconds of a blocked event loop.
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(200 * 1024 * 1024);
    expect(ms).toBeLessThan(5000);
    expect(parseCsv('a;b;c;d', { maxFields: 3 }).stopped).toEqual({ reason: 'too-many-fields', line: 1, max: 3 });
  });

  it('the export defuses cells that start with TAB or CR before a formula', () => {
    expect(csvField('\t=1+1')).toBe("'\t=1+1");
    expect(csvField('\r=1+1')).toBe(`"'\r=1+1"`);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+7495')).toBe('+7495');
  });
});

describe('user names across tenants', () => {
  it('a tenant admin probing names gets a few "taken" answers, then 429, each audited', async () => {
    h = await startApi();
    const a = h.store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' });
    const b = h.store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' });
    for (let i = 0; i < 12; i++) h.store.users.create({ tenantId: b.id, username: `b-staff-${i}`, role: 'supervisor', passwordHash: 'x' });
    const { client } = await h.as('tenant-admin', a.id);
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push((await client.request('POST', '/api/users', { username: `b-staff-${i}`, role: 'supervisor' })).status);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(409));
    expect(answers.slice(10)).toEqual([429, 429]);
    expect(h.store.audit.list({ action: 'user.create' }).rows.filter((r) => r.outcome === 'failed')).toHaveLength(10);
  });
});

describe('the fingerprint', () => {
  it('is collected once for many licence checks', async () => {
    let n = 0;
    const cache = new FingerprintCache(async () => {
      n++;
      return [];
    });
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    await cache.get();
    expect(n).toBe(1);
  });
});
