// The GSM gateways page in Debian's Chromium against the built bundle and a
// real api process: a gateway from the GoIP per-line template gets a port
// user per line and its password once; a SIM CSV with one bad ICCID shows
// that row's error in Russian and imports the other two; a SIM is bound to
// an extension and a second SIM for the same extension is refused beside
// its field; a port's registration (the registrar's stored binding) shows
// as the port's state.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../services/store';
import { ExtensionsRepo } from '../../services/store/repos/extensions';
import { RegistrationsRepo } from '../../services/store/repos/registrations';
import { testOutputDir } from '../helpers/processes';
import { tempDir } from '../helpers/tmp';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Gateways-2026!';
let api: ApiProcess;
let browser: Launched;
let page: Page;
let tenantId: number;
let fixtures: { dir: string; cleanup: () => void };
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const withDb = <T>(fn: (db: ReturnType<typeof openDatabase>) => T): T => {
  const db = openDatabase(path.join(api.dataDir, 'korobka.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  fixtures = tempDir('fmc-ui-');
  api = await startApiProcess('fmc');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
  tenantId = await page.evaluate(async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id);
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
  withDb((db) => {
    const ext = new ExtensionsRepo(db);
    for (const n of ['201', '202']) ext.create({ tenantId, extension: n, ha1: { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) } });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  fixtures?.cleanup();
});

describe('gateways page', () => {
  it('creates a gateway from the GoIP template: a port user per line, the password once', async () => {
    await page.goto(api.url + '/dashboard');
    await page.locator('pbx-nav a[data-nav="/gateways"]').click();
    await page.waitForURL('**/gateways');
    await page.getByTestId('gateways-empty').waitFor();
    expect(await page.locator('pbx-gateways-page h1').textContent()).toBe('GSM-шлюзы и SIM-карты');
    // Out of range first: 40 ports on a GoIP is refused beside the field.
    await page.locator('pbx-gateways-page #template').selectOption('goip-line');
    await page.locator('pbx-gateways-page #name').fill('GoIP офис');
    await page.locator('pbx-gateways-page #portCount').fill('40');
    await page.getByTestId('gateway-form').locator('button[type=submit]').click();
    await expect.poll(() => page.locator('pbx-gateways-page [data-field="portCount"]').textContent()).toBe('для шаблона goip-line — от 1 до 32 портов');
    await page.locator('pbx-gateways-page #portCount').fill('2');
    await page.getByTestId('gateway-form').locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('gateway-notice').textContent()).toMatch(/Шлюз «GoIP офис» добавлен\. Пароль портов \(показан один раз, введите его в шлюзе\): \S{24}/);
    const ports = page.locator('pbx-gateways-page section[data-gateway="GoIP офис"] table[data-testid^="ports-"] tbody tr');
    await expect.poll(() => ports.count()).toBe(2);
    expect(await ports.nth(0).locator('td').nth(1).textContent()).toBe('goip-1');
    expect(await ports.nth(1).locator('td').nth(3).textContent()).toBe('не зарегистрирован · нет данных о вызовах');
    await expect.poll(() => page.locator('pbx-gateways-page table[data-testid^="device-settings-"]').textContent()).toContain('Config by Line');
    await shot(page, 'fmc-gateway');
  });

  it('imports SIMs from CSV: the bad row is named in Russian, the good rows land', async () => {
    const csv = [
      'ICCID;Номер;Оператор;Шлюз;Порт;Внутренний;Зарегистрирован;Договор',
      '8970102100000000001;89257184444;МТС;GoIP офис;1;;да;МТС-1',
      '8970102100000000002;89160000001;МегаФон;GoIP офис;2;;да;',
      '8970199123456789012;+79160000002;Билайн;GoIP офис;2;;нет;',
    ].join('\r\n');
    const file = path.join(fixtures.dir, 'sims.csv');
    writeFileSync(file, '\ufeff' + csv);
    await page.locator('pbx-sims-section #simCsv').setInputFiles(file);
    await page.getByTestId('sims-preview').click();
    await expect.poll(() => page.getByTestId('sims-summary').textContent()).toBe('Строк: 3, правильных: 2, с ошибками: 1');
    expect(await page.getByTestId('sims-import-errors').textContent()).toContain('Строка 3: ICCID — неверная контрольная цифра: последней должна быть 1');
    await page.getByTestId('sims-import').click();
    await expect.poll(() => page.getByTestId('sims-notice').textContent()).toBe('Загружено SIM-карт: 2');
    await expect.poll(() => page.locator('pbx-sims-section tbody tr').count()).toBe(2);
    expect(await page.locator('pbx-sims-section tr[data-sim="+79257184444"] td').nth(3).textContent()).toBe('GoIP офис · 1');
    await shot(page, 'fmc-sims');
  });

  it('binds a SIM to an extension, at most one SIM per extension', async () => {
    await page.getByTestId('bind-+79257184444').fill('201');
    await page.locator('pbx-sims-section tr[data-sim="+79257184444"]').getByRole('button', { name: 'Привязать' }).click();
    await expect.poll(() => page.getByTestId('sims-notice').textContent()).toBe('SIM +79257184444 привязана к 201');
    await page.getByTestId('bind-+79160000002').fill('201');
    await page.locator('pbx-sims-section tr[data-sim="+79160000002"]').getByRole('button', { name: 'Привязать' }).click();
    await expect.poll(() => page.locator('pbx-sims-section [data-field="bind-+79160000002"]').textContent()).toBe('у номера 201 уже есть SIM (+79257184444)');
    const bound = await page.evaluate(async () => ((await (await fetch('/api/sims')).json()) as { sims: Array<{ msisdn: string; extension: string | null }> }).sims);
    expect(bound.map((s) => [s.msisdn, s.extension])).toEqual([
      ['+79160000002', null],
      ['+79257184444', '201'],
    ]);
  });

  it("shows a port's registration as its state", async () => {
    const now = Date.now();
    withDb((db) =>
      new RegistrationsRepo(db).replace(`${tenantId}:goip-1`, [
        { contact: 'sip:goip-1@192.0.2.9:5060', expiresAt: now + 300_000, callId: 'reg-goip', cseq: 1, source: { address: '192.0.2.9', port: 5060, transport: 'udp' }, userAgent: 'dble', registeredAt: now },
      ]),
    );
    await page.reload();
    const state = page.locator('pbx-gateways-page td[data-testid$="-1"][data-testid^="port-state-"]');
    await expect.poll(() => state.textContent()).toBe('зарегистрирован · 192.0.2.9:5060 · нет данных о вызовах');
    expect(await page.locator('pbx-gateways-page section[data-gateway="GoIP офис"] tr[data-port="1"] td').nth(2).textContent()).toBe('+79257184444');
    await shot(page, 'fmc-port-state');
  });
});
