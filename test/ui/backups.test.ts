// The backups page in Debian's Chromium against the built bundle, a real api
// process and the appliance's backup scheduler (the supervisor's, here in the
// test with its clock in the test's hand) running the real backup job:
// «back up now» without a passphrase is refused in Russian; a too-short
// passphrase is refused beside its field; a daily schedule is saved and,
// its time come, makes a backup that appears in the list as done and
// verified; the archive downloads and verifies with `korobka backup
// --verify`; «back up now» then queues a second one that completes.
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupScheduler } from '../../appliance/backup/scheduler';
import { loadConfig } from '../../appliance/config/load';
import { createLogger } from '../../services/common/logger';
import { openStore, type Store } from '../../services/store';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Backups-2026!';
const PASSPHRASE = 'Ключ от сейфа 2026';

let api: ApiProcess;
let browser: Launched;
let page: Page;
let store: Store;
let scheduler: BackupScheduler;
let clock: Date | null = null;
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const logFile = path.join(testOutputDir('ui', 'logs'), 'backups-scheduler.log');

beforeAll(async () => {
  api = await startApiProcess('backups');
  store = openStore(path.join(api.dataDir, 'korobka.db'));
  scheduler = new BackupScheduler({
    config: loadConfig({ env: {}, flags: { dataDir: api.dataDir } }),
    store,
    log: createLogger({ level: 'info', sink: (line) => appendFileSync(logFile, line + '\n') }),
    distDir: path.resolve('dist'),
    tickMs: 250,
    now: () => clock ?? new Date(),
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
});

/** Text as a person reads it: the templates' line breaks and indents are one space. */
const text = async (l: { textContent(): Promise<string | null> }) => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const row = (state: string) => page.locator(`pbx-backups-page tr[data-state="${state}"]`);

describe('backups page', () => {
  it('is in the navigation and refuses «back up now» until a passphrase is set', async () => {
    await page.locator('pbx-nav a[data-nav="/backups"]').click();
    await page.waitForURL('**/backups');
    await page.getByTestId('backups-empty').waitFor();
    expect(await text(page.locator('pbx-backups-page h1'))).toBe('Резервные копии');
    expect(await text(page.getByTestId('backups-last-good'))).toBe('Удачных копий ещё не было');
    await page.getByTestId('backup-now').click();
    await expect
      .poll(() =>
        page
          .getByTestId('backups-error')
          .textContent()
          .catch(() => ''),
      )
      .toBe('Сначала задайте пароль резервных копий в расписании');
    expect(store.backups.list().total).toBe(0);
  });

  it('refuses a short passphrase beside its field, then saves a daily schedule', async () => {
    const form = page.getByTestId('schedule-form');
    await form.locator('#enabled').check();
    await form.locator('#time').fill('03:15');
    await form.locator('#keepDaily').fill('5');
    await form.locator('#passphrase').fill('кратко');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-field="passphrase"]').textContent()).toBe('Пароль — не меньше 8 символов');
    expect(store.backups.schedule().enabled).toBe(false);
    await form.locator('#passphrase').fill(PASSPHRASE);
    await form.locator('button[type=submit]').click();
    await expect
      .poll(() =>
        page
          .getByTestId('backups-notice')
          .textContent()
          .catch(() => ''),
      )
      .toBe('Расписание сохранено');
    expect(await text(page.getByTestId('backups-next-run'))).toMatch(/^Следующая копия: .*03:15/);
    expect(store.backups.schedule()).toMatchObject({
      enabled: true,
      frequency: 'daily',
      time: '03:15',
      keepDaily: 5,
      keepWeekly: 4,
      targetDir: null,
    });
    await shot(page, 'backups-schedule');
  });

  it('makes the scheduled backup when its time comes; the list shows it done and verified', async () => {
    // The next 03:15 has come (by the scheduler's clock).
    const next = new Date(store.backups.schedule().since!);
    next.setDate(next.getDate() + 1);
    next.setHours(3, 16, 0, 0);
    clock = next;
    await page.reload();
    await row('ok').first().waitFor({ timeout: 60_000 });
    const first = row('ok').first();
    await expect.poll(() => first.getByTestId('backup-verify-state').getAttribute('data-verify'), { timeout: 60_000 }).toBe('ok');
    expect(await text(first.getByTestId('backup-verify-state'))).toBe('Проверена');
    expect(await text(first)).toContain('По расписанию');
    expect(await text(first)).toMatch(/Готова.*\d+,\d МБ/);
    expect(await text(page.getByTestId('backups-last-good'))).toMatch(/^Последняя удачная копия: /);
    await shot(page, 'backups-list');
  });

  it('downloads the archive, which verifies with the passphrase', async () => {
    const b = store.backups.list().rows[0]!;
    const pending = page.waitForEvent('download');
    await page.getByTestId(`download-${b.id}`).click();
    const file = await pending;
    expect(file.suggestedFilename()).toBe(b.fileName);
    const saved = path.join(out, b.fileName!);
    await file.saveAs(saved);
    const pass = path.join(out, 'backups-pass');
    writeFileSync(pass, PASSPHRASE);
    const verify = execFileSync(
      process.execPath,
      ['dist/appliance/cli/main.js', 'backup', '--data-dir', api.dataDir, '--verify', saved, '--passphrase-file', pass],
      { encoding: 'utf8' },
    );
    expect(verify).toContain('passphrase correct');
    expect(store.audit.list({ action: 'backup.download' }).rows[0]).toMatchObject({
      outcome: 'ok',
      actor: 'admin',
      target: `backup:${b.id}`,
    });
  });

  it('«back up now» queues a backup made by hand that completes verified', async () => {
    clock = null;
    await page.getByTestId('backup-now').click();
    await expect
      .poll(() =>
        page
          .getByTestId('backups-notice')
          .textContent()
          .catch(() => ''),
      )
      .toMatch(/^Копия \d+ поставлена в очередь$/);
    await expect.poll(() => page.locator('pbx-backups-page tr[data-state="ok"]').count(), { timeout: 60_000 }).toBe(2);
    const manual = page.locator('pbx-backups-page tr[data-state="ok"]').first();
    expect(await text(manual)).toContain('Вручную');
    await expect.poll(() => manual.getByTestId('backup-verify-state').getAttribute('data-verify'), { timeout: 60_000 }).toBe('ok');
  });
});
