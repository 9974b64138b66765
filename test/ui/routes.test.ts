// The outbound routes page in Debian's Chromium against the built bundle and
// a real api process: a route with a bad pattern and no trunk is refused
// with both errors beside their fields and nothing saved; fixed, it is
// saved, and the "test a number" box shows the dry run choosing its trunk.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Routes-2026!';

let api: ApiProcess;
let browser: Launched;
let page: Page;
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

beforeAll(async () => {
  api = await startApiProcess('routes');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
  const tenantId = await page.evaluate(async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id);
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
  // A trunk to route through, made as the trunks page would.
  const created = await page.evaluate(async (id) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
    const r = await fetch('/api/trunks', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken, 'x-korobka-tenant': String(id) },
      body: JSON.stringify({ name: 'Ростелеком', kind: 'ip', addresses: ['192.0.2.10'] }),
    });
    return r.status;
  }, tenantId);
  expect(created).toBe(201);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('outbound routes page', () => {
  it('shows the problems beside their fields, then saves the route and the dry run picks its trunk', async () => {
    await page.goto(api.url + '/routes');
    await page.getByTestId('routes-empty').waitFor();
    await page.getByTestId('add-route').click();
    await page.locator('pbx-routes-page #route-0-name').fill('Москва');
    await page.locator('pbx-routes-page #route-0-patterns').fill('_8495XXXXXXX\n_8[9-1]X.');
    await page.getByTestId('save-routes').click();
    const patternsError = page.locator('pbx-routes-page [data-field="route-0-patterns"]');
    await expect.poll(() => patternsError.textContent()).toContain('строка 2');
    expect(await page.locator('pbx-routes-page [data-field="route-0-trunks"]').textContent()).toBe('Нужен хотя бы один транк');
    await shot(page, 'routes-errors');
    expect(await page.evaluate(async () => ((await (await fetch('/api/dialplan?tenantId=' + localStorage.getItem('korobka.tenant'))).json()) as { routes: unknown[] }).routes)).toEqual([]);

    await page.locator('pbx-routes-page #route-0-patterns').fill('_8495XXXXXXX');
    await page.locator('pbx-routes-page #route-0-trunk-add').selectOption({ label: 'Ростелеком' });
    await page.getByTestId('save-routes').click();
    await page.getByText('Маршруты сохранены').waitFor();
    const stored = await page.evaluate(async () => ((await (await fetch('/api/dialplan?tenantId=' + localStorage.getItem('korobka.tenant'))).json()) as { routes: Array<{ name: string; patterns: string[]; trunks: string[] }> }).routes);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Москва', patterns: ['_8495XXXXXXX'] });
    expect(stored[0]!.trunks).toHaveLength(1);

    await page.locator('pbx-dial-test #testNumber').fill('8 495 123-45-67');
    await page.locator('pbx-dial-test button[type=submit]').click();
    const result = page.getByTestId('dial-test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-outcome')).toBe('outbound');
    expect(await page.getByTestId('dial-test-route').textContent()).toBe('Москва');
    expect(await page.getByTestId('dial-test-trunks').textContent()).toContain('Ростелеком → 84951234567');
    await shot(page, 'routes-dry-run');
  });

  it('saves the numbering plan, naming a bad city code beside its field first', async () => {
    await page.locator('pbx-routes-page #cityCode').fill('12');
    await page.getByTestId('save-numbering').click();
    const error = page.locator('pbx-routes-page [data-field="cityCode"]');
    await expect.poll(() => error.textContent()).toBe('3–5 цифр, первая от 3 до 9, или пусто');
    await page.locator('pbx-routes-page #cityCode').fill('495');
    await page.locator('pbx-routes-page #localAreaCodes').fill('499');
    await page.locator('pbx-routes-page #extensionMaxLength').fill('4');
    await page.locator('pbx-routes-page #outsideLinePrefix').selectOption('9');
    await page.getByTestId('save-numbering').click();
    await page.getByText('Нумерация сохранена').waitFor();
    const numbering = await page.evaluate(async () => ((await (await fetch('/api/dialplan?tenantId=' + localStorage.getItem('korobka.tenant'))).json()) as { numbering: unknown }).numbering);
    expect(numbering).toEqual({ cityCode: '495', localAreaCodes: ['499'], extensionMinLength: 2, extensionMaxLength: 4, outsideLinePrefix: '9' });
    // With the outside-line digit 9, a seven-digit number is local to 495 and takes the Moscow route.
    await page.locator('pbx-dial-test #testNumber').fill('9 234-56-78');
    await page.locator('pbx-dial-test button[type=submit]').click();
    await expect.poll(() => page.getByTestId('dial-test-result').textContent()).toContain('+74952345678 (местный)');
    expect(await page.getByTestId('dial-test-trunks').textContent()).toContain('Ростелеком → 84952345678');
  });
});
