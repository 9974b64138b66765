// The vendor's korobka-license tool as a real process (dist/, built by the
// global setup): keygen → issue from an activation request → the appliance
// side verifies the result; bad input exits non-zero naming the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, stopAll, testOutputDir } from '../../helpers/processes';
import { fingerprintFromFacts } from '../../../licensing/fingerprint';
import { publicKeyFromPem, vendorPublicKey } from '../../../licensing/keys';
import { buildActivationRequest, formatActivationRequest } from '../../../licensing/request';
import { evaluateLicence } from '../../../licensing/verify';
import { SERVER } from '../../licensing/fixtures';

const CLI = path.resolve('dist/licensing/cli/main.js');
const logs = testOutputDir('licensing', 'vendor-cli');
let dir = '';
let run = 0;
/** The shared vendor key, made by the real `keygen` before the tests. */
let keygenRun: { code: number | null; output: string } = { code: null, output: '' };

async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const p = startProcess(process.execPath, [CLI, ...args], { logFile: path.join(logs, `run-${++run}.log`), timeoutMs: 30_000 });
  const code = await p.exited;
  await p.stop();
  return { code, output: p.output() };
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const fingerprint = fingerprintFromFacts(SERVER);
const keyDir = () => path.join(dir, 'vendor-key');
const requestFile = () => path.join(dir, 'request.txt');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'korobka-lic-'));
  keygenRun = await cli('keygen', '--out', keyDir());
  const request = buildActivationRequest({ fingerprint, installationId: 'inst-cli-1', productVersion: '0.1.0', now: new Date() });
  writeFileSync(requestFile(), formatActivationRequest(request));
});

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('korobka-license end to end', () => {
  it('keygen → issue → the appliance verifies the licence', async () => {
    const gen = keygenRun;
    expect(gen.code).toBe(0);
    const keyId = /Key (kv1-[0-9a-f]{16}) written/.exec(gen.output)?.[1];
    expect(keyId).toBeDefined();
    expect(statSync(path.join(keyDir(), 'licence-signing.key')).mode & 0o777).toBe(0o600);
    const pub = publicKeyFromPem(readFileSync(path.join(keyDir(), 'licence-signing.pub'), 'utf8'));
    if (pub instanceof Error) throw pub;
    expect(gen.output).toContain(`{"keyId":"${keyId}","publicKey":"${pub.toString('base64')}"`);

    const out = path.join(dir, 'bank.lic');
    const expires = day(400);
    const issued = await cli('issue', '--request', requestFile(), '--profile', 'M', '--customer', 'Bank Primer', '--expires', expires, '--key', keyDir(), '--k', '3', '--maintenance-until', day(200), '--out', out);
    expect(issued.output).toMatch(/^Licence KB-\d{8}-[0-9a-f]{8} for Bank Primer written to /);
    expect(issued.code).toBe(0);

    const text = readFileSync(out, 'utf8');
    const result = evaluateLicence({ licenceText: text, publicKeys: [vendorPublicKey(pub)], fingerprint, now: new Date() });
    expect(result.state).toBe('valid');
    expect(result.limits).toMatchObject({ concurrentCalls: 64, extensions: 500, tenants: 5 });
    expect(result.licence).toMatchObject({ customer: 'Bank Primer', installationId: 'inst-cli-1', keyId, fingerprint: { k: 3 } });
    expect(result.message).toContain(`is valid until ${expires}`);

    const shown = await cli('show', out, '--pub', path.join(keyDir(), 'licence-signing.pub'));
    expect(shown.code).toBe(0);
    expect(shown.output).toContain('Profile:      M: 64 concurrent calls, 500 extensions, 5 tenant(s)');
    expect(shown.output).toContain(`Signature:    valid (vendor key ${keyId})`);

    const tampered = path.join(dir, 'tampered.lic');
    writeFileSync(tampered, text.replace('"concurrentCalls": 64', '"concurrentCalls": 640'));
    const bad = await cli('show', tampered, '--pub', path.join(keyDir(), 'licence-signing.pub'));
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('Signature:    INVALID (tampered)');

    const requestShown = await cli('show', requestFile());
    expect(requestShown.code).toBe(0);
    expect(requestShown.output).toContain('Installation:  inst-cli-1');
  });

  it('renews a licence without a new request, keeping or changing its order', async () => {
    const pubFile = path.join(keyDir(), 'licence-signing.pub');
    const pub = publicKeyFromPem(readFileSync(pubFile, 'utf8'));
    if (pub instanceof Error) throw pub;
    const keys = [vendorPublicKey(pub)];
    const first = path.join(dir, 'custom.lic');
    const made = await cli('issue', '--request', requestFile(), '--profile', 'custom', '--calls', '40', '--extensions', '300', '--tenants', '2', '--features', 'recording,ivr', '--customer', 'Insurer', '--expires', day(20), '--key', keyDir(), '--out', first);
    expect(made.code).toBe(0);
    expect(evaluateLicence({ licenceText: readFileSync(first, 'utf8'), publicKeys: keys, fingerprint, now: new Date() }).state).toBe('expiring-soon');

    const renewed = path.join(dir, 'renewed.lic');
    const r = await cli('issue', '--renew', first, '--expires', day(400), '--key', keyDir(), '--out', renewed);
    expect(r.code).toBe(0);
    const e = evaluateLicence({ licenceText: readFileSync(renewed, 'utf8'), publicKeys: keys, fingerprint, now: new Date() });
    expect(e.state).toBe('valid');
    expect(e.licence).toMatchObject({ customer: 'Insurer', profile: 'custom', installationId: 'inst-cli-1', limits: { concurrentCalls: 40, extensions: 300, tenants: 2, features: ['recording', 'ivr'] } });
    expect(e.licence?.expires).toBe(`${day(400)}T23:59:59Z`);

    const upgraded = path.join(dir, 'upgraded.lic');
    expect((await cli('issue', '--renew', first, '--profile', 'L', '--expires', day(400), '--key', keyDir(), '--out', upgraded)).code).toBe(0);
    const u = evaluateLicence({ licenceText: readFileSync(upgraded, 'utf8'), publicKeys: keys, fingerprint, now: new Date() });
    expect(u.limits).toMatchObject({ concurrentCalls: 256, extensions: 2000, tenants: 20 });

    const forged = path.join(dir, 'forged.lic');
    writeFileSync(forged, readFileSync(first, 'utf8').replace('"concurrentCalls": 40', '"concurrentCalls": 400'));
    const bad = await cli('issue', '--renew', forged, '--expires', day(400), '--key', keyDir());
    expect(bad.code).toBe(1);
    expect(bad.output).toContain(`korobka-license issue: cannot renew ${forged}: The licence document was changed after it was signed`);

    const both = await cli('issue', '--renew', first, '--request', requestFile(), '--expires', day(400), '--key', keyDir());
    expect(both.code).toBe(2);
    expect(both.output).toContain('--renew and --request exclude each other');
  });

  it('keeps the vendor key encrypted with a passphrase file', async () => {
    const encDir = path.join(dir, 'encrypted-key');
    const passFile = path.join(dir, 'passphrase');
    writeFileSync(passFile, 'short\n');
    const weak = await cli('keygen', '--out', encDir, '--passphrase-file', passFile);
    expect(weak.code).toBe(1);
    expect(weak.output).toContain(`the passphrase in ${passFile} is shorter than 12 characters`);

    writeFileSync(passFile, 'correct horse battery staple\n', { mode: 0o600 });
    const gen = await cli('keygen', '--out', encDir, '--passphrase-file', passFile);
    expect(gen.code).toBe(0);
    expect(readFileSync(path.join(encDir, 'licence-signing.key'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const pub = publicKeyFromPem(readFileSync(path.join(encDir, 'licence-signing.pub'), 'utf8'));
    if (pub instanceof Error) throw pub;

    const args = ['issue', '--request', requestFile(), '--profile', 'S', '--customer', 'Bank', '--expires', day(100), '--key', encDir];
    const locked = await cli(...args);
    expect(locked.code).toBe(1);
    expect(locked.output).toContain('the private key is encrypted: pass --passphrase-file FILE');

    const out = path.join(dir, 'from-encrypted.lic');
    expect((await cli(...args, '--passphrase-file', passFile, '--out', out)).code).toBe(0);
    const e = evaluateLicence({ licenceText: readFileSync(out, 'utf8'), publicKeys: [vendorPublicKey(pub)], fingerprint, now: new Date() });
    expect(e.state).toBe('valid');
  });

  it('prints help for every verb', async () => {
    for (const verb of ['keygen', 'issue', 'show']) {
      const r = await cli(verb, '--help');
      expect(r.code).toBe(0);
      expect(r.output).toContain(`Usage: korobka-license ${verb}`);
    }
  });

  it.each([
    ['no command', [], 2, 'Usage: korobka-license <command>'],
    ['an unknown command', ['sign'], 2, 'korobka-license: unknown command "sign" (expected keygen, issue or show)'],
    ['an unknown option', ['issue', '--force'], 2, "korobka-license issue: Unknown option '--force'"],
    ['a missing --customer', ['issue', '--request', 'r', '--profile', 'S', '--expires', '2030-01-01'], 2, 'korobka-license issue: --customer is required'],
    ['an unknown profile', ['issue', '--request', 'r', '--profile', 'XXL', '--customer', 'c', '--expires', '2030-01-01'], 2, 'korobka-license issue: --profile: expected one of S, M, L, XL, custom, got "XXL"'],
    ['a non-numeric --k', ['issue', '--request', 'r', '--profile', 'S', '--customer', 'c', '--expires', '2030-01-01', '--k', 'three'], 2, 'korobka-license issue: --k: expected a whole number, got "three"'],
    ['an unknown feature', ['issue', '--request', 'r', '--profile', 'S', '--customer', 'c', '--expires', '2030-01-01', '--features', 'recording,fax'], 2, 'korobka-license issue: --features: unknown fax'],
    ['a missing request file', ['issue', '--request', '/nonexistent/req.txt', '--profile', 'S', '--customer', 'c', '--expires', '2030-01-01'], 1, 'korobka-license issue: cannot read request /nonexistent/req.txt: ENOENT'],
    ['keygen without --out', ['keygen'], 2, 'korobka-license keygen: --out is required'],
    ['show without a file', ['show'], 2, 'korobka-license show: FILE is required'],
  ])('rejects %s', async (_name, args, code, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    expect(r.output).toContain(message);
  });

  it('rejects bad requests, dates, keys and targets, and writes nothing', async () => {
    const damaged = path.join(dir, 'damaged.txt');
    writeFileSync(damaged, readFileSync(requestFile(), 'utf8').replace(/"installationId": "inst-cli-1"/, '"installationId": "inst-cli-2"'));
    const common = ['--profile', 'S', '--customer', 'Bank', '--key', keyDir()];
    const out = path.join(dir, 'never.lic');

    const r1 = await cli('issue', '--request', damaged, ...common, '--expires', day(30), '--out', out);
    expect(r1.code).toBe(1);
    expect(r1.output).toContain('the checksum does not match: the file was changed or damaged on its way');

    const r2 = await cli('issue', '--request', requestFile(), ...common, '--expires', '2027-13-01', '--out', out);
    expect(r2.code).toBe(1);
    expect(r2.output).toContain('cannot issue: expires: expected a date YYYY-MM-DD, got "2027-13-01"');

    const r3 = await cli('issue', '--request', requestFile(), '--profile', 'S', '--customer', 'Bank', '--key', dir, '--expires', day(30));
    expect(r3.code).toBe(1);
    expect(r3.output).toContain(`cannot read private key ${path.join(dir, 'licence-signing.key')}: ENOENT`);

    const weak = path.join(dir, 'container.txt');
    const containerFp = fingerprintFromFacts({ cpu: SERVER.cpu });
    writeFileSync(weak, formatActivationRequest(buildActivationRequest({ fingerprint: containerFp, installationId: 'inst-ct', productVersion: '0.1.0', now: new Date() })));
    const r4 = await cli('issue', '--request', weak, ...common, '--expires', day(30), '--out', out);
    expect(r4.code).toBe(1);
    expect(r4.output).toContain('request: fingerprint too weak to bind a licence: only 1 usable component(s) (cpu)');

    expect(() => statSync(out)).toThrow(/ENOENT/);

    writeFileSync(out, 'already here');
    const r5 = await cli('issue', '--request', requestFile(), ...common, '--expires', day(30), '--out', out);
    expect(r5.code).toBe(1);
    expect(r5.output).toContain(`${out} already exists; choose another --out`);
    expect(readFileSync(out, 'utf8')).toBe('already here');

    const r6 = await cli('keygen', '--out', keyDir());
    expect(r6.code).toBe(1);
    expect(r6.output).toContain('licence-signing.key already exists; choose another --out directory');
  });
});
