/* global document, localStorage -- used inside the page by page.evaluate */
// Screenshots of every page in Russian and English for the README:
// docs/screenshots/<page>-<lang>.png, against a real api on a fresh data
// directory. Usage: node scripts/build.mjs && node bench/ui/screenshots.mjs
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launch, startApi } from './lib.mjs';

const OUT = path.resolve('docs/screenshots');
const PASSWORD = 'Screens-Password-2026';
mkdirSync(OUT, { recursive: true });

const api = await startApi();
const browser = await launch();
const page = await browser.context.newPage();
const shot = async (name) => {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
};
const setLang = (lang) => page.evaluate((l) => localStorage.setItem('korobka.lang', l), lang);
const h1 = () => page.locator('main h1, pbx-login-page h1, pbx-password-page h1').first();

try {
  await page.goto(api.url + '/login');
  await h1().waitFor();
  await shot('login-ru');
  await page.locator('pbx-login-page button[data-lang="en"]').click();
  await shot('login-en');
  await page.locator('pbx-login-page button[data-lang="ru"]').click();

  await page.locator('pbx-login-page #username').fill('admin');
  await page.locator('pbx-login-page #password').fill(api.initialPassword);
  await page.locator('pbx-login-page button[type=submit]').click();
  await page.waitForURL('**/password');
  await page.locator('pbx-password-page #newPassword').fill('short');
  await shot('password-ru');
  await setLang('en');
  await page.reload();
  await page.locator('pbx-password-page #newPassword').fill('short');
  await shot('password-en');
  await setLang('ru');
  await page.reload();
  await page.locator('pbx-password-page #currentPassword').fill(api.initialPassword);
  await page.locator('pbx-password-page #newPassword').fill(PASSWORD);
  await page.locator('pbx-password-page #repeat').fill(PASSWORD);
  await page.locator('pbx-password-page button[type=submit]').click();
  await page.waitForURL('**/dashboard');

  // Some data to look at: a tenant with its admin, an auditor.
  await page.goto(api.url + '/tenants');
  await page.locator('#name').fill('Банк «Восток»');
  await page.locator('#sipDomain').fill('pbx.vostok-bank.ru');
  await page.locator('[id="admin.username"]').fill('vostok-admin');
  await page.locator('[id="admin.displayName"]').fill('Иван Петров');
  await page.locator('form[data-testid="tenant-form"] button[type=submit]').click();
  await page.getByTestId('password-value').waitFor();
  await page.goto(api.url + '/users');
  await page.locator('#username').fill('auditor');
  await page.locator('#role').selectOption('auditor');
  await page.locator('main form button[type=submit]').click();
  await page.getByTestId('password-value').waitFor();

  for (const lang of ['ru', 'en']) {
    await setLang(lang);
    for (const p of ['dashboard', 'tenants', 'users', 'audit', 'branding']) {
      await page.goto(`${api.url}/${p}`);
      await h1().waitFor();
      await page.getByTestId('licence-indicator').waitFor();
      const ready = { tenants: '[data-testid="tenants-table"] tbody tr', users: '[data-testid="users-table"] tbody tr', branding: '#productName' }[p];
      if (ready) await page.locator(ready).first().waitFor();
      if (p === 'dashboard') {
        await page.getByTestId('cpu-card').waitFor();
        // Wait for a few live samples so the chart shows a line.
        await page.waitForFunction(
          () => {
            const d = document.querySelector('pbx-app')?.shadowRoot?.querySelector('pbx-dashboard-page')?.shadowRoot?.querySelector('pbx-chart')?.shadowRoot?.querySelector('path')?.getAttribute('d') ?? '';
            return d.split('L').length >= 4;
          },
          null,
          { timeout: 30_000 },
        );
      }
      if (p === 'audit') await page.getByTestId('audit-range').waitFor();
      await shot(`${p}-${lang}`);
    }
  }
  await setLang('ru');
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.goto(`${api.url}/dashboard`);
  await page.getByTestId('cpu-card').waitFor();
  await shot('dashboard-tablet-ru');
} finally {
  await browser.close();
  await api.stop();
}
