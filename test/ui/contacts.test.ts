// The contacts page and the data-protection officer's subject requests in
// Debian's Chromium against the built bundle and a real api process (the
// personal-data store over the box's own keys): a superadmin adds a contact
// (a bad number refused beside its field in Russian), finds it by another
// spelling of the number, by its last digits and by the start of the name,
// imports a CSV whose one bad row is named; the audit log holds the reads by
// ids and no number or name. A DPO lands on the requests page, exports the
// subject's data (the ZIP holds them), and erases them: the contact is gone
// from the contacts page and the number finds nothing.
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { tempDir } from '../helpers/tmp';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const ADMIN_PASSWORD = 'Kama-Contacts-2026!';
const DPO_PASSWORD = 'Oka-Privacy-2026-z!';
let api: ApiProcess;
const browsers: Launched[] = [];
let page: Page;
let tenantId: number;
let files: { dir: string; cleanup: () => void };
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const contacts = (p: Page) => p.locator('pbx-contacts-page');

async function signedInPage(user: string, oneTime: string, password: string): Promise<Page> {
  const b = await launchBrowser();
  browsers.push(b);
  const p = await b.context.newPage();
  p.on('pageerror', (e) => console.error('page error', e));
  await p.goto(api.url + '/');
  await p.waitForURL('**/login');
  await signIn(p, user, oneTime);
  await p.waitForURL('**/password');
  await changeOneTimePassword(p, oneTime, password);
  return p;
}

const search = async (p: Page, q: string) => {
  await contacts(p).locator('#q').fill(q);
};
const rowNames = (p: Page) => contacts(p).locator('tbody tr td:first-child').allTextContents();

beforeAll(async () => {
  files = tempDir('contacts-ui-');
  api = await startApiProcess('contacts');
  page = await signedInPage('admin', api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
  tenantId = await page.evaluate(async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id);
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
}, 120_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await api?.stop();
  files?.cleanup();
});

describe('contacts page', () => {
  it('adds a contact: a bad number is refused beside its field, a good one is stored in E.164', async () => {
    await page.goto(api.url + '/dashboard');
    await page.locator('pbx-nav a[data-nav="/contacts"]').click();
    await page.waitForURL('**/contacts');
    await contacts(page).getByTestId('contacts-empty').waitFor();
    expect(await contacts(page).locator('h1').textContent()).toBe('Контакты');

    await contacts(page).getByTestId('contact-new').click();
    await contacts(page).locator('#name').fill('Ирина Соколова');
    await contacts(page).locator('#company').fill('ООО «Вектор»');
    await contacts(page).locator('#numbers').fill('12-34-5');
    await contacts(page).getByTestId('contact-save').click();
    await expect.poll(() => contacts(page).locator('[data-field="numbers"]').textContent()).toBe('Неполный номер: укажите его с кодом страны (+7 916 123-45-67)');

    await contacts(page).locator('#numbers').fill('8 (916) 123-45-67\n+7 495 700-10-20');
    await contacts(page).locator('#emails').fill('i.sokolova@vector.example');
    await contacts(page).getByTestId('contact-save').click();
    await expect.poll(() => contacts(page).getByTestId('contacts-notice').textContent()).toBe('Контакт «Ирина Соколова» добавлен');
    const row = contacts(page).locator('tbody tr').first();
    expect(await row.locator('td.numbers').innerText()).toBe('+79161234567\n+74957001020');
    expect(await row.locator('td.emails').textContent()).toBe('i.sokolova@vector.example');
  });

  it('finds the contact by another spelling of the number, by its last digits and by the start of the name', async () => {
    await contacts(page).getByTestId('contact-new').click();
    await contacts(page).locator('#name').fill('Пётр Иванов');
    await contacts(page).locator('#numbers').fill('+7 903 555-00-11');
    await contacts(page).getByTestId('contact-save').click();
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toContain('Всего: 2');

    await search(page, '+7 (916) 123 45 67');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toContain('найдено по номеру');
    expect(await rowNames(page)).toEqual(['Ирина Соколова']);
    await search(page, '0011');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toContain('найдено по последним цифрам');
    expect(await rowNames(page)).toEqual(['Пётр Иванов']);
    await search(page, 'ири');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toContain('найдено по имени');
    expect(await rowNames(page)).toEqual(['Ирина Соколова']);
    await search(page, '+7 999 000-00-00');
    await contacts(page).getByTestId('contacts-empty').waitFor();
    expect(await contacts(page).getByTestId('contacts-empty').textContent()).toBe('Ничего не найдено.');
    await search(page, '');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toBe('Всего: 2');
  });

  it('edits a contact', async () => {
    await contacts(page).locator('tbody tr', { hasText: 'Пётр Иванов' }).locator('[data-action="edit"]').click();
    await contacts(page).locator('#company').fill('АО «Северсталь»');
    await contacts(page).getByTestId('contact-save').click();
    await expect.poll(() => contacts(page).getByTestId('contacts-notice').textContent()).toBe('Контакт «Пётр Иванов» сохранён');
    expect(await contacts(page).locator('tbody tr', { hasText: 'Пётр Иванов' }).locator('td').nth(1).textContent()).toBe('АО «Северсталь»');
  });

  it('imports a CSV: the good rows go in, the bad row is named by its line', async () => {
    const csv = path.join(files.dir, 'clients.csv');
    writeFileSync(csv, 'Имя;Телефон;Почта\nАнна Белова;+7 912 000-11-22;anna@example.org\nБорис Котов;12345;boris@example.org\nВера Лис;+7 913 000-33-44;\n');
    await contacts(page).locator('#csv').setInputFiles(csv);
    await expect.poll(() => contacts(page).getByTestId('import-result').textContent()).toBe('Загружено: 2, с ошибками: 1');
    const problems = await contacts(page).getByTestId('import-problems').locator('li').allTextContents();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Строка 3, /);
    expect(problems[0]).toContain('Неполный номер');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toBe('Всего: 4');
    await shot(page, 'contacts-ru');
  });

  it('the audit log holds every read by ids, never a number or a name', async () => {
    const rows = await page.evaluate(async () => {
      const r = await fetch('/api/audit?limit=500');
      return ((await r.json()) as { entries?: unknown[]; rows?: unknown[]; events?: unknown[] });
    });
    const text = JSON.stringify(rows);
    expect(text).toContain('pd.read');
    expect(text).toContain('contact.import');
    for (const secret of ['9161234567', '916 123', 'Соколова', 'Ирина', 'ири', '0011', 'Белова', '9120001122']) expect(text).not.toContain(secret);
  });
});

describe('data subject requests', () => {
  let dpo: Page;

  it('a DPO lands on the requests page (not a dashboard it may not open) and the contacts page is not theirs', async () => {
    const once = await page.evaluate(async (tid) => {
      const me = await (await fetch('/api/auth/me')).json();
      const r = await fetch('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ username: 'dpo1', role: 'dpo', tenantId: tid }),
      });
      return (await r.json()).password as string;
    }, tenantId);
    dpo = await signedInPage('dpo1', once, DPO_PASSWORD);
    await dpo.waitForURL('**/pd-requests');
    expect(await dpo.locator('pbx-pd-requests-page h1').textContent()).toBe('Запросы субъектов персональных данных');
    expect(await dpo.locator('pbx-nav a[data-nav="/contacts"]').count()).toBe(0);
  });

  it('finds the subject, refuses an export without grounds, exports the ZIP with their data only', async () => {
    const p = dpo.locator('pbx-pd-requests-page');
    await p.locator('#number').fill('8 916 123-45-67');
    await p.getByTestId('pdr-find').locator('button[type=submit]').click();
    await expect.poll(() => p.getByTestId('pdr-counts').textContent()).toBe('Найдено: контактов 1, звонков 0, записей разговоров 0.');

    await p.getByTestId('pdr-export').click();
    expect(await p.locator('[data-field="reason"]').textContent()).toBe('Укажите основание: запрос, его дату и номер (не короче 3 символов)');

    await p.locator('#reason').fill('Запрос субъекта № 17 от 06.12.2026');
    await p.locator('#requester').selectOption('subject');
    const pending = dpo.waitForEvent('download');
    await p.getByTestId('pdr-export').click();
    const download = await pending;
    const saved = path.join(files.dir, 'export.zip');
    await download.saveAs(saved);
    const zip = unzipSync(new Uint8Array(readFileSync(saved)));
    const all = Object.values(zip).map((b) => strFromU8(b)).join('\n');
    expect(all).toContain('Ирина Соколова');
    expect(all).toContain('+79161234567');
    expect(all).not.toContain('Пётр Иванов');
    expect(all).not.toContain('Анна Белова');
    await expect.poll(() => p.getByTestId('pdr-notice').textContent()).toMatch(/^Выгрузка сохранена: pd-export-.+\.zip$/);
  });

  it('a legal hold blocks erasure; released, the erasure removes the subject and only them', async () => {
    const p = dpo.locator('pbx-pd-requests-page');
    await p.getByTestId('pdr-hold').click();
    await expect.poll(() => p.getByTestId('pdr-held').textContent()).toBe('Действует запрет на удаление: Запрос субъекта № 17 от 06.12.2026');
    dpo.once('dialog', (d) => void d.accept());
    await p.getByTestId('pdr-erase').click();
    await expect.poll(() => p.getByTestId('pdr-error').textContent()).toBe('Действует запрет на удаление: удаление отклонено, ничего не изменено.');
    await page.goto(api.url + '/contacts');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toBe('Всего: 4');
    await p.getByTestId('pdr-hold').click();
    await expect.poll(() => p.getByTestId('pdr-notice').textContent()).toBe('Запрет на удаление снят');

    dpo.once('dialog', (d) => void d.accept());
    await p.getByTestId('pdr-erase').click();
    await expect.poll(() => p.getByTestId('pdr-notice').textContent()).toMatch(/^Данные удалены: контактов 1,/);
    await shot(dpo, 'pd-requests-ru');

    await page.goto(api.url + '/contacts');
    await expect.poll(() => contacts(page).getByTestId('contacts-total').textContent()).toBe('Всего: 3');
    expect(await rowNames(page)).not.toContain('Ирина Соколова');
    await search(page, '+7 916 123-45-67');
    await contacts(page).getByTestId('contacts-empty').waitFor();
  });
});
