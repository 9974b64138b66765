// The admin UI in Debian's Chromium against the built bundle and a real api
// process on a fresh data directory: first sign-in, tenants, branding,
// access by role, language.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, png, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ur4l-Vostok-2026!';
const AUDITOR_PASSWORD = 'Kama-River-77-audit';
const TENANT_ADMIN_PASSWORD = 'Vostok-Filial-2026';
let tenantAdminOtp = '';

let api: ApiProcess;
let browser: Launched;
let page: Page;
/** Other users' contexts, closed even when a test fails midway. */
const contexts: BrowserContext[] = [];
const out = testOutputDir('ui');
const shot = (name: string) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

beforeAll(async () => {
  api = await startApiProcess('admin');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await api?.stop();
});

const h1 = () => page.locator('main h1, pbx-login-page h1, pbx-password-page h1').first();

describe('admin UI', () => {
  it('signs in with the one-time password, must change it first, then sees the dashboard', async () => {
    await page.goto(api.url + '/');
    await page.waitForURL('**/login');
    expect(await h1().textContent()).toBe('Вход');
    await signIn(page, 'admin', 'wrong password');
    await expect.poll(() => page.getByTestId('form-error').textContent()).toBe('Неверное имя пользователя или пароль');

    await signIn(page, 'admin', api.initialPassword);
    await page.waitForURL('**/password');
    expect(await h1().textContent()).toBe('Смена одноразового пароля');
    // Checked as the user types, before anything is sent.
    await page.locator('pbx-password-page #newPassword').fill('short');
    expect(await page.locator('pbx-password-page #newPassword-error').textContent()).toBe('Не короче 10 символов');
    await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);

    await page.waitForURL('**/dashboard');
    expect(await h1().textContent()).toBe('Обзор');
    await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Обновляется в реальном времени');
    expect(await page.getByTestId('calls-card').textContent()).toContain('Нет данных: модуль звонков не отвечает');
    expect(await page.getByTestId('cpu-card').textContent()).toMatch(/\d+,\d%/);
    expect(await page.getByTestId('chart').locator('path').count()).toBe(2);
    // The licence indicator in the header tells the truth of a fresh box.
    const licence = page.getByTestId('licence-indicator');
    await expect.poll(() => licence.getAttribute('data-state')).toBe('unlicensed');
    expect(await licence.textContent()).toMatch(/^Без лицензии: ознакомительный режим, до \d+ звонков$/);
    await shot('dashboard');
  });

  it('shows the supervisor\'s process states from /api/health', async () => {
    // The supervisor writes this file every second; here the test plays it.
    const now = new Date().toISOString();
    mkdirSync(path.join(api.dataDir, 'run'), { recursive: true });
    writeFileSync(
      path.join(api.dataDir, 'run', 'status.json'),
      JSON.stringify({
        pid: process.pid,
        updatedAt: now,
        processes: [
          { name: 'sip-core', state: 'running', pid: 4242, restarts: 0, since: now, lastExit: null, health: { ok: true } },
          { name: 'call-control', state: 'backoff', pid: null, restarts: 3, since: now, lastExit: 'exit code 1', health: null },
        ],
      }),
    );
    // No reload: the next push of the live feed carries the states.
    const table = page.locator('pbx-dashboard-page table');
    await expect.poll(() => table.textContent()).toContain('sip-core');
    const cells = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(cells).toEqual([
      ['sip-core', 'работает', '4242', '0'],
      ['call-control', 'ожидает перезапуска', '—', '3'],
    ]);
    // call-control back, reporting its calls: the cards show them, with the licence gauge.
    writeFileSync(
      path.join(api.dataDir, 'run', 'status.json'),
      JSON.stringify({
        pid: process.pid,
        updatedAt: new Date().toISOString(),
        processes: [
          { name: 'sip-core', state: 'running', pid: 4242, restarts: 0, since: now, lastExit: null, health: { ok: true } },
          { name: 'call-control', state: 'running', pid: 4243, restarts: 3, since: now, lastExit: null, health: { ok: true, activeCalls: 3, registrations: 7, licence: { profile: 'eval', state: 'unlicensed', concurrentCalls: 4 } } },
        ],
      }),
    );
    await expect.poll(() => page.getByTestId('active-calls').textContent(), { timeout: 15_000 }).toBe('3');
    expect(await page.getByTestId('registrations').textContent()).toBe('7');
    expect(await page.getByTestId('calls-card').locator('meter').evaluate((m) => [(m as HTMLMeterElement).value, (m as HTMLMeterElement).max])).toEqual([3, 4]);
    expect(await page.getByTestId('calls-card').textContent()).toContain('из 4 по лицензии eval');
  });

  it('creates a tenant with its first admin, shows the password once, and puts server errors beside their field', async () => {
    await page.locator('pbx-nav a[data-nav="/tenants"]').click();
    await page.waitForURL('**/tenants');
    await page.locator('#name').fill('Банк Восток');
    await page.locator('#sipDomain').fill('not a domain');
    expect(await page.locator('#sipDomain-error').textContent()).toBe('Укажите доменное имя, например pbx.example.ru');
    await page.locator('#sipDomain').fill('pbx.vostok-bank.ru');
    expect(await page.locator('#sipDomain-error').textContent()).toBe('');
    await page.locator('[id="admin.username"]').fill('vostok-admin');
    await page.locator('[id="admin.displayName"]').fill('Иван Петров');
    await page.getByRole('button', { name: 'Создать организацию' }).click();
    const otp = page.getByTestId('password-value');
    await expect.poll(() => otp.textContent()).toMatch(/^[A-Za-z0-9]{18}$/);
    tenantAdminOtp = (await otp.textContent())!;
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
    await page.getByTestId('copy-password').click();
    await expect.poll(() => page.getByTestId('copy-password').textContent()).toContain('Скопировано');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(tenantAdminOtp);
    expect(await page.getByTestId('tenants-table').textContent()).toContain('pbx.vostok-bank.ru');

    // The same domain again: the server's conflict lands beside the domain field.
    await page.getByRole('button', { name: 'Я сохранил пароль' }).click();
    await page.locator('#name').fill('Дубликат');
    await page.locator('#sipDomain').fill('pbx.vostok-bank.ru');
    await page.locator('[id="admin.username"]').fill('dup-admin');
    await page.getByRole('button', { name: 'Создать организацию' }).click();
    await expect.poll(() => page.locator('#sipDomain-error').textContent()).toBe('Этот SIP-домен уже занят другой организацией');
    await shot('tenants');

    // Edited in place: the default tenant may not take the bank's domain.
    await page.getByTestId('edit-default.korobka.test').click();
    await page.locator('#edit-sipDomain').fill('pbx.vostok-bank.ru');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => page.locator('#edit-sipDomain-error').textContent()).toBe('Этот SIP-домен уже занят другой организацией');
    await page.locator('#edit-name').fill('Головной офис');
    await page.locator('#edit-sipDomain').fill('hq.korobka.test');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => page.getByTestId('tenants-table').textContent()).toContain('hq.korobka.test');
    expect(await page.getByTestId('tenants-table').textContent()).toContain('Головной офис');
  });

  it('warns about unreadable colours as the user types, uploads a logo, and applies the branding', async () => {
    await page.locator('pbx-nav a[data-nav="/branding"]').click();
    await page.waitForURL('**/branding');
    await page.locator('#primaryColor').fill('#ffdd00');
    await expect.poll(() => page.getByTestId('primaryColor-warning').textContent()).toContain('ниже 4,5:1');
    await page.getByTestId('primaryColor-suggestion').click();
    expect(await page.getByTestId('primaryColor-warning').count()).toBe(0);
    await page.locator('#primaryColor').fill('#7a1f5c');
    await page.locator('#productName').fill('Восток АТС');
    await page.locator('#loginText').fill('Вход только для сотрудников банка.');
    await page.getByRole('button', { name: 'Добавить ссылку' }).click();
    await page.locator('[id="footerLinks[0].label"]').fill('Политика');
    await page.locator('[id="footerLinks[0].url"]').fill('ftp://bank.example');
    expect(await page.locator('[id="footerLinks[0].url-error"]').textContent()).toBe('Укажите адрес https://, http:// или mailto:');
    await page.locator('[id="footerLinks[0].url"]').fill('https://vostok-bank.example/privacy');

    // A refused upload shows why beside the field and changes nothing.
    await page.locator('#logo').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') });
    await expect.poll(() => page.getByTestId('logo-error').textContent()).toContain('SVG отклонён');
    await page.locator('#logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(64, 32, [244, 180, 0]) });
    await expect.poll(() => page.getByTestId('preview-logo').getAttribute('src')).toMatch(/^\/api\/branding\/logo\?v=/);
    expect(await page.getByTestId('logo-error').textContent()).toBe('');
    await page.locator('#favicon').setInputFiles({ name: 'icon.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#7a1f5c"/></svg>') });
    await expect.poll(() => page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href'))).toMatch(/^\/api\/branding\/favicon\?v=/);

    await page.getByTestId('branding-save').click();
    await expect.poll(() => page.getByTestId('branding-saved').textContent()).toBe('Сохранено');
    const header = page.locator('pbx-app header').first();
    await expect.poll(() => header.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 92)');
    expect(await page.getByTestId('product-name').textContent()).toBe('Восток АТС');
    expect(await page.getByTestId('header-logo').getAttribute('src')).toMatch(/^\/api\/branding\/logo\?v=/);
    expect(await page.getByTestId('header-logo').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(64);
    await shot('branding');

    // Before sign-in the login page already wears it.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL('**/login');
    const submit = page.locator('pbx-login-page button[type=submit]');
    await expect.poll(() => submit.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 92)');
    expect(await page.getByTestId('login-logo').getAttribute('src')).toMatch(/^\/api\/branding\/logo/);
    expect(await page.title()).toBe('Восток АТС');
    expect(await page.getByTestId('login-text').textContent()).toBe('Вход только для сотрудников банка.');
    expect(await page.locator('pbx-login-page a', { hasText: 'Политика' }).getAttribute('href')).toBe('https://vostok-bank.example/privacy');
    await shot('login-branded');
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL('**/dashboard');
  });

  it('an auditor is refused the tenants page: the UI says no access and the API answers 403', async () => {
    await page.locator('pbx-nav a[data-nav="/users"]').click();
    await page.waitForURL('**/users');
    await page.locator('#username').fill('auditor1');
    await page.locator('#role').selectOption('auditor');
    await page.getByRole('button', { name: 'Создать пользователя' }).click();
    const otp = page.getByTestId('password-value');
    await expect.poll(() => otp.textContent()).toMatch(/^[A-Za-z0-9]{18}$/);
    const auditorOtp = (await otp.textContent())!;

    // A second browser context: its own cookie jar, so the admin stays signed in.
    const other = await browser.context.browser()!.newContext({ ignoreHTTPSErrors: true });
    contexts.push(other);
    const p2 = await other.newPage();
    // Asked for the audit log before signing in: opened after it.
    await p2.goto(api.url + '/audit');
    await p2.waitForURL('**/login');
    await signIn(p2, 'auditor1', auditorOtp);
    await p2.waitForURL('**/password');
    await changeOneTimePassword(p2, auditorOtp, AUDITOR_PASSWORD);
    await p2.waitForURL('**/audit');
    expect(await p2.title()).toBe('Журнал аудита · Восток АТС');
    expect(await p2.locator('pbx-nav a[data-nav="/tenants"]').count()).toBe(0);
    expect(await p2.locator('pbx-nav a[data-nav="/audit"]').count()).toBe(1);
    await p2.goto(api.url + '/tenants');
    await expect.poll(() => p2.getByTestId('no-access').textContent()).toContain('Нет доступа');
    const status = await p2.evaluate(async () => (await fetch('/api/tenants')).status);
    expect(status).toBe(403);
    await p2.screenshot({ path: path.join(out, 'no-access.png') });

    // The audit log it may read, with paging.
    // Every read of the log is itself audited: sixty reads make a second page.
    await p2.evaluate(async () => {
      for (let i = 0; i < 60; i++) await fetch('/api/audit?limit=1');
    });
    await p2.goto(api.url + '/audit');
    await expect.poll(() => p2.getByTestId('audit-range').textContent()).toMatch(/^1–50 из \d+$/);
    const total = Number((await p2.getByTestId('audit-range').textContent())!.split(' из ')[1]);
    expect(total).toBeGreaterThan(60);
    await p2.getByTestId('audit-next').click();
    await expect.poll(() => p2.getByTestId('audit-range').textContent()).toMatch(/^51–\d+ из \d+$/);
    await p2.locator('#action').fill('access.denied');
    await expect.poll(() => p2.getByTestId('audit-table').textContent()).not.toContain('audit.read');
    expect(await p2.getByTestId('audit-table').textContent()).toContain('access.denied');
    expect(await p2.getByTestId('audit-range').textContent()).toMatch(/^1–\d+ из \d+$/);
    await other.close();
  });

  it('a tenant admin brands their own tenant, and the appliance keeps its branding', async () => {
    const other = await browser.context.browser()!.newContext({ ignoreHTTPSErrors: true });
    contexts.push(other);
    const p3 = await other.newPage();
    await p3.goto(api.url + '/login');
    await signIn(p3, 'vostok-admin', tenantAdminOtp);
    await p3.waitForURL('**/password');
    await changeOneTimePassword(p3, tenantAdminOtp, TENANT_ADMIN_PASSWORD);
    await p3.waitForURL('**/dashboard');
    expect(await p3.locator('pbx-nav a[data-nav="/tenants"]').count()).toBe(0);
    await p3.locator('pbx-nav a[data-nav="/branding"]').click();
    await expect.poll(() => p3.getByTestId('branding-scope').textContent()).toBe('Оформление организации «Банк Восток».');
    // The tenant starts from the appliance's branding.
    expect(await p3.locator('#productName').inputValue()).toBe('Восток АТС');
    await p3.locator('#primaryColor').fill('#0a5c36');
    await p3.locator('#productName').fill('Восток Филиал');
    await p3.getByTestId('branding-save').click();
    const header = p3.locator('pbx-app header').first();
    await expect.poll(() => header.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(10, 92, 54)');
    expect(await p3.getByTestId('product-name').textContent()).toBe('Восток Филиал');
    // Only what differs from the appliance is stored for the tenant.
    const own = await p3.evaluate(async () => (await (await fetch('/api/branding/edit')).json()).settings);
    expect(own).toEqual({ productName: 'Восток Филиал', primaryColor: '#0a5c36' });
    await other.close();
    await page.reload();
    await expect.poll(() => page.getByTestId('product-name').textContent()).toBe('Восток АТС');
    expect(await page.locator('pbx-app header').first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 92)');
  });

  it('a superadmin switches tenant and the users page follows it', async () => {
    await page.goto(api.url + '/users');
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('vostok-admin');
    expect(await page.getByTestId('users-table').textContent()).toContain('auditor1');
    await page.getByTestId('tenant-switcher').selectOption({ label: 'Банк Восток (pbx.vostok-bank.ru)' });
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('vostok-admin');
    expect(await page.getByTestId('users-table').textContent()).not.toContain('auditor1');
    // A tenant user's role changes in place, and the api keeps it.
    await page.locator('#username').fill('operator1');
    await page.getByRole('button', { name: 'Создать пользователя' }).click();
    await page.getByTestId('password-value').waitFor();
    expect(await page.getByTestId('role-operator1').inputValue()).toBe('employee');
    await page.getByTestId('role-operator1').selectOption('supervisor');
    await expect.poll(async () => {
      const users = await page.evaluate(async () => (await (await fetch('/api/users')).json()).users as { username: string; role: string }[]);
      return users.find((u) => u.username === 'operator1')?.role;
    }).toBe('supervisor');
    await page.getByTestId('rename-operator1').click();
    await page.locator('[data-testid="users-table"] input[id^="name-"]').fill('Оператор Смирнова');
    await page.locator('[data-testid="users-table"]').getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('Оператор Смирнова');
    // Remembered across a reload, then back to every tenant.
    await page.reload();
    await expect.poll(() => page.getByTestId('tenant-switcher').inputValue()).not.toBe('');
    await page.getByTestId('tenant-switcher').selectOption('');
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('auditor1');
  });

  it('goes back to sign-in when the session ends elsewhere (the live feed closes with 4001)', async () => {
    const other = await browser.context.browser()!.newContext({ ignoreHTTPSErrors: true });
    contexts.push(other);
    const p4 = await other.newPage();
    await p4.goto(api.url + '/login');
    await signIn(p4, 'auditor1', AUDITOR_PASSWORD);
    await p4.waitForURL('**/dashboard');
    await expect.poll(() => p4.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Обновляется');
    // The admin resets the auditor's password: their sessions end.
    await page.goto(api.url + '/users');
    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid="users-table"] tr', { hasText: 'auditor1' }).getByRole('button', { name: 'Сбросить пароль' }).click();
    await page.getByTestId('password-value').waitFor();
    await p4.waitForURL('**/login', { timeout: 15_000 });
    expect(await p4.locator('pbx-login-page h1').textContent()).toBe('Вход');
    await other.close();
  });

  it('switches to English, remembers it across a reload, and back to Russian', async () => {
    await page.goto(api.url + '/dashboard');
    expect(await h1().textContent()).toBe('Обзор');
    await page.getByTestId('user-menu').click();
    await page.locator('pbx-user-menu button[data-lang="en"]').click();
    await expect.poll(() => h1().textContent()).toBe('Dashboard');
    expect(await page.locator('pbx-nav a[data-nav="/tenants"]').textContent()).toBe('Organisations');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await expect.poll(() => h1().textContent()).toBe('Dashboard');
    await page.getByTestId('user-menu').click();
    await page.locator('pbx-user-menu button[data-lang="ru"]').click();
    await expect.poll(() => h1().textContent()).toBe('Обзор');
  });

  it('lays out for a tablet: the navigation becomes a bar and nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    try {
      await page.goto(api.url + '/dashboard');
      await expect.poll(() => h1().textContent()).toBe('Обзор');
      const layout = await page.evaluate(() => {
        const nav = document.querySelector('pbx-app')!.shadowRoot!.querySelector('pbx-nav')!.shadowRoot!.querySelector('nav')!;
        return { direction: getComputedStyle(nav).flexDirection, pageWidth: document.documentElement.scrollWidth };
      });
      expect(layout).toEqual({ direction: 'row', pageWidth: 820 });
      await page.screenshot({ path: path.join(out, 'dashboard-tablet.png') });
    } finally {
      await page.setViewportSize({ width: 1366, height: 860 });
    }
  });

  it('is usable by keyboard: a skip link, tab order through the navigation, visible focus', async () => {
    await page.goto(api.url + '/dashboard');
    await expect.poll(() => h1().textContent()).toBe('Обзор');
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => document.querySelector('pbx-app')!.shadowRoot!.activeElement?.className);
    expect(skip).toBe('skip');
    // Tab until a navigation link has focus, then check its focus ring.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const inNav = await page.evaluate(() => {
        const nav = document.querySelector('pbx-app')!.shadowRoot!.querySelector('pbx-nav')!;
        return nav.shadowRoot!.activeElement?.tagName === 'A';
      });
      if (inNav) break;
    }
    const outline = await page.evaluate(() => {
      const nav = document.querySelector('pbx-app')!.shadowRoot!.querySelector('pbx-nav')!;
      const a = nav.shadowRoot!.activeElement as HTMLElement;
      const s = getComputedStyle(a);
      return { style: s.outlineStyle, width: s.outlineWidth };
    });
    expect(outline).toEqual({ style: 'solid', width: '3px' });
    await page.keyboard.press('Enter');
    await page.waitForURL('**/dashboard');
  });
});
