// The mail page in Debian's Chromium against the built bundle and a real api
// process, with a real SMTP server on loopback (npm smtp-server) that wants
// a password: the superadmin fills in the appliance's SMTP settings, sends
// a test message with a wrong password and sees the server's 535 refusal,
// then with the right one and sees it accepted (and the server has it);
// saved, the password is not shown again.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { testSmtp, type TestSmtp } from '../helpers/smtp-server';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Mail-2026!';

let api: ApiProcess;
let browser: Launched;
let page: Page;
let smtp: TestSmtp;
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const field = (id: string) => page.locator(`pbx-mail-page #${id}`);

beforeAll(async () => {
  smtp = await testSmtp({ user: 'pbx', password: 'right-pw' });
  api = await startApiProcess('mail');
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
  await api?.stop();
  await smtp?.stop();
});

describe('mail page', () => {
  it('is in the navigation for the superadmin', async () => {
    await page.locator('pbx-nav a[data-nav="/mail"]').click();
    await page.waitForURL('**/mail');
    await page.getByTestId('smtp-form').waitFor();
    expect(await page.locator('pbx-mail-page h1').textContent()).toBe('Почта и уведомления');
  });

  it('a test message with a wrong password shows the server\'s 535; with the right one it is delivered', async () => {
    await field('host').fill('127.0.0.1');
    await field('port').fill(String(smtp.port));
    await field('security').selectOption('none');
    await field('username').fill('pbx');
    await field('password').fill('wrong-pw');
    await field('from').fill('pbx@bank.example');
    await field('testTo').fill('ivanova@bank.example');
    await page.getByTestId('smtp-test').click();
    const result = page.getByTestId('smtp-test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('false');
    expect(await result.textContent()).toMatch(/^Сервер не принял письмо: 535 Authentication credentials invalid/);
    expect(await result.textContent()).not.toContain('wrong-pw');
    await shot(page, 'mail-test-refused');
    expect(smtp.received).toHaveLength(0);

    await field('password').fill('right-pw');
    await page.getByTestId('smtp-test').click();
    await expect.poll(async () => `${await result.getAttribute('data-ok')} ${await result.textContent()}`, { timeout: 20_000 }).toMatch(/^true /);
    expect(await result.textContent()).toMatch(/^Письмо принято сервером 127\.0\.0\.1:\d+: 250/);
    const [m] = await smtp.waitFor(1);
    expect(m!.subject).toBe('Korobka: проверка почты / mail test');
    expect(smtp.envelopes[0]).toEqual({ from: 'pbx@bank.example', to: ['ivanova@bank.example'] });
    await shot(page, 'mail-test-ok');
  });

  it('saves the settings; the password is kept but never shown again', async () => {
    await page.getByTestId('smtp-save').click();
    await page.getByTestId('smtp-saved').waitFor();
    await page.reload();
    await page.getByTestId('smtp-form').waitFor();
    await expect.poll(() => field('host').inputValue()).toBe('127.0.0.1');
    expect(await field('password').inputValue()).toBe('');
    expect(await page.locator('pbx-mail-page #password-hint').textContent()).toBe('Пароль сохранён; оставьте пустым, чтобы не менять');
    const body = await page.evaluate(async () => await (await fetch('/api/mail/smtp?scope=appliance')).text());
    expect(body).not.toContain('right-pw');
    // The stored password still works: a test from the saved form without typing it.
    await field('testTo').fill('petrov@bank.example');
    await page.getByTestId('smtp-test').click();
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBe(2);
  });
});
