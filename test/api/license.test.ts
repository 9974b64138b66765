// Installing a licence through the API with a vendor key made for this test:
// a valid one for this machine is installed and audited, a tampered or
// foreign one is refused with its reason and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildActivationRequest, collectFingerprint } from '../../licensing';
import { issueLicence } from '../../licensing/issue';
import { generateVendorKeyPair, publicKeyToPem } from '../../licensing/keys';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
let keyDir: string;
const vendor = generateVendorKeyPair();

function licenceFor(fingerprint: { kind: string; hash: string }[], opts: { expires?: string; profile?: 'S' | 'M' } = {}) {
  const request = buildActivationRequest({ fingerprint: fingerprint as never, installationId: 'test-install-1', productVersion: '0.1.0', now: new Date() });
  const r = issueLicence({ request, profile: opts.profile ?? 'S', customer: 'ООО Тест', expires: opts.expires ?? '2099-12-31', licenceId: `LIC-${Math.random().toString(36).slice(2, 10)}`, seed: vendor.seed, now: new Date() });
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.text;
}

beforeAll(async () => {
  keyDir = tempDir().dir;
  writeFileSync(path.join(keyDir, 'vendor.pub'), publicKeyToPem(vendor.publicKey));
  h = await startApi({ license: { developmentKeyFiles: [path.join(keyDir, 'vendor.pub')] } });
  root = (await h.as('superadmin', null, 'root')).client;
});
afterAll(() => h.close());

describe('licence API', () => {
  it('runs unlicensed on eval limits until a licence is installed', async () => {
    const r = await root.request('GET', '/api/license');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'unlicensed', profile: 'eval', limits: { concurrentCalls: 4, extensions: 10 } });
  });

  it('gives the activation request as a file', async () => {
    const r = await root.request('GET', '/api/license/request');
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toMatch(/attachment/);
    expect(String(r.body)).toMatch(/BEGIN KOROBKA ACTIVATION REQUEST/);
  });

  it('refuses a licence for another machine and a tampered one, changing nothing', async () => {
    const file = path.join(path.dirname(h.store.db.name), 'license', 'korobka.lic');
    const foreign = licenceFor([{ kind: 'system-uuid', hash: 'a'.repeat(64) }, { kind: 'nic-mac', hash: 'b'.repeat(64) }]);
    const r1 = await root.request('PUT', '/api/license', { licence: foreign });
    expect(r1.status).toBe(400);
    expect(r1.body).toMatchObject({ code: 'licence-invalid', details: { reason: 'wrong-machine' } });
    const mine = licenceFor(await collectFingerprint());
    const tampered = mine.replace(/"concurrentCalls":\s*16/, '"concurrentCalls": 1600');
    expect(tampered).not.toBe(mine);
    const r2 = await root.request('PUT', '/api/license', { licence: tampered });
    expect(r2.status).toBe(400);
    expect(r2.body.details.reason).toBe('tampered');
    expect(existsSync(file)).toBe(false);
    expect((await root.request('GET', '/api/license')).body.state).toBe('unlicensed');
    const missing = await root.request('PUT', '/api/license', {});
    expect(missing.body.details.fields[0].field).toBe('licence');
  });

  it('installs a licence for this machine, audited, and applies its limits', async () => {
    const text = licenceFor(await collectFingerprint(), { profile: 'M' });
    const r = await root.request('PUT', '/api/license', { licence: text });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ state: 'valid', profile: 'M', limits: { concurrentCalls: 64, extensions: 500 }, licence: { customer: 'ООО Тест' } });
    const file = path.join(path.dirname(h.store.db.name), 'license', 'korobka.lic');
    expect(readFileSync(file, 'utf8')).toBe(text);
    const rows = h.store.audit.list({ action: 'license.install' }).rows;
    expect(rows.map((x) => x.outcome)).toEqual(['ok', 'failed', 'failed']);
    const get = await root.request('GET', '/api/license');
    expect(get.body).toMatchObject({ state: 'valid', profile: 'M' });
  });
});
