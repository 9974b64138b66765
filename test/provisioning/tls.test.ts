import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outside, parseNet, permittedBy } from '../../provisioning/name-constraints';
import { checkPair, ensureTls, issueServerCert, makeCa, openSslReadable, serial, tlsFiles } from '../../provisioning/tls';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'korobka-tls-'));
  dirs.push(d);
  return d;
};

/** `openssl verify` of a certificate against a CA file: the check browsers make, name constraints included. */
function opensslVerify(caFile: string, certPem: string): { ok: boolean; out: string } {
  const f = path.join(tmp(), 'leaf.crt');
  writeFileSync(f, certPem);
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, f], { encoding: 'utf8', timeout: 15_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('certificate serials', () => {
  it('from an all-zero random source: positive, 16 bytes, first byte 0x40, and OpenSSL reads the certificate', () => {
    const s = serial(() => Buffer.alloc(16));
    expect(s).toMatch(/^40(00){15}$/);
    const { cert } = makeCa('test', { serial: () => s });
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
});

describe('the appliance CA (issue 16 item 16)', () => {
  it('ensureTls writes a CA and a server certificate that openssl verifies, keys private, and keeps them on a second run', () => {
    const dir = tmp();
    const r = ensureTls(dir);
    expect(r).toMatchObject({ created: true, newCa: true });
    const ca = new X509Certificate(readFileSync(r.files.caCert));
    const server = new X509Certificate(readFileSync(r.files.cert));
    expect(opensslVerify(r.files.caCert, readFileSync(r.files.cert, 'utf8'))).toMatchObject({ ok: true });
    expect(server.checkPrivateKey(createPrivateKey(readFileSync(r.files.key)))).toBe(true);
    expect(statSync(r.files.key).mode & 0o077).toBe(0);
    expect(statSync(r.files.caKey).mode & 0o077).toBe(0);
    // Three years, not ten.
    expect(new Date(ca.validTo).getTime() - Date.now()).toBeLessThan(3 * 366 * 86400_000);
    expect(ensureTls(dir)).toMatchObject({ created: false, newCa: false });
  });

  it('is limited to this box: a certificate its key signs for another site or address fails openssl verify', () => {
    const dir = tmp();
    const files = ensureTls(dir).files;
    const ca = { cert: readFileSync(files.caCert, 'utf8'), key: readFileSync(files.caKey, 'utf8') };
    const p = permittedBy(ca.cert)!;
    expect(p.dns).toContain(os.hostname());
    expect(p.nets).toEqual(expect.arrayContaining(['127.0.0.0/8', '::1/128']));
    // What a thief of ca.key would mint: refused by the constraint, not by a missing signature.
    const bank = opensslVerify(files.caCert, issueServerCert(ca, { dns: ['online.bank.example'], ips: [] }).cert);
    expect(bank.ok).toBe(false);
    expect(bank.out).toMatch(/permitted subtree violation/);
    const ip = opensslVerify(files.caCert, issueServerCert(ca, { dns: ['localhost'], ips: ['203.0.113.7'] }).cert);
    expect(ip.ok).toBe(false);
    expect(ip.out).toMatch(/permitted subtree violation/);
    expect(opensslVerify(files.caCert, issueServerCert(ca, { dns: ['localhost'], ips: ['127.0.0.2'] }).cert).ok).toBe(true);
  });

  it('an extra name or NAT address is in the certificate and the CA permits exactly it', () => {
    const dir = tmp();
    const r = ensureTls(dir, { names: ['pbx.bank.example', '198.51.100.20'] });
    const x = new X509Certificate(readFileSync(r.files.cert));
    expect(x.subjectAltName).toContain('DNS:pbx.bank.example');
    expect(x.subjectAltName).toContain('IP Address:198.51.100.20');
    expect(opensslVerify(r.files.caCert, readFileSync(r.files.cert, 'utf8')).ok).toBe(true);
    const p = permittedBy(readFileSync(r.files.caCert, 'utf8'))!;
    expect(p.nets).toContain('198.51.100.20/32');
    expect(outside(p, { dns: [], ips: ['198.51.100.21'] })).toEqual(['198.51.100.21']);
  });

  it('deletes the CA key when asked, and a renewal then makes a new CA and says so', () => {
    const dir = tmp();
    const first = ensureTls(dir, { deleteCaKey: true });
    expect(existsSync(first.files.caKey)).toBe(false);
    const caBefore = readFileSync(first.files.caCert, 'utf8');
    const later = new Date(Date.now() + 800 * 86400_000);
    const renewed = ensureTls(dir, { now: later, deleteCaKey: true });
    expect(renewed).toMatchObject({ created: true, newCa: true });
    expect(readFileSync(renewed.files.caCert, 'utf8')).not.toBe(caBefore);
    expect(existsSync(renewed.files.caKey)).toBe(false);
  });

  it('an older unconstrained CA is replaced at the next renewal; a constrained one with its key is kept', () => {
    const dir = tmp();
    const files = tlsFiles(dir);
    ensureTls(dir);
    const old = makeCa('Korobka CA old');
    writeFileSync(files.caCert, old.cert);
    writeFileSync(files.caKey, old.key);
    const later = new Date(Date.now() + 800 * 86400_000);
    const r = ensureTls(dir, { now: later });
    expect(r.newCa).toBe(true);
    expect(permittedBy(readFileSync(files.caCert, 'utf8'))).not.toBeNull();
    expect(ensureTls(dir, { now: new Date(later.getTime() + 800 * 86400_000) }).newCa).toBe(false);
  });

  it('reads networks as RFC 5280 wants them: address masked, IPv6 expanded', () => {
    expect(parseNet('10.1.2.3/8')).toEqual({ address: [10, 0, 0, 0], mask: [255, 0, 0, 0] });
    expect(parseNet('fd00::1/64').address.slice(0, 8)).toEqual([0xfd, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => parseNet('10.0.0.0/33')).toThrow(/not a network/);
    expect(outside({ dns: ['bank.example'], nets: ['10.0.0.0/8'] }, { dns: ['pbx.bank.example', 'evil.example'], ips: ['10.9.9.9', '11.0.0.1'] })).toEqual(['evil.example', '11.0.0.1']);
    expect(execFileSync('openssl', ['version'], { encoding: 'utf8' })).toMatch(/OpenSSL 3/);
  });
});
