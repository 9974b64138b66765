// The call-flows page in Debian's Chromium against the built bundle and a
// real api process: an admin builds a ring group, an IVR menu whose key 1
// rings it, and a schedule sending business hours to the menu; routes a
// DID to the schedule; sees the tree of where the number's calls go and a
// dry run at 21:00 on a Saturday; then a loop (the group's overflow back to
// the menu whose final goes to the group) is refused with the field named,
// and nothing is saved.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Flows-2026!';

let api: ApiProcess;
let browser: Launched;
let page: Page;
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

/** A JSON call from the page, as the UI makes it (session cookie, CSRF, the chosen tenant). */
async function apiCall(p: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return p.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const r = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken, 'x-korobka-tenant': localStorage.getItem('korobka.tenant') ?? '' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    },
    { method, url, body },
  );
}

beforeAll(async () => {
  api = await startApiProcess('call-flows');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  page.on('dialog', (d) => void d.accept());
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
  const tenantId = await page.evaluate(async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id);
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
  for (const n of ['201', '202']) expect((await apiCall(page, 'POST', '/api/extensions', { extension: n })).status).toBe(201);
  expect((await apiCall(page, 'POST', '/api/dids', { number: '84951234567', destination: { type: 'hangup', status: 480, reason: '' } })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const form = () => page.locator('pbx-flow-editor [data-testid="flow-form"]');

async function save() {
  await page.getByTestId('save-flow').click();
}

describe('call-flows page', () => {
  it('builds a ring group, an IVR menu and a schedule, routes the number, shows the flow and a dry run', async () => {
    await page.goto(api.url + '/call-flows');
    await page.getByRole('heading', { name: 'Схемы звонков' }).waitFor();

    await page.getByTestId('tab-ring-group').click();
    await page.getByTestId('new-ring-group').click();
    await form().locator('#flow-name').fill('Продажи');
    await form().locator('#flow-strategy').selectOption('hunt');
    await form().locator('#flow-members').fill('201 0 20\n202 0 20');
    await save();
    await page.getByTestId('saved').filter({ hasText: '«Продажи» сохранено' }).waitFor();

    await page.getByTestId('tab-ivr').click();
    await page.getByTestId('new-ivr').click();
    await form().locator('#flow-name').fill('Главное меню');
    // First a key to a ring group that is not chosen properly: the api names the option.
    await form().locator('#flow-option-0-type').selectOption('ring-group');
    await form().locator('#flow-option-0-value').selectOption({ label: 'Продажи' });
    await page.getByTestId('ivr-add-option').click();
    await form().locator('#flow-option-1-type').selectOption('extension');
    await form().locator('#flow-option-1-value').fill('299');
    await save();
    await expect.poll(() => form().locator('[data-field="flow-option-1"]').textContent()).toContain('extension 299 does not exist');
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Схема не сохранена');
    await form().locator('#flow-option-1-value').fill('202');
    await save();
    await page.getByTestId('saved').filter({ hasText: '«Главное меню» сохранено' }).waitFor();

    await page.getByTestId('tab-schedule').click();
    await page.getByTestId('new-schedule').click();
    await form().locator('#flow-name').fill('Офис');
    await form().locator('#flow-branch-0-name').fill('Будни');
    await form().locator('#flow-branch-0-destination-type').selectOption('ivr');
    await form().locator('#flow-closed-type').selectOption('hangup');
    await form().locator('#flow-holidays').fill('2026-01-01..2026-01-08 * Новогодние каникулы');
    await save();
    await page.getByTestId('saved').filter({ hasText: '«Офис» сохранено' }).waitFor();

    await page.getByTestId('tab-numbers').click();
    const row = page.getByTestId('numbers-table').locator('tr', { hasText: '+74951234567' });
    await row.locator('select[id$="-type"]').selectOption('schedule');
    await row.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Номер +74951234567 сохранён').waitFor();

    await page.getByTestId('tab-view').click();
    await page.locator('#view-number').fill('+74951234567');
    await page.getByTestId('view-show').click();
    const tree = page.getByTestId('flow-tree');
    await tree.waitFor();
    await expect.poll(() => tree.textContent()).toContain('Офис');
    expect(await tree.locator('[data-testid="node-ivr"]').first().textContent()).toContain('Главное меню');
    expect(await tree.locator('[data-testid="node-ring-group"]').first().textContent()).toContain('Продажи');
    expect(await tree.textContent()).toContain('Будни →');

    await page.locator('#run-number').fill('8 495 123-45-67');
    await page.locator('#run-at').fill('2026-12-05T21:00');
    await page.getByTestId('run').click();
    const path = page.getByTestId('dry-run-path');
    await path.waitFor();
    expect(await path.getAttribute('data-outcome')).toBe('hangup');
    expect(await path.textContent()).toContain('Расписание «Офис» — закрыто');
    await shot(page, 'call-flows-view');
  });

  it('refuses a loop with the field named, and keeps what was stored', async () => {
    await page.getByTestId('tab-ring-group').click();
    await page.getByTestId('edit-ring-group-Продажи').click();
    await form().locator('#flow-overflow-type').selectOption('ivr');
    await save();
    await page.getByTestId('saved').filter({ hasText: '«Продажи» сохранено' }).waitFor();

    await page.getByTestId('tab-ivr').click();
    await page.getByTestId('edit-ivr-Главное меню').click();
    await form().locator('#flow-final-type').selectOption('ring-group');
    await save();
    const err = form().locator('[data-field="flow-final"]');
    await expect.poll(() => err.textContent()).toContain("makes a loop: IVR menu 'Главное меню' (final) → ring group 'Продажи' (overflow) → IVR menu 'Главное меню'");
    await shot(page, 'call-flows-loop');
    const stored = (await apiCall(page, 'GET', '/api/ivr-menus')).body as { ivrMenus: Array<{ final: { type: string } }> };
    expect(stored.ivrMenus[0]!.final.type).toBe('hangup');
  });

  it('puts a recording notice on an outbound route for both parties, refuses one without its route, and removes it', async () => {
    const trunk = (await apiCall(page, 'POST', '/api/trunks', { name: 'Оператор', kind: 'ip', host: '127.0.0.1', port: 5099, transport: 'udp', addresses: ['127.0.0.1'], optionsInterval: 0, channelLimit: 2 })) as { status: number; body: { trunk: { id: number } } };
    expect(trunk.status).toBe(201);
    const routes = [{ id: 'russia', name: 'Россия', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: [String(trunk.body.trunk.id)] }];
    expect((await apiCall(page, 'PUT', '/api/dialplan/routes', { routes })).status).toBe(200);
    const spoken = (await apiCall(page, 'POST', '/api/prompts/tts', { name: 'Разговор записывается', language: 'ru', text: 'Разговор записывается' })) as { status: number; body: { prompt: { id: number } } };
    expect(spoken.status).toBe(201);
    const notices = async () => ((await apiCall(page, 'GET', '/api/call-flows/recording-notices')).body as { notices: Array<Record<string, unknown>> }).notices;

    await page.goto(api.url + '/call-flows');
    await page.getByTestId('tab-notices').click();
    const noticeForm = page.getByTestId('notice-form');
    await noticeForm.locator('#notice-scope').selectOption('route');
    // Saved without saying which route: refused beside the field, nothing stored.
    await noticeForm.locator('#notice-prompt').selectOption({ label: 'Разговор записывается' });
    await page.getByTestId('save-notice').click();
    await expect.poll(() => noticeForm.locator('[data-field="notice-ref"]').textContent()).toContain('Выберите, к чему относится уведомление');
    expect(await notices()).toEqual([]);

    await noticeForm.locator('#notice-ref').selectOption({ label: 'Россия (russia)' });
    await noticeForm.locator('#notice-to-called').check();
    await page.getByTestId('save-notice').click();
    await page.getByTestId('notice-status').filter({ hasText: 'Уведомление для «Россия (russia)» сохранено' }).waitFor();
    const row = page.getByTestId('notice-route-russia');
    await expect.poll(() => row.textContent()).toContain('и вызываемому');
    expect(await row.textContent()).toContain('Разговор записывается');
    expect(await notices()).toMatchObject([{ scope: 'route', ref: 'russia', enabled: true, prompt: spoken.body.prompt.id, toCalled: true }]);
    await shot(page, 'call-flows-notices');

    await page.getByTestId('remove-notice-route-russia').click();
    await page.getByTestId('notice-status').filter({ hasText: 'убрано' }).waitFor();
    await page.getByTestId('notices-none').waitFor();
    expect(await notices()).toEqual([]);
  });
});
