import { describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { issueLicence, parseDateArg, renewalOf } from '../../licensing/issue';
import { encryptedPrivateKeyToPem, keyIdFor, privateKeyFromPem, privateKeyToPem, publicKeyFromPem, publicKeyToPem } from '../../licensing/keys';
import { parseLicenceFile, signedBytes } from '../../licensing/licence';
import { fingerprintFromFacts } from '../../licensing/fingerprint';
import { evaluateLicence } from '../../licensing/verify';
import { NOW, VM, newWorld, requestFor } from './fixtures';
import type { IssueInput } from '../../licensing/issue';

const world = newWorld();
const base: IssueInput = { request: requestFor(VM), profile: 'M', customer: '  Strakhovaya Kompaniya  ', expires: '2027-12-31', licenceId: 'KB-ISSUE-1', seed: world.vendor.seed, now: NOW };

describe('issueLicence', () => {
  it('issues a licence the appliance accepts, with the profile limits and dates', () => {
    const r = issueLicence({ ...base, maintenanceUntil: '2027-06-30', k: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.licence).toMatchObject({
      customer: 'Strakhovaya Kompaniya',
      profile: 'M',
      limits: { concurrentCalls: 64, extensions: 500, tenants: 5 },
      expires: '2027-12-31T23:59:59Z',
      maintenanceUntil: '2027-06-30T23:59:59Z',
      notBefore: '2026-11-21T10:00:00.000Z',
      installationId: 'inst-0001',
      keyId: world.vendor.keyId,
      fingerprint: { k: 3 },
    });
    const e = evaluateLicence({ licenceText: r.text, publicKeys: world.keys, fingerprint: fingerprintFromFacts(VM), now: NOW });
    expect(e.state).toBe('valid');
    expect(e.limits.concurrentCalls).toBe(64);
  });

  it('issues a custom profile only with all its limits', () => {
    expect(issueLicence({ ...base, profile: 'custom', limits: { concurrentCalls: 30 } })).toEqual({ ok: false, problems: ['profile custom needs extensions, tenants'] });
    const r = issueLicence({ ...base, profile: 'custom', limits: { concurrentCalls: 30, extensions: 150, tenants: 2, features: ['recording'] } });
    expect(r.ok && r.licence.limits).toEqual({ concurrentCalls: 30, extensions: 150, tenants: 2, features: ['recording'] });
  });

  it('reports every problem with the order at once', () => {
    const r = issueLicence({ ...base, expires: '2026-01-01', maintenanceUntil: 'soon', k: 9 });
    expect(r).toEqual({
      ok: false,
      problems: [
        'k: expected a whole number from 1 to 4 (the request has 4 components), got 9',
        'expires: 2026-01-01 is in the past',
        'maintenance-until: expected a date YYYY-MM-DD, got "soon"',
      ],
    });
  });

  it('refuses a customer name that would forge lines in the readable summary', () => {
    expect(issueLicence({ ...base, customer: 'Bank\nProfile: XL' })).toEqual({ ok: false, problems: ['customer: expected one line without control characters'] });
  });

  it('refuses a request whose fingerprint cannot bind a licence', () => {
    const r = issueLicence({ ...base, request: requestFor({ cpu: VM.cpu }) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^request: fingerprint too weak to bind a licence: only 1 usable component\(s\) \(cpu\)/);
  });

  it('renews from the old licence alone: same machine, customer, limits and k', () => {
    const old = issueLicence({ ...base, k: 3, limits: { features: ['recording'] } });
    if (!old.ok) throw new Error(old.problems.join('; '));
    const renewed = issueLicence({ ...base, ...renewalOf(old.licence), expires: '2029-12-31', licenceId: 'KB-ISSUE-2' });
    if (!renewed.ok) throw new Error(renewed.problems.join('; '));
    const { licenceId, expires, ...rest } = renewed.licence;
    expect({ licenceId, expires }).toEqual({ licenceId: 'KB-ISSUE-2', expires: '2029-12-31T23:59:59Z' });
    const { licenceId: _oldId, expires: _oldExpires, ...oldRest } = old.licence;
    expect(rest).toEqual(oldRest); // same machine, k, customer, profile, limits, installation, key
    expect(rest.limits.features).toEqual(['recording']);
  });

  it('parses dates strictly', () => {
    expect(parseDateArg('2027-12-31')).toBe('2027-12-31T23:59:59Z');
    expect(parseDateArg('2027-02-30')).toBeUndefined();
    expect(parseDateArg('31.12.2027')).toBeUndefined();
    expect(parseDateArg('2027-12-31T12:00Z')).toBe('2027-12-31T12:00:00.000Z');
  });
});

describe('vendor keys', () => {
  it('are standard Ed25519 PEM that node:crypto reads and whose signatures it verifies', () => {
    const r = issueLicence(base);
    if (!r.ok) throw new Error(r.problems.join('; '));
    const parsed = parseLicenceFile(r.text);
    if (!parsed.ok) throw new Error(parsed.message);
    const pub = createPublicKey(publicKeyToPem(world.vendor.publicKey));
    expect(pub.asymmetricKeyType).toBe('ed25519');
    expect(nodeVerify(null, signedBytes(parsed.file.document), pub, parsed.file.signature)).toBe(true);
  });

  it('round-trip through PEM and reject the wrong kind of key', () => {
    expect(privateKeyFromPem(privateKeyToPem(world.vendor.seed))).toEqual(world.vendor.seed);
    const pub = publicKeyFromPem(publicKeyToPem(world.vendor.publicKey));
    expect(pub).toEqual(world.vendor.publicKey);
    expect(keyIdFor(world.vendor.publicKey)).toMatch(/^kv1-[0-9a-f]{16}$/);
    expect(privateKeyFromPem('nothing')).toEqual(new Error('no "BEGIN PRIVATE KEY" PEM block'));
    expect(publicKeyFromPem(privateKeyToPem(world.vendor.seed))).toEqual(new Error('no "BEGIN PUBLIC KEY" PEM block'));
    expect(privateKeyFromPem('-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----')).toEqual(new Error('not an Ed25519 PKCS#8 private key'));
  });

  it('can be kept encrypted with a passphrase, readable by node:crypto too', () => {
    const pem = encryptedPrivateKeyToPem(world.vendor.seed, 'correct horse battery');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(pem).not.toContain(world.vendor.seed.toString('base64'));
    expect(privateKeyFromPem(pem, 'correct horse battery')).toEqual(world.vendor.seed);
    expect(privateKeyFromPem(pem, 'wrong horse battery')).toEqual(new Error('wrong passphrase for the private key'));
    expect(privateKeyFromPem(pem)).toEqual(new Error('the private key is encrypted: pass --passphrase-file FILE'));
    const key = createPrivateKey({ key: pem, passphrase: 'correct horse battery' });
    expect(key.asymmetricKeyType).toBe('ed25519');
  });
});
