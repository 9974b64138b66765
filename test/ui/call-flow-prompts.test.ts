// Issue 11's Chromium line, through the call-flows page only: an admin
// builds a ring group, an IVR menu whose greeting is a file uploaded from
// the menu's own prompt picker and whose timeout prompt is spoken by
// espeak-ng from the same picker (a text file is refused beside the file
// field first, nothing made), previews the chosen prompt, sends business
// hours of a schedule to the menu and the number to the schedule, sees the
// tree of the number's calls, and has a loop refused with the field named.
// What was saved is read back from the api. (Extensions and the DID, which
// the flows point at, are made through the api: other tests cover them.)
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { tone } from '../helpers/prompt-audio';
import { tempDir } from '../helpers/tmp';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Ural-Picker-2026!';
/** expect.poll gives up after 1 s by default: an upload refused by ffprobe or a save on a loaded machine can take longer. */
const POLL = { timeout: 20_000 };

let api: ApiProcess;
let browser: Launched;
let page: Page;
let fixtures: { dir: string; cleanup: () => void };
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

async function apiCall(p: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return p.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const r = await fetch(url, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-csrf-token': me.csrfToken,
          'x-korobka-tenant': localStorage.getItem('korobka.tenant') ?? '',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    },
    { method, url, body },
  );
}

type Listed = { id: number; name: string; kind: string; durationMs: number };
const prompts = async () => ((await apiCall(page, 'GET', '/api/prompts')).body as { prompts: Listed[] }).prompts;

beforeAll(async () => {
  fixtures = tempDir('picker-ui-');
  tone(fixtures.dir, 'greeting.wav', 2, 440);
  writeFileSync(path.join(fixtures.dir, 'minutes.wav'), 'Minutes of the board meeting, not audio.\n');
  api = await startApiProcess('call-flow-prompts');
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
  const tenantId = await page.evaluate(
    async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id,
  );
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
  for (const n of ['201', '202']) expect((await apiCall(page, 'POST', '/api/extensions', { extension: n })).status).toBe(201);
  expect(
    (await apiCall(page, 'POST', '/api/dids', { number: '84957654321', destination: { type: 'hangup', status: 480, reason: '' } })).status,
  ).toBe(201);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  fixtures?.cleanup();
});

const form = () => page.locator('pbx-flow-editor [data-testid="flow-form"]');
const picker = (id: string) => form().locator(`pbx-prompt-picker [data-testid="${id}"]`);

async function saved(name: string) {
  await page.getByTestId('save-flow').click();
  await page
    .getByTestId('saved')
    .filter({ hasText: `«${name}» сохранено` })
    .waitFor();
}

/** The duration the page's audio element reports for what it loaded. */
const audioSeconds = (p: Page, testId: string) =>
  p.getByTestId(testId).evaluate(
    (a: HTMLAudioElement) =>
      new Promise<number>((resolve, reject) => {
        if (Number.isFinite(a.duration) && a.duration > 0) return resolve(a.duration);
        a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
        a.addEventListener('error', () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
      }),
  );

describe('call flows with prompts made in the prompt picker', () => {
  it('builds a ring group, an IVR with an uploaded and a spoken prompt, a schedule; the view shows them', async () => {
    await page.goto(api.url + '/call-flows');
    await page.getByRole('heading', { name: 'Схемы звонков' }).waitFor();

    await page.getByTestId('tab-ring-group').click();
    await page.getByTestId('new-ring-group').click();
    await form().locator('#flow-name').fill('Бухгалтерия');
    await form().locator('#flow-strategy').selectOption('hunt');
    await form().locator('#flow-members').fill('201 0 20\n202 0 20');
    await saved('Бухгалтерия');

    await page.getByTestId('tab-ivr').click();
    await page.getByTestId('new-ivr').click();
    await form().locator('#flow-name').fill('Приёмная');

    // The greeting: a text file named .wav is refused beside the file field and nothing is made.
    const greeting = picker('flow-prompt');
    await greeting.getByTestId('flow-prompt-new-upload').click();
    await greeting.locator('#flow-prompt-new-name').fill('Приветствие приёмной');
    await greeting.locator('#flow-prompt-new-file').setInputFiles(path.join(fixtures.dir, 'minutes.wav'));
    await greeting.getByTestId('flow-prompt-new-save').click();
    await expect
      .poll(() => greeting.locator('[data-field="flow-prompt-new-file"]').textContent(), POLL)
      .toContain('Принимаются только звуковые файлы WAV, MP3 и OGG');
    expect(await prompts()).toEqual([]);
    expect(await greeting.locator('#flow-prompt-select').inputValue()).toBe('');

    // Then a real WAV: uploaded, listed and chosen at once.
    await greeting.locator('#flow-prompt-new-file').setInputFiles(path.join(fixtures.dir, 'greeting.wav'));
    await greeting.getByTestId('flow-prompt-new-save').click();
    await greeting.getByTestId('flow-prompt-inline').waitFor({ state: 'detached' });
    const uploaded = (await prompts()).find((p) => p.name === 'Приветствие приёмной')!;
    expect(uploaded.kind).toBe('upload');
    expect(await greeting.locator('#flow-prompt-select').inputValue()).toBe(String(uploaded.id));
    expect(await greeting.locator('#flow-prompt-select option:checked').textContent()).toBe(
      'Приветствие приёмной (Загруженный файл, 2,0 с)',
    );
    await greeting.getByTestId('flow-prompt-listen').click();
    expect(await audioSeconds(page, 'flow-prompt-player')).toBeCloseTo(2, 1);

    // The timeout prompt: a text spoken by the box, chosen at once.
    const timeout = picker('flow-timeoutPrompt');
    await timeout.getByTestId('flow-timeoutPrompt-new-tts').click();
    await timeout.locator('#flow-timeoutPrompt-new-name').fill('Не слышим выбора');
    await timeout.locator('#flow-timeoutPrompt-new-text').fill('Вы ничего не выбрали. Для связи с бухгалтерией нажмите один.');
    await timeout.getByTestId('flow-timeoutPrompt-new-save').click();
    await timeout.getByTestId('flow-timeoutPrompt-inline').waitFor({ state: 'detached', timeout: 30_000 });
    const spoken = (await prompts()).find((p) => p.name === 'Не слышим выбора')!;
    expect(spoken.kind).toBe('tts');
    expect(await timeout.locator('#flow-timeoutPrompt-select').inputValue()).toBe(String(spoken.id));
    await timeout.getByTestId('flow-timeoutPrompt-listen').click();
    expect(await audioSeconds(page, 'flow-timeoutPrompt-player')).toBeCloseTo(spoken.durationMs / 1000, 1);

    // The third picker has both new prompts in its list without a reload.
    const invalid = picker('flow-invalidPrompt');
    expect(await invalid.locator('#flow-invalidPrompt-select option').allTextContents()).toEqual([
      '— без записи —',
      expect.stringContaining('Не слышим выбора (Синтез речи'),
      'Приветствие приёмной (Загруженный файл, 2,0 с)',
    ]);
    await invalid.locator('#flow-invalidPrompt-select').selectOption({ label: 'Приветствие приёмной (Загруженный файл, 2,0 с)' });

    await form().locator('#flow-option-0-type').selectOption('ring-group');
    await form().locator('#flow-option-0-value').selectOption({ label: 'Бухгалтерия' });
    await shot(page, 'call-flow-prompts-ivr');
    await saved('Приёмная');

    await page.getByTestId('tab-schedule').click();
    await page.getByTestId('new-schedule').click();
    await form().locator('#flow-name').fill('Часы приёма');
    await form().locator('#flow-branch-0-name').fill('Будни');
    await form().locator('#flow-branch-0-destination-type').selectOption('ivr');
    await form().locator('#flow-closed-type').selectOption('hangup');
    await saved('Часы приёма');

    await page.getByTestId('tab-numbers').click();
    const row = page.getByTestId('numbers-table').locator('tr', { hasText: '+74957654321' });
    await row.locator('select[id$="-type"]').selectOption('schedule');
    await row.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Номер +74957654321 сохранён').waitFor();

    // What the api stored is what the form showed.
    const group = (
      (await apiCall(page, 'GET', '/api/ring-groups')).body as {
        ringGroups: Array<{ id: number; name: string; strategy: string; members: Array<{ extension: string }> }>;
      }
    ).ringGroups;
    expect(group.map((g) => [g.name, g.strategy, g.members.map((m) => m.extension)])).toEqual([['Бухгалтерия', 'hunt', ['201', '202']]]);
    const menus = ((await apiCall(page, 'GET', '/api/ivr-menus')).body as { ivrMenus: Array<Record<string, unknown>> }).ivrMenus;
    expect(menus).toHaveLength(1);
    expect(menus[0]).toMatchObject({
      name: 'Приёмная',
      prompt: uploaded.id,
      invalidPrompt: uploaded.id,
      timeoutPrompt: spoken.id,
      options: [{ digit: '1', destination: { type: 'feature', feature: 'ring-group', id: group[0]!.id } }],
    });
    const schedules = (
      (await apiCall(page, 'GET', '/api/schedules')).body as {
        schedules: Array<{ name: string; branches: Array<{ destination: unknown }> }>;
      }
    ).schedules;
    expect(schedules[0]!.branches[0]!.destination).toEqual({ type: 'feature', feature: 'ivr', id: menus[0]!.id });

    await page.getByTestId('tab-view').click();
    await page.locator('#view-number').fill('+74957654321');
    await page.getByTestId('view-show').click();
    const tree = page.getByTestId('flow-tree');
    await tree.waitFor();
    await expect.poll(() => tree.textContent(), POLL).toContain('Часы приёма');
    expect(await tree.locator('[data-testid="node-schedule"]').first().textContent()).toContain('Часы приёма');
    expect(await tree.locator('[data-testid="node-ivr"]').first().textContent()).toContain('Приёмная');
    expect(await tree.locator('[data-testid="node-ring-group"]').first().textContent()).toContain('Бухгалтерия');
    await shot(page, 'call-flow-prompts-view');
  });

  it('keeps the chosen prompts when the menu is opened again, and refuses a loop with the field named', async () => {
    await page.getByTestId('tab-ring-group').click();
    await page.getByTestId('edit-ring-group-Бухгалтерия').click();
    await form().locator('#flow-overflow-type').selectOption('ivr');
    await saved('Бухгалтерия');

    await page.getByTestId('tab-ivr').click();
    await page.getByTestId('edit-ivr-Приёмная').click();
    const all = await prompts();
    expect(await picker('flow-prompt').locator('#flow-prompt-select').inputValue()).toBe(String(all.find((p) => p.kind === 'upload')!.id));
    expect(await picker('flow-timeoutPrompt').locator('#flow-timeoutPrompt-select').inputValue()).toBe(
      String(all.find((p) => p.kind === 'tts')!.id),
    );
    await form().locator('#flow-final-type').selectOption('ring-group');
    await page.getByTestId('save-flow').click();
    await expect
      .poll(() => form().locator('[data-field="flow-final"]').textContent(), POLL)
      .toContain("makes a loop: IVR menu 'Приёмная' (final) → ring group 'Бухгалтерия' (overflow) → IVR menu 'Приёмная'");
    await expect.poll(() => page.getByTestId('form-error').textContent(), POLL).toContain('Схема не сохранена');
    await shot(page, 'call-flow-prompts-loop');
    const stored = (await apiCall(page, 'GET', '/api/ivr-menus')).body as { ivrMenus: Array<{ final: { type: string } }> };
    expect(stored.ivrMenus[0]!.final.type).toBe('hangup');
  });
});
