import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPair, ensureTls, makeCa, openSslReadable, serial } from '../../provisioning/tls';

describe('certificate serials', () => {
  it('from an all-zero random source: positive, 16 bytes, first byte 0x40, and OpenSSL reads the certificate', () => {
    const s = serial(() => Buffer.alloc(16));
    expect(s).toMatch(/^40(00){15}$/);
    const { cert } = makeCa('test', new Date(), () => s);
    expect(new X509Certificate(cert).serialNumber.toLowerCase()).toBe(s);
  });

  it('every serial starts with a byte between 0x40 and 0x7f, whatever the random bytes', () => {
    for (let first = 0; first < 256; first++) {
      const s = serial((n) => Buffer.alloc(n, first));
      expect(Number.parseInt(s.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x40);
      expect(Number.parseInt(s.slice(0, 2), 16)).toBeLessThanOrEqual(0x7f);
      expect(s).toHaveLength(32);
    }
  });
});

describe('certificates are checked with OpenSSL before they are written', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses a certificate with a key that is not its own', () => {
    const a = makeCa('a');
    const b = makeCa('b');
    expect(() => checkPair({ cert: a.cert, key: b.key })).toThrow(/does not match/);
    expect(checkPair(a).subject).toContain('CN=a');
  });

  it('makes a refused pair again, and gives up with the reason after three refusals', () => {
    const good = makeCa('good');
    let calls = 0;
    const made = openSslReadable('test certificate', () => (++calls === 1 ? { cert: 'junk', key: good.key } : good));
    expect(calls).toBe(2);
    expect(made.x509.subject).toContain('CN=good');
    expect(() => openSslReadable('test certificate', () => ({ cert: 'junk', key: good.key }))).toThrow(/test certificate could not be made/);
  });

  it('ensureTls writes a CA and a server certificate OpenSSL reads, signed by that CA, keys private', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'korobka-tls-'));
    dirs.push(dir);
    const r = ensureTls(dir);
    expect(r.created).toBe(true);
    const ca = new X509Certificate(readFileSync(r.files.caCert));
    const server = new X509Certificate(readFileSync(r.files.cert));
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkPrivateKey(createPrivateKey(readFileSync(r.files.key)))).toBe(true);
    expect(statSync(r.files.key).mode & 0o077).toBe(0);
    expect(ensureTls(dir).created).toBe(false);
  });
});
