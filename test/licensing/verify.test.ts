import { describe, expect, it } from 'vitest';
import { fingerprintFromFacts } from '../../licensing/fingerprint';
import { generateVendorKeyPair, vendorPublicKey } from '../../licensing/keys';
import { evaluateLicence } from '../../licensing/verify';
import { describeEvaluation } from '../../licensing/describe';
import { PROFILES } from '../../licensing/profiles';
import { DAY, NOW, SERVER, VM, issued, newWorld, resigned } from './fixtures';

const world = newWorld();
const serverFp = fingerprintFromFacts(SERVER);
const { text: good, licence } = issued(world, SERVER);
const expiresAt = Date.parse(licence.expires);

function evaluate(licenceText: string | undefined, over: { now?: Date; fingerprint?: typeof serverFp; keys?: typeof world.keys } = {}) {
  return evaluateLicence({ licenceText, publicKeys: over.keys ?? world.keys, fingerprint: over.fingerprint ?? serverFp, now: over.now ?? NOW });
}

/** Replaces the first occurrence and insists it was there, so a test cannot pass by changing nothing. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('evaluateLicence', () => {
  it('accepts a licence issued for this fingerprint and gives its limits', () => {
    const r = evaluate(good);
    expect(r.state).toBe('valid');
    expect(r.reason).toBeUndefined();
    expect(r.alarm).toBe('none');
    expect(r.limits).toEqual(PROFILES.S.limits);
    expect(r.profile.name).toBe('S');
    expect(r.licence?.licenceId).toBe('KB-TEST-0001');
    expect(r.message).toBe('Licence KB-TEST-0001 for Bank Primer is valid until 2027-12-31 (405 days).');
  });

  it('keeps the signature when the file is re-indented or gets CRLF line ends', () => {
    const crlf = good.replace(/\n/g, '\r\n').replace(/\r\n {2}"/g, '\r\n    "');
    expect(crlf).not.toBe(good);
    expect(evaluate(crlf).state).toBe('valid');
  });

  it('treats no licence as unlicensed with eval limits', () => {
    for (const text of [undefined, '', '  \n']) {
      const r = evaluate(text);
      expect(r.state).toBe('unlicensed');
      expect(r.limits).toEqual(PROFILES.eval.limits);
      expect(r.message).toBe('No licence is installed. Running with eval limits (4 concurrent calls, 10 extensions).');
    }
  });

  const rejected: [string, () => string, string, Parameters<typeof evaluate>[1]?][] = [
    ['a flipped byte in the signature', () => flipSignatureByte(good), 'bad-signature'],
    ['a changed limit', () => replaceOnce(good, '"concurrentCalls": 16', '"concurrentCalls": 1024'), 'tampered'],
    ['a flipped byte in the customer name', () => replaceOnce(good, '"customer": "Bank Primer"', '"customer": "Bank Primes"'), 'tampered'],
    ['a changed limit with the digest line removed', () => replaceOnce(good, '"concurrentCalls": 16', '"concurrentCalls": 17').replace(/^Digest: .*\n/m, ''), 'bad-signature'],
    ['a licence checked with a different public key under the same key id', () => good, 'bad-signature', { keys: [{ keyId: licence.keyId, publicKey: generateVendorKeyPair().publicKey.toString('base64') }] }],
    ['a licence signed by a key the build does not know', () => good, 'unknown-key', { keys: [vendorPublicKey(generateVendorKeyPair().publicKey)] }],
    ['any licence when the build embeds no keys', () => good, 'unknown-key', { keys: [] }],
    ['a licence for another machine', () => issued(world, VM).text, 'wrong-machine'],
    ['an expired licence past grace', () => good, 'expired', { now: new Date(expiresAt + 14 * DAY + 1) }],
    ['a future-dated licence', () => resigned(world, licence, { notBefore: '2027-01-01T00:00:00Z' }), 'not-yet-valid'],
    ['a licence for another product', () => resigned(world, licence, { product: 'korobka-cloud' }), 'wrong-product'],
    ['a file without a signature', () => good.slice(0, good.indexOf('-----BEGIN KOROBKA SIGNATURE-----')), 'malformed'],
    ['a file that is not a licence', () => 'hello\n', 'malformed'],
    ['broken JSON', () => replaceOnce(good, '"format": 1,', '"format": 1,,'), 'malformed'],
    ['a signed document with an unknown field', () => resigned(world, licence, { unlimited: true } as object), 'malformed'],
  ];

  it.each(rejected)('rejects %s with its own reason and falls back to eval limits', (_name, make, reason, over) => {
    const r = evaluate(make(), over);
    expect(r.state).toBe('invalid');
    expect(r.reason).toBe(reason);
    expect(r.alarm).toBe('critical');
    expect(r.limits).toEqual(PROFILES.eval.limits);
    expect(r.profile.name).toBe('eval');
    expect(r.message).toMatch(/Running with eval limits \(4 concurrent calls, 10 extensions\)\.$/);
  });

  it('names the numbers when the machine does not match', () => {
    const r = evaluate(issued(world, VM).text);
    expect(r.message).toBe(
      'Licence KB-TEST-0001 was issued for another machine (0 of 4 hardware components match, 2 required; missing: system-uuid, disk-serial, nic-mac, cpu). Running with eval limits (4 concurrent calls, 10 extensions).',
    );
    expect(r.fingerprint?.matched).toBe(0);
    expect(r.licence?.customer).toBe('Bank Primer');
  });

  it('never throws on garbage input', () => {
    for (const text of ['\u0000\u0001', '-----BEGIN KOROBKA LICENCE-----\n[]\n-----END KOROBKA LICENCE-----\n-----BEGIN KOROBKA SIGNATURE-----\nAAAA\n-----END KOROBKA SIGNATURE-----', good.replace(/"keyId": "[^"]+"/, '"keyId": 7')]) {
      const r = evaluate(text);
      expect(r.state).toBe('invalid');
      expect(r.reason).toBe('malformed');
    }
  });
});

describe('any single changed character', () => {
  it('never throws and never grants more than the licence', () => {
    const seen = new Set<string>();
    // Every 11th character across the whole file: summary, JSON, digest and signature.
    for (let i = 0; i < good.length; i += 11) {
      const ch = good[i] === 'x' ? 'y' : 'x';
      const r = evaluate(good.slice(0, i) + ch + good.slice(i + 1));
      seen.add(r.reason ?? r.state);
      if (r.state === 'valid') expect(r.limits).toEqual(PROFILES.S.limits);
      else expect(r.limits).toEqual(PROFILES.eval.limits);
    }
    // The unsigned summary and digest line may change freely; everything else is caught, each with its reason.
    expect([...seen].sort()).toEqual(['bad-signature', 'malformed', 'tampered', 'unknown-key', 'valid']);
  });
});

describe('expiry boundaries', () => {
  const at = (ms: number) => evaluate(good, { now: new Date(ms) });

  it('is valid until 30 days before expiry, then expiring-soon', () => {
    expect(at(expiresAt - 30 * DAY - 1).state).toBe('valid');
    const soon = at(expiresAt - 30 * DAY);
    expect(soon.state).toBe('expiring-soon');
    expect(soon.alarm).toBe('warning');
    expect(soon.daysLeft).toBe(30);
    expect(soon.limits).toEqual(PROFILES.S.limits);
  });

  it('is expiring-soon up to the expiry instant, then in grace with the licensed limits', () => {
    expect(at(expiresAt).state).toBe('expiring-soon');
    const grace = at(expiresAt + 1);
    expect(grace.state).toBe('expired-grace');
    expect(grace.alarm).toBe('critical');
    expect(grace.limits).toEqual(PROFILES.S.limits);
    expect(grace.message).toBe(
      'Licence KB-TEST-0001 for Bank Primer expired on 2027-12-31; calls keep working until 2028-01-14 (14 day(s) left), then eval limits apply. Install a renewed licence.',
    );
  });

  it('stays in grace for exactly 14 days after expiry', () => {
    expect(at(expiresAt + 14 * DAY).state).toBe('expired-grace');
    const over = at(expiresAt + 14 * DAY + 1);
    expect(over.state).toBe('invalid');
    expect(over.reason).toBe('expired');
  });

  it('accepts a licence from its notBefore instant', () => {
    const nb = Date.parse(licence.notBefore);
    expect(at(nb - 1).reason).toBe('not-yet-valid');
    expect(at(nb).state).toBe('valid');
  });
});

describe('maintenance and status text', () => {
  const withMaintenance = issued(world, SERVER, { maintenanceUntil: '2027-06-30', licenceId: 'KB-TEST-0002' }).text;

  it('notes a build released after maintenance ended, without limiting calls', () => {
    const covered = evaluateLicence({ licenceText: withMaintenance, publicKeys: world.keys, fingerprint: serverFp, now: NOW, releaseDate: new Date('2027-06-30T12:00:00Z') });
    expect(covered).toMatchObject({ state: 'valid', alarm: 'none', maintenance: { until: '2027-06-30T23:59:59Z', coversRelease: true } });
    const lapsed = evaluateLicence({ licenceText: withMaintenance, publicKeys: world.keys, fingerprint: serverFp, now: NOW, releaseDate: new Date('2027-07-01T00:00:00Z') });
    expect(lapsed).toMatchObject({ state: 'valid', alarm: 'warning', limits: PROFILES.S.limits, maintenance: { coversRelease: false } });
    expect(lapsed.message).toMatch(/This Korobka version was released after maintenance ended on 2027-06-30\.$/);
  });

  it('describes an evaluation for korobka license status', () => {
    expect(describeEvaluation(evaluate(good)).split('\n')).toEqual([
      'State:        valid',
      'Licence:      KB-TEST-0001 for Bank Primer, profile S',
      'Limits:       16 concurrent calls, 100 extensions, 1 tenant(s)',
      'Expires:      2027-12-31 (405 day(s))',
      'Machine:      8 of 8 components match, 4 required',
      'Licence KB-TEST-0001 for Bank Primer is valid until 2027-12-31 (405 days).',
    ]);
    expect(describeEvaluation(evaluate(good, { keys: [] })).split('\n').slice(0, 2)).toEqual(['State:        invalid (unknown-key)', 'Limits:       4 concurrent calls, 10 extensions, 1 tenant(s)']);
  });
});

function flipSignatureByte(text: string): string {
  const start = text.indexOf('-----BEGIN KOROBKA SIGNATURE-----');
  const lines = text.slice(start).split('\n');
  const i = lines.findIndex((l) => /^[A-Za-z0-9+/=]{20,}$/.test(l));
  const line = lines[i] ?? '';
  const sig = Buffer.from(line, 'base64');
  sig[5] = (sig[5] ?? 0) ^ 0x01;
  lines[i] = sig.toString('base64').slice(0, line.length);
  const out = text.slice(0, start) + lines.join('\n');
  expect(out).not.toBe(text);
  return out;
}

describe('evaluateLicence after a restore onto other hardware (issue 18)', () => {
  const onVm = issued(world, SERVER).text; // issued for SERVER, now running on VM
  const vmFp = fingerprintFromFacts(VM);
  const run = (restored: { at: string; licenceId: string } | undefined, now = NOW) =>
    evaluateLicence({ licenceText: onVm, publicKeys: world.keys, fingerprint: vmFp, now, restored });

  it('keeps the licensed limits for 14 days from the restore, saying why and until when', () => {
    const at = new Date(NOW.getTime() - 3 * DAY).toISOString();
    const r = run({ at, licenceId: licence.licenceId });
    expect(r.state).toBe('restored-grace');
    expect(r.alarm).toBe('critical');
    expect(r.limits).toEqual(PROFILES.S.limits);
    expect(r.graceEnds).toBe(new Date(Date.parse(at) + 14 * DAY).toISOString());
    expect(r.message).toMatch(/^Licence KB-TEST-0001 was issued for another machine \(0 of 8 hardware components match, 4 required\); Korobka was restored onto this one on 2026-11-19, so calls keep the licensed limits until 2026-12-03 \(11 day\(s\) left\), then eval limits apply\./);
  });

  it('falls back to eval limits once the 14 days are over, for another licence, or without the mark', () => {
    const at = new Date(NOW.getTime() - 14 * DAY - 1000).toISOString();
    for (const r of [run({ at, licenceId: licence.licenceId }), run({ at: NOW.toISOString(), licenceId: 'KB-OTHER' }), run(undefined)]) {
      expect(r.state).toBe('invalid');
      expect(r.reason).toBe('wrong-machine');
      expect(r.limits).toEqual(PROFILES.eval.limits);
    }
  });

  it('never runs past the licence expiry grace, and ignores a mark dated in the future', () => {
    const late = new Date(expiresAt + 10 * DAY);
    const r = run({ at: new Date(expiresAt + 5 * DAY).toISOString(), licenceId: licence.licenceId }, late);
    expect(r.state).toBe('restored-grace');
    expect(r.graceEnds).toBe(new Date(expiresAt + 14 * DAY).toISOString());
    expect(run({ at: new Date(NOW.getTime() + 3 * DAY).toISOString(), licenceId: licence.licenceId }).state).toBe('invalid');
  });

  it('a licence that matches this machine is judged as always, mark or not', () => {
    const r = evaluateLicence({ licenceText: good, publicKeys: world.keys, fingerprint: serverFp, now: NOW, restored: { at: NOW.toISOString(), licenceId: licence.licenceId } });
    expect(r.state).toBe('valid');
  });
});
