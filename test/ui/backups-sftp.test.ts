// Issue 18: the backups page sends backups to an SFTP server, in Debian's
// Chromium against the built bundle, a real api process, the backup scheduler
// running the real backup job, and a real OpenSSH sshd on 127.0.0.1. The admin
// chooses «На сервер SFTP», fills the server in, pastes the box's key, fetches
// the server's key and sees its SHA-256 fingerprint (the one `ssh-keygen -lf`
// prints on the server), confirms and saves; «Создать копию сейчас» then
// makes a backup that lands on the server and shows done and verified.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupScheduler } from '../../appliance/backup/scheduler';
import { loadConfig } from '../../appliance/config/load';
import { createLogger } from '../../services/common/logger';
import { openStore, type Store } from '../../services/store';
import { testOutputDir } from '../helpers/processes';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/tmp';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Sftp-Backups-2026!';
const PASSPHRASE = 'Ключ от сейфа 2026';

let api: ApiProcess;
let browser: Launched;
let page: Page;
let store: Store;
let scheduler: BackupScheduler;
let sshd: TestSshd;
const work = tempDir('korobka-ui-sftp-');
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const logFile = path.join(testOutputDir('ui', 'logs'), 'backups-sftp-scheduler.log');
const text = async (l: { textContent(): Promise<string | null> }) => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  mkdirSync(work.dir, { recursive: true });
  sshd = await startSshd(work.dir, 'ui-sftp');
  api = await startApiProcess('backups-sftp');
  store = openStore(path.join(api.dataDir, 'korobka.db'));
  scheduler = new BackupScheduler({
    config: loadConfig({ env: {}, flags: { dataDir: api.dataDir } }),
    store,
    log: createLogger({ level: 'info', sink: (line) => appendFileSync(logFile, line + '\n') }),
    distDir: path.resolve('dist'),
    tickMs: 250,
  });
  scheduler.start();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await scheduler?.stop();
  store?.close();
  await api?.stop();
  await sshd?.stop();
  work.cleanup();
});

describe('backups page, SFTP target', () => {
  it('configures the server: the fetched key\'s fingerprint is shown, confirmed and pinned', async () => {
    await page.locator('pbx-nav a[data-nav="/backups"]').click();
    await page.waitForURL('**/backups');
    const form = page.getByTestId('schedule-form');
    await form.locator('#target').selectOption('sftp');
    await form.locator('#sftp-host').fill('127.0.0.1');
    await form.locator('#sftp-port').fill(String(sshd.port));
    await form.locator('#sftp-username').fill(sshd.user);
    await form.locator('#sftp-dir').fill(sshd.remote);
    await form.locator('#sftp-key').fill(sshd.clientKey);
    await form.locator('#passphrase').fill(PASSPHRASE);
    // Saving before a key is pinned is refused beside the field.
    await form.locator('button[type=submit]').click();
    await expect.poll(() => text(form.locator('[data-field="sftp-host-key"]'))).toBe('Получите ключ сервера и подтвердите его отпечаток');
    expect(store.backups.sftpTarget()).toBeUndefined();

    await form.getByTestId('sftp-fetch').click();
    const expected = execFileSync('ssh-keygen', ['-lf', sshd.hostKeyPub], { encoding: 'utf8' }).split(' ')[1]!;
    await expect.poll(() => text(form.getByTestId('sftp-fingerprint')), { timeout: 30_000 }).toBe(expected);
    await shot(page, 'backups-sftp-fingerprint');
    await form.getByTestId('sftp-confirm').click();
    expect(await text(form.getByTestId('sftp-pinned'))).toBe(`Закреплён ключ с отпечатком ${expected}`);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('backups-notice').textContent().catch(() => '')).toBe('Расписание сохранено');
    const stored = store.backups.sftpTarget()!;
    expect(stored).toMatchObject({ host: '127.0.0.1', port: sshd.port, username: sshd.user, dir: sshd.remote, hostKey: sshd.hostKey });
    expect(store.backups.schedule().target).toBe('sftp');
    // The key is not shown again; its public half is, for authorized_keys.
    expect(await form.locator('#sftp-key').inputValue()).toBe('');
    const pub = execFileSync('ssh-keygen', ['-y', '-f', sshd.clientKeyFile], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
    expect(await text(form.getByTestId('sftp-public-key'))).toBe(`${pub} korobka-backup`);
    expect(await page.content()).not.toContain(sshd.clientKey.split('\n')[1]!);
  }, 90_000);

  it('«back up now» lands the backup on the server, done and verified', async () => {
    await page.getByTestId('backup-now').click();
    await expect.poll(() => page.getByTestId('backups-notice').textContent().catch(() => '')).toMatch(/^Копия \d+ поставлена в очередь$/);
    const done = page.locator('pbx-backups-page tr[data-state="ok"]').first();
    await done.waitFor({ timeout: 90_000 });
    await expect.poll(() => done.getByTestId('backup-verify-state').getAttribute('data-verify'), { timeout: 90_000 }).toBe('ok');
    expect(await text(done.getByTestId('backup-verify-state'))).toBe('Проверена');
    expect(await text(done.getByTestId('backup-remote'))).toBe(`На сервере SFTP: sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.remote}`);
    const run = store.backups.list().rows[0]!;
    expect(readdirSync(sshd.remote).sort()).toEqual([run.fileName, `${run.fileName}.sha256`]);
    // Kept on the server, not on the box: no download link.
    expect(await done.locator(`[data-testid="download-${run.id}"]`).count()).toBe(0);
    await shot(page, 'backups-sftp-done');
  }, 180_000);
});
