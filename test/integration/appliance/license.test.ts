// Offline activation end to end with the real commands: the box writes a
// request, the vendor's korobka-license signs it, the box installs it; a
// tampered file is refused and the installed licence stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeAppliance, type Appliance } from './appliance';
import { tempDir } from '../../helpers/tmp';

const run = promisify(execFile);
const VENDOR_CLI = path.resolve('dist/licensing/cli/main.js');
let app: Appliance;
let vendorDir: string;

async function vendor(...args: string[]) {
  return run(process.execPath, [VENDOR_CLI, ...args], { timeout: 60_000 });
}

beforeAll(async () => {
  vendorDir = tempDir('korobka-vendor-').dir;
  await vendor('keygen', '--out', vendorDir);
  app = await makeAppliance('license', { license: { developmentKeyFiles: [path.join(vendorDir, 'licence-signing.pub')] } });
});
afterAll(async () => app?.cleanup());

describe('offline activation', () => {
  it('request → issue → install → show', async () => {
    const before = await app.korobka('license', 'show');
    expect(before.stdout).toMatch(/unlicensed/);
    const req = path.join(vendorDir, 'request.txt');
    const r = await app.korobka('license', 'request', '--out', req);
    expect(r.code, r.stderr).toBe(0);
    const lic = path.join(vendorDir, 'bank.lic');
    await vendor('issue', '--request', req, '--profile', 'S', '--customer', 'АО Банк', '--expires', '2099-12-31', '--key', vendorDir, '--out', lic);
    const inst = await app.korobka('license', 'install', lic);
    expect(inst.code, inst.stderr).toBe(0);
    expect(inst.stdout).toMatch(/licence installed/);
    const show = await app.korobka('license', 'show', '--json');
    expect(JSON.parse(show.stdout)).toMatchObject({ state: 'valid', profile: 'S', limits: { concurrentCalls: 16, extensions: 100 }, licence: { customer: 'АО Банк' } });

    const tampered = path.join(vendorDir, 'tampered.lic');
    writeFileSync(tampered, readFileSync(lic, 'utf8').replace(/"concurrentCalls":\s*16/, '"concurrentCalls": 1024'));
    const bad = await app.korobka('license', 'install', tampered);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/licence refused \(tampered\)/);
    expect(JSON.parse((await app.korobka('license', 'show', '--json')).stdout).limits.concurrentCalls).toBe(16);

    const doctor = await app.korobka('doctor');
    expect(doctor.stdout).toMatch(/OK {3}licence/);
    expect(doctor.stdout).toMatch(/sizing cpu/);
  });

  it('says what is wrong with a file that is no licence', async () => {
    const junk = path.join(vendorDir, 'junk.lic');
    writeFileSync(junk, 'hello');
    const r = await app.korobka('license', 'install', junk);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/licence refused \(malformed\)/);
    const missing = await app.korobka('license', 'install', path.join(vendorDir, 'nope.lic'));
    expect(missing.stderr).toMatch(/cannot read/);
  });
});
