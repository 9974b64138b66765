// Issue 18: a box restored onto other hardware keeps its licence's limits
// for the grace period, and says so. The licence was issued for the machine
// the backup came from (a fingerprint that is not this one): on that data
// directory here it is refused (wrong machine, eval limits); `korobka
// restore` of its backup onto a second data directory marks the move, the
// licence keeps its profile there until the restore + 14 days, a second
// restore does not move that date, and the licence page and the header in
// Chromium say so in Russian over a real api process. The licence page also
// shows the box's last `korobka selftest` and warns when it is below the licence.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildActivationRequest } from '../../licensing';
import { openStore } from '../../services/store';
import { issueLicence } from '../../licensing/issue';
import { generateVendorKeyPair, publicKeyToPem } from '../../licensing/keys';
import { testOutputDir } from '../helpers/processes';
import { tempDir } from '../helpers/tmp';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const run = promisify(execFile);
const CLI = path.resolve('dist/appliance/cli/main.js');
const DAY = 86_400_000;
const work = tempDir('korobka-licence-restored-');
const oldBox = path.join(work.dir, 'old-server');
const newBox = path.join(work.dir, 'new-server');
const passFile = path.join(work.dir, 'pass');
let devConfig: Record<string, unknown>;
let archive: string;
let api: ApiProcess | undefined;
let browser: Launched | undefined;
let page: Page;
let initialPassword: string;

async function korobka(dataDir: string, ...args: string[]) {
  try {
    const r = await run(process.execPath, [CLI, ...args, '--data-dir', dataDir], { timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}
const licenceOf = async (dataDir: string) => JSON.parse((await korobka(dataDir, 'license', 'show', '--json')).stdout) as { state: string; reason: string | null; profile: string; limits: { concurrentCalls: number }; graceEnds: string | null; message: string };

beforeAll(async () => {
  const vendor = generateVendorKeyPair();
  writeFileSync(path.join(work.dir, 'vendor.pub'), publicKeyToPem(vendor.publicKey));
  devConfig = { license: { developmentKeyFiles: [path.join(work.dir, 'vendor.pub')] } };
  writeFileSync(passFile, 'a long backup passphrase\n', { mode: 0o600 });
  for (const d of [oldBox, newBox]) {
    await run('mkdir', ['-p', d]);
    writeFileSync(path.join(d, 'korobka.json'), JSON.stringify(devConfig));
  }
  const pw = path.join(work.dir, 'first-password');
  const init = await korobka(oldBox, 'init', '--password-file', pw, '--sip-domain', 'bank.korobka.test');
  expect(init.code, init.stderr).toBe(0);
  initialPassword = readFileSync(pw, 'utf8').trim();
  // The licence the vendor issued for the old server (its own hardware hashes, none of this machine's).
  const request = buildActivationRequest({
    fingerprint: [
      { kind: 'system-uuid', hash: 'a'.repeat(64) },
      { kind: 'nic-mac', hash: 'b'.repeat(64) },
      { kind: 'cpu', hash: 'c'.repeat(64) },
    ] as never,
    installationId: 'old-server',
    productVersion: '0.1.0',
    now: new Date(),
  });
  const lic = issueLicence({ request, profile: 'M', customer: 'АО Банк', expires: '2099-12-31', licenceId: 'LIC-OLD-SERVER', seed: vendor.seed, now: new Date() });
  if (!lic.ok) throw new Error(lic.problems.join('; '));
  writeFileSync(path.join(oldBox, 'license', 'korobka.lic'), lic.text, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  work.cleanup();
});

describe('restore onto other hardware: the licence in its grace period (issue 18)', () => {
  it('the old server\'s licence is refused on this machine without a restore', async () => {
    const l = await licenceOf(oldBox);
    expect(l).toMatchObject({ state: 'invalid', reason: 'wrong-machine', profile: 'eval', limits: { concurrentCalls: 4 } });
  });

  it('after `korobka restore` its limits hold until the restore + 14 days, and a second restore keeps that date', async () => {
    const b = await korobka(oldBox, 'backup', '--passphrase-file', passFile);
    expect(b.code, b.stderr).toBe(0);
    archive = /^backup written: (.*)$/m.exec(b.stdout)![1]!;
    const started = Date.now();
    const r = await korobka(newBox, 'restore', archive, '--passphrase-file', passFile);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/note: the licence LIC-OLD-SERVER was issued for another machine: it keeps its limits for 14 days from the restore, until \d{4}-\d\d-\d\d; send `korobka license request` to your vendor/);
    expect(r.stdout).toMatch(/FAIL licence +Licence LIC-OLD-SERVER was issued for another machine .*Korobka was restored onto this one on/);
    const l = await licenceOf(newBox);
    expect(l).toMatchObject({ state: 'restored-grace', reason: null, profile: 'M', limits: { concurrentCalls: 64 } });
    const ends = Date.parse(l.graceEnds!);
    expect(ends).toBeGreaterThanOrEqual(started + 14 * DAY - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 14 * DAY);

    const mark = readFileSync(path.join(newBox, 'license', 'restored-onto'), 'utf8');
    const again = await korobka(newBox, 'restore', archive, '--passphrase-file', passFile);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toMatch(/it keeps its limits for 14 days from the restore of \d{4}-\d\d-\d\d, until/);
    expect(JSON.parse(readFileSync(path.join(newBox, 'license', 'restored-onto'), 'utf8')).at).toBe(JSON.parse(mark).at);
    expect((await licenceOf(newBox)).graceEnds).toBe(l.graceEnds);

    // An edited mark is not trusted: eval limits, as on any other machine.
    const edited = JSON.parse(mark) as { at: string };
    writeFileSync(path.join(newBox, 'license', 'restored-onto'), JSON.stringify({ ...edited, at: new Date().toISOString() }));
    expect(await licenceOf(newBox)).toMatchObject({ state: 'invalid', reason: 'wrong-machine' });
    writeFileSync(path.join(newBox, 'license', 'restored-onto'), mark);
  }, 240_000);

  it('the licence page and the header say so', async () => {
    // The last `korobka selftest` on this box, as the CLI stores it (test/integration/appliance/selftest.test.ts runs it for real):
    // it honours S, below the licensed M, and the page says so.
    const store = openStore(path.join(newBox, 'korobka.db'));
    store.selftests.record({ ranAt: new Date().toISOString(), mode: 'full', profile: 'S', callsPerSecond: 41.5, heldCalls: 24, audioSecondsPerSecond: 37.2, appVersion: '0.1.0', machine: { cpus: 2, model: 'Test CPU', memGiB: 4 }, details: {} });
    store.close();
    api = await startApiProcess('licence-restored', { dataDir: newBox, initialPassword, config: devConfig });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(api.url + '/');
    await page.waitForURL('**/login');
    await signIn(page, 'admin', initialPassword);
    await page.waitForURL('**/password');
    await changeOneTimePassword(page, initialPassword, 'Moved-To-New-Server-2026!');
    await page.waitForURL('**/dashboard');
    const header = page.getByTestId('licence-indicator');
    await expect.poll(() => header.getAttribute('data-state')).toBe('restored-grace');
    expect(await header.textContent()).toMatch(/^Лицензия для другого оборудования: льготный период до \d/);
    await page.goto(api.url + '/licence');
    const state = page.getByTestId('licence-state');
    await expect.poll(() => state.getAttribute('data-state')).toBe('restored-grace');
    expect(await page.getByTestId('licence-badge').textContent()).toBe('Другое оборудование, льготный период');
    expect(await page.getByTestId('licence-profile').textContent()).toBe('M');
    expect(await page.getByTestId('selftest').getAttribute('data-mode')).toBe('full');
    expect(await page.getByTestId('selftest-setup').textContent()).toBe('41,5 вызовов/с');
    expect(await page.getByTestId('selftest-held').textContent()).toBe('24');
    expect(await page.getByTestId('selftest-conversion').textContent()).toBe('37,2 с звука в секунду');
    expect(await page.getByTestId('selftest-profile').textContent()).toBe('S');
    expect(await page.getByTestId('selftest-below').textContent()).toBe('Сервер может не выдержать лицензированный профиль M с запасом.');
    expect(await page.getByTestId('licence-message').textContent()).toMatch(
      /^Станция восстановлена из резервной копии на другое оборудование, а лицензия выдана для прежнего\. Лимиты лицензии действуют до \d.*, затем — ознакомительные\. Отправьте поставщику запрос на активацию для этой машины\.$/,
    );
    await page.screenshot({ path: path.join(testOutputDir('ui'), 'licence-restored.png'), fullPage: true });
  }, 120_000);
});
