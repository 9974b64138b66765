// The prompts page in Debian's Chromium against the built bundle and a real
// api process: a file that is not audio is refused beside the file field and
// nothing is listed; a WAV made by ffmpeg is uploaded and a Russian text is
// spoken by espeak-ng; both are listed with their durations; the player
// loads the preview and reports its duration; a prompt is deleted.
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

const ADMIN_PASSWORD = 'Ural-Prompts-2026!';

let api: ApiProcess;
let browser: Launched;
let page: Page;
let fixtures: { dir: string; cleanup: () => void };
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });

type Listed = { id: number; name: string; kind: string; durationMs: number };
const listed = (p: Page) => p.evaluate(async () => ((await (await fetch('/api/prompts?tenantId=' + localStorage.getItem('korobka.tenant'))).json()) as { prompts: Listed[] }).prompts);

beforeAll(async () => {
  fixtures = tempDir('prompts-ui-');
  tone(fixtures.dir, 'greeting.wav', 2, 440, ['-ac', '2']);
  writeFileSync(path.join(fixtures.dir, 'notes.wav'), 'These are meeting notes, not audio.\n');
  api = await startApiProcess('prompts');
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  fixtures?.cleanup();
});

describe('prompts page', () => {
  it('is in the navigation', async () => {
    await page.goto(api.url + '/dashboard');
    await page.locator('pbx-nav a[data-nav="/prompts"]').click();
    await page.waitForURL('**/prompts');
    await page.getByTestId('prompts-empty').waitFor();
    expect(await page.locator('pbx-prompts-page h1').textContent()).toBe('Приветствия и музыка ожидания');
  });

  it('refuses a text file named .wav beside the file field, listing nothing', async () => {
    await page.locator('pbx-prompts-page #uploadName').fill('Заметки');
    await page.locator('pbx-prompts-page #uploadFile').setInputFiles(path.join(fixtures.dir, 'notes.wav'));
    await page.getByTestId('upload-form').locator('button[type=submit]').click();
    const err = page.locator('pbx-prompts-page [data-field="uploadFile"]');
    await expect.poll(() => err.textContent()).toContain('Принимаются только звуковые файлы WAV, MP3 и OGG');
    await shot(page, 'prompts-refused');
    expect(await listed(page)).toEqual([]);
  });

  it('uploads a WAV and speaks a text; both are listed with durations', async () => {
    await page.locator('pbx-prompts-page #uploadName').fill('Приветствие');
    await page.locator('pbx-prompts-page #uploadFile').setInputFiles(path.join(fixtures.dir, 'greeting.wav'));
    await page.getByTestId('upload-form').locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('prompts-notice').textContent().catch(() => '')).toContain('Файл «Приветствие» добавлен (2,0 с)');

    await page.locator('pbx-prompts-page #ttsName').fill('Меню');
    await page.locator('pbx-prompts-page #ttsText').fill('Здравствуйте! Для связи с отделом продаж нажмите один, с бухгалтерией — два.');
    await page.getByTestId('tts-form').locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('prompts-notice').textContent().catch(() => ''), { timeout: 30_000 }).toContain('Запись «Меню» создана');

    const prompts = await listed(page);
    expect(prompts.map((p) => [p.name, p.kind])).toEqual([
      ['Меню', 'tts'],
      ['Приветствие', 'upload'],
    ]);
    const rows = page.locator('pbx-prompts-page tr[data-prompt]');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('pbx-prompts-page tr[data-prompt="Приветствие"] [data-testid=prompt-duration]').textContent()).toBe('2,0 с');
    const menuSeconds = (prompts.find((p) => p.name === 'Меню')!.durationMs / 1000).toFixed(1).replace('.', ',');
    expect(await page.locator('pbx-prompts-page tr[data-prompt="Меню"] [data-testid=prompt-duration]').textContent()).toBe(`${menuSeconds} с`);
    expect(await page.locator('pbx-prompts-page tr[data-prompt="Меню"]').textContent()).toContain('Синтез речи');
    await shot(page, 'prompts-listed');
  });

  it('plays the preview: the audio element reports the prompt\'s duration', async () => {
    for (const p of await listed(page)) {
      await page.getByTestId(`listen-${p.id}`).click();
      const player = page.getByTestId('prompt-player');
      await player.waitFor();
      const duration = await player.evaluate(
        (a: HTMLAudioElement) =>
          new Promise<number>((resolve, reject) => {
            if (Number.isFinite(a.duration) && a.duration > 0) return resolve(a.duration);
            a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
            a.addEventListener('error', () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
          }),
      );
      expect(duration, p.name).toBeCloseTo(p.durationMs / 1000, 1);
      await page.getByTestId(`listen-${p.id}`).click();
    }
  });

  it('deletes a prompt after confirmation', async () => {
    const menu = (await listed(page)).find((p) => p.name === 'Меню')!;
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId(`delete-${menu.id}`).click();
    await expect.poll(async () => (await listed(page)).map((p) => p.name)).toEqual(['Приветствие']);
    await expect.poll(() => page.locator('pbx-prompts-page tr[data-prompt]').count()).toBe(1);
  });
});
