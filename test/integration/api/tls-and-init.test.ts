// Issue 16: the running api refuses TLS 1.2 without forward secrecy and the
// CBC-SHA1 suites (openssl s_client as the attacker's client), and `korobka
// init --admin-name` makes the first superadmin under a name of the
// installer's choosing, so `admin` is not there to guess or lock.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from './api-process';

let api: ApiProcess;
beforeAll(async () => {
  api = await startApiProcess('tls-and-init', {}, ['--admin-name', 'chief-officer']);
});
afterAll(() => api?.stop());

/** openssl s_client with one TLS 1.2 cipher; resolves with whether the handshake completed. */
function handshake(cipher: string): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${api.port}`, '-tls1_2', '-cipher', cipher, '-servername', 'localhost', '-brief'],
      { timeout: 15_000 },
      (err, stdout, stderr) => resolve({ ok: !err && /Cipher is|CONNECTION ESTABLISHED/i.test(stdout + stderr), out: stdout + stderr }),
    );
    child.stdin?.end('Q\n');
  });
}

describe('TLS policy of the running api', () => {
  for (const cipher of ['AES128-SHA', 'AES256-SHA', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'DES-CBC3-SHA']) {
    it(`refuses TLS 1.2 with ${cipher}`, async () => {
      const r = await handshake(cipher);
      expect(r.ok, r.out).toBe(false);
    });
  }

  it('accepts TLS 1.2 with ECDHE and AES-GCM', async () => {
    const r = await handshake('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(r.ok, r.out).toBe(true);
  });
});

describe('korobka init --admin-name', () => {
  it('the first superadmin has the chosen name, and there is no admin', async () => {
    const r = await api.request('POST', '/api/auth/login', { body: { username: 'chief-officer', password: api.initialPassword } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'chief-officer', role: 'superadmin' });
    expect((await api.request('POST', '/api/auth/login', { body: { username: 'admin', password: api.initialPassword } })).status).toBe(401);
  });

  it('refuses a name that is not a user name, and makes nothing', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, ['dist/appliance/cli/main.js', 'init', '--data-dir', `${api.dataDir}-never`, '--admin-name', 'a b'], (err, _o, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('korobka init: --admin-name: may contain letters, digits and . _ @ - only');
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${api.dataDir}-never`)).toBe(false);
  });
});
