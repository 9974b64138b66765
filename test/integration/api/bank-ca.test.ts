// Issue 16 item 16: the bank's own CA as the first path. `korobka tls csr`
// makes the request, the bank's CA (openssl, standing in for theirs) signs
// it, `korobka tls install` checks and installs it, and the running api
// serves it; a certificate that is not for the request changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp';
import { startApiProcess, type ApiProcess } from './api-process';

const korobka = (dataDir: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/appliance/cli/main.js', 'tls', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 60_000 });
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

const bank = tempDir('korobka-bank-ca-');
const f = (name: string) => path.join(bank.dir, name);
let api: ApiProcess;
let refused: { code: number | null; out: string; unchanged: boolean };
let installed: { code: number | null; out: string };

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Bank Root CA/O=Test Bank', '-keyout', f('bank.key'), '-out', f('bank.crt'), '-days', '30');
  api = await startApiProcess('bank-ca', {}, [], (dataDir) => {
    const server = path.join(dataDir, 'tls', 'server.crt');
    const before = sha(server);
    // A certificate the bank signed for some other key: refused, nothing changes.
    expect(korobka(dataDir, 'csr', '--name', 'pbx.bank.example', '--out', f('box.csr')).code).toBe(0);
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=other', '-keyout', f('other.key'), '-out', f('other.csr'));
    openssl('x509', '-req', '-in', f('other.csr'), '-CA', f('bank.crt'), '-CAkey', f('bank.key'), '-CAcreateserial', '-out', f('other.crt'), '-days', '10');
    const r = korobka(dataDir, 'install', '--cert', f('other.crt'), '--ca', f('bank.crt'));
    refused = { ...r, unchanged: sha(server) === before };
    openssl('x509', '-req', '-in', f('box.csr'), '-CA', f('bank.crt'), '-CAkey', f('bank.key'), '-CAcreateserial', '-copy_extensions', 'copy', '-out', f('box.crt'), '-days', '10');
    installed = korobka(dataDir, 'install', '--cert', f('box.crt'), '--ca', f('bank.crt'));
  });
});
afterAll(async () => {
  await api?.stop();
  bank.cleanup();
});

describe('a server certificate from the bank’s own CA', () => {
  it('refuses a certificate that is not for the pending request, naming why, and changes nothing', () => {
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('refused, nothing changed: the first certificate is not for the pending request');
    expect(refused.unchanged).toBe(true);
  });

  it('installs the signed certificate, makes the bank CA the trusted one and deletes the appliance CA key', () => {
    expect(installed.code, installed.out).toBe(0);
    expect(readFileSync(path.join(api.dataDir, 'tls', 'ca.crt'), 'utf8')).toBe(readFileSync(f('bank.crt'), 'utf8'));
    expect(existsSync(path.join(api.dataDir, 'tls', 'ca.key'))).toBe(false);
    const status = korobka(api.dataDir, 'status');
    expect(status.out).toContain('issued by:   your CA');
    expect(status.out).toContain('DNS:pbx.bank.example');
  });

  it('the running api serves it: a client trusting only the bank CA connects, and sees the bank as issuer', async () => {
    const issuer = await new Promise<string>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: api.port, path: '/api/health', ca: readFileSync(f('bank.crt')), servername: 'pbx.bank.example', agent: false }, (res) => {
        res.resume();
        resolve(String((res.socket as TLSSocket).getPeerCertificate().issuer.CN));
      });
      req.on('error', reject);
      req.end();
    });
    expect(issuer).toBe('Bank Root CA');
    expect((await api.request('GET', '/api/health')).status).toBe(200);
  });

  it('korobka init run again keeps the bank’s certificate', () => {
    const server = path.join(api.dataDir, 'tls', 'server.crt');
    const before = sha(server);
    const r = spawnSync(process.execPath, ['dist/appliance/cli/main.js', 'init', '--data-dir', api.dataDir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('kept');
    expect(sha(server)).toBe(before);
  });
});
