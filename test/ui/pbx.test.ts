// The PBX pages in Debian's Chromium against the built bundle and a real api
// process: an extension with its one-time SIP password, a CSV import with a
// bad row shown beside its error and then fixed, the licence page of a fresh
// (unlicensed) box refusing a junk file with its reason, and an auditor
// refused the extensions page.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';
import { openDatabase } from '../../services/store';
import { CdrsRepo } from '../../services/store/repos/cdrs';
import { RegistrationsRepo } from '../../services/store/repos/registrations';

const ADMIN_PASSWORD = 'Ural-Telecom-2026!';
const AUDITOR_PASSWORD = 'Kama-Audit-2026-77';

let api: ApiProcess;
let browser: Launched;
let page: Page;
const contexts: BrowserContext[] = [];
const out = testOutputDir('ui');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
const csvFile = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

async function downloaded(p: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const pending = p.waitForEvent('download');
  await click();
  const file = await pending;
  const stream = await file.createReadStream();
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return { name: file.suggestedFilename(), text: Buffer.concat(parts).toString('utf8') };
}

beforeAll(async () => {
  api = await startApiProcess('pbx');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, ADMIN_PASSWORD);
  await page.waitForURL('**/dashboard');
  // The superadmin works in the default organisation made by `korobka init`.
  const tenantId = await page.evaluate(async () => ((await (await fetch('/api/tenants')).json()) as { tenants: Array<{ id: number }> }).tenants[0]!.id);
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), tenantId);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await api?.stop();
});

describe('PBX pages', () => {
  it('creates an extension and shows its one-time SIP password', async () => {
    await page.goto(api.url + '/extensions');
    await page.getByTestId('ext-empty').waitFor();
    await page.locator('pbx-extensions-page #extension').fill('1');
    expect(await page.locator('pbx-extensions-page #extension-error').textContent()).toBe('От 2 до 6 цифр');
    await page.locator('pbx-extensions-page #extension').fill('201');
    await page.locator('pbx-extensions-page #displayName').fill('Иван Петров');
    await page.locator('pbx-extensions-page #outboundPermission').selectOption('national');
    await page.getByRole('button', { name: 'Создать номер' }).click();
    const otp = page.getByTestId('password-value');
    await expect.poll(() => otp.textContent()).toMatch(/^[A-Za-z0-9]{24}$/);
    // What to type into the phone, beside the password: no words about a sign-in password being changed.
    const card = page.getByTestId('phone-settings');
    expect(await page.getByTestId('phone-username').textContent()).toBe('201');
    expect(await page.getByTestId('phone-domain').textContent()).toMatch(/\S+/);
    // The api listens on every interface here, so the phone is told the host the admin reached it by.
    expect(await page.getByTestId('phone-server-udp').textContent()).toMatch(new RegExp(`^${new URL(api.url).hostname}:\\d+$`));
    expect(await card.textContent()).toContain('это не пароль для входа в веб-интерфейс');
    expect(await card.textContent()).not.toContain('при первом входе');
    await expect.poll(() => page.getByTestId('extensions-table').textContent()).toContain('Иван Петров');
    expect(await page.locator('tr[data-ext="201"]').textContent()).toContain('междугородние');
    await shot(page, 'pbx-extensions');
    // The same number again: the server's refusal beside the form.
    await page.locator('pbx-extensions-page #extension').fill('201');
    await page.getByRole('button', { name: 'Создать номер' }).click();
    await expect.poll(() => page.locator('pbx-extensions-page #extension-error').textContent()).toContain('201');
    // Edit in place: forwarding on busy to a mobile number; the number itself stays fixed.
    await page.getByTestId('edit-201').click();
    expect(await page.locator('pbx-extensions-page #extension').getAttribute('readonly')).not.toBeNull();
    await page.locator('pbx-extensions-page #busy').fill('+79161234567');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => page.locator('tr[data-ext="201"]').textContent()).toContain('занято → +79161234567');
  });

  it('imports a CSV: the bad row is highlighted with its error, then the fixed file imports', async () => {
    await page.goto(api.url + '/import');
    const bad = '\uFEFFextension;display_name;outbound_permission\r\n202;Анна Смирнова;local\r\n2x;Плохой номер;local\r\n203;Олег Иванов;international\r\n';
    await page.locator('pbx-import-page #file').setInputFiles(csvFile('staff.csv', bad));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toBe('Строк: 3, без ошибок: 2, с ошибками: 1');
    const badRow = page.locator('pbx-import-page tr[data-bad="true"]');
    expect(await badRow.count()).toBe(1);
    expect(await badRow.getAttribute('data-line')).toBe('3');
    expect(await badRow.getByTestId('row-errors').textContent()).toBe('extension: От 2 до 6 цифр');
    expect(await page.getByTestId('apply-import').isDisabled()).toBe(true);
    await shot(page, 'pbx-import-errors');

    await page.locator('pbx-import-page #file').setInputFiles(csvFile('staff-fixed.csv', bad.replace('2x;', '204;')));
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toBe('Строк: 3, без ошибок: 3, с ошибками: 0');
    await page.getByTestId('apply-import').click();
    await page.getByTestId('import-done').waitFor();
    expect(await page.getByTestId('import-done').textContent()).toBe('Импортировано номеров: 3');
    expect(await page.getByTestId('import-progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(3);
    const { name, text } = await downloaded(page, () => page.getByTestId('download-passwords').click());
    expect(name).toMatch(/^sip-passwords-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text.split('\r\n').filter(Boolean).map((l) => l.split(';')[0])).toEqual(['\uFEFFextension', '202', '204', '203']);
    // Over what the import endpoint takes: said before anything is sent.
    await page.locator('pbx-import-page #file').setInputFiles(csvFile('huge.csv', 'extension\r\n' + '100000;'.repeat(450_000)));
    await expect.poll(() => page.getByTestId('import-error').textContent()).toContain('принимается до 3 МБ');
    await page.goto(api.url + '/extensions');
    await expect.poll(() => page.getByTestId('ext-range').textContent()).toBe('1–4 из 4');
  });

  it('shows the licence of a fresh box as unlicensed and refuses a junk upload with its reason', async () => {
    await page.goto(api.url + '/licence');
    const state = page.getByTestId('licence-state');
    await expect.poll(() => state.getAttribute('data-state')).toBe('unlicensed');
    expect(await page.getByTestId('licence-badge').textContent()).toBe('Без лицензии');
    expect(await page.getByTestId('usage-extensions').textContent()).toContain('4 из 10');
    // The api runs without call-control here: the page says so instead of a figure it does not have.
    expect(await page.getByTestId('usage-calls').textContent()).toContain('нет данных: модуль звонков не отвечает');
    expect(await page.getByTestId('usage-extensions-over').count()).toBe(0);
    expect(await page.getByTestId('licence-message').textContent()).toMatch(/^Лицензия не установлена: ознакомительный режим \(\d+ одновременных звонков, 10 внутренних номеров\)\.$/);
    await page.locator('pbx-licence-page #licenceFile').setInputFiles({ name: 'junk.lic', mimeType: 'text/plain', buffer: Buffer.from('this is not a licence') });
    await expect.poll(() => page.getByTestId('licence-upload-error').textContent()).toBe('Файл не является лицензией Korobka или повреждён');
    expect(await state.getAttribute('data-state')).toBe('unlicensed');
    const request = await downloaded(page, () => page.getByTestId('activation-request').click());
    expect(request.name).toBe('korobka-activation-request.txt');
    expect(request.text.length).toBeGreaterThan(100);
    await shot(page, 'pbx-licence');
  });

  it('creates a registering trunk whose password is never shown again, and routes a DID to an extension', async () => {
    await page.goto(api.url + '/trunks');
    await page.getByTestId('trunks-empty').waitFor();
    await page.locator('pbx-trunks-page #name').fill('Ростелеком');
    await page.locator('pbx-trunks-page #host').fill('sip.operator.example');
    await page.locator('pbx-trunks-page #username').fill('74951234567');
    await page.getByRole('button', { name: 'Создать транк' }).click();
    await expect.poll(() => page.locator('pbx-trunks-page #password-error').textContent()).toBe('Обязательно для транка с регистрацией');
    await page.locator('pbx-trunks-page #password').fill('Operator-Secret-42');
    await page.getByRole('button', { name: 'Создать транк' }).click();
    const row = page.locator('tr[data-trunk="Ростелеком"]');
    await expect.poll(() => row.textContent()).toContain('74951234567@sip.operator.example:5060 (UDP)');
    expect(await row.textContent()).toContain('задан');
    expect(await page.locator('pbx-trunks-page #password').inputValue()).toBe('');
    expect(await page.evaluate(async () => await (await fetch('/api/trunks')).text())).not.toContain('Operator-Secret-42');
    // Edit with the password left empty: the stored one is kept.
    const trunkId = await page.evaluate(async () => ((await (await fetch('/api/trunks')).json()) as { trunks: Array<{ id: number }> }).trunks[0]!.id);
    await page.getByTestId(`edit-trunk-${trunkId}`).click();
    expect(await page.locator('pbx-trunks-page #password').inputValue()).toBe('');
    expect(await page.locator('pbx-trunks-page #password-hint').textContent()).toContain('оставьте поле пустым');
    await page.locator('pbx-trunks-page #channelLimit').fill('30');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('30');
    expect(await row.textContent()).toContain('задан');
    await page.locator('pbx-trunks-page #didNumber').fill('+74951234500');
    await page.locator('pbx-trunks-page #didExtension').fill('201');
    await page.getByRole('button', { name: 'Добавить номер' }).click();
    await expect.poll(() => page.getByTestId('dids-table').textContent()).toContain('внутренний 201');
    await shot(page, 'pbx-trunks');
  });

  it('lists calls with filters and exports them as CSV with a BOM', async () => {
    // Call-control writes CDRs; here they are written through its repository into the api's database.
    const db = openDatabase(path.join(api.dataDir, 'korobka.db'));
    const tenantId = (db.prepare('SELECT id FROM tenants ORDER BY id LIMIT 1').get() as { id: number }).id;
    const repo = new CdrsRepo(db);
    const t0 = Date.now() - 3600_000;
    db.transaction(() => {
      for (let i = 0; i < 120; i++)
        repo.close({
          callId: `ui-${i}`, tenantId, direction: i % 3 === 0 ? 'inbound' : 'internal', caller: { dialled: '202', number: '202' }, callee: { dialled: '201', number: '201' },
          extension: '201', startedAt: t0 + i * 1000, answeredAt: t0 + i * 1000 + 500, endedAt: t0 + i * 1000 + 30_500, durationSeconds: 30, billableSeconds: 30,
          disposition: 'answered', hangupSide: 'caller', transfers: [], status: 'completed', lastSeenAt: t0 + i * 1000 + 30_500,
        });
    })();
    db.close();
    await page.goto(api.url + '/calls');
    await page.getByTestId('calls-table').waitFor();
    await page.locator('pbx-calls-page #direction').selectOption('inbound');
    await page.getByRole('button', { name: 'Показать' }).click();
    await expect.poll(() => page.locator('pbx-calls-page tbody tr').count()).toBe(40);
    const csv = await downloaded(page, () => page.getByTestId('export-csv').click());
    expect(csv.name).toMatch(/^calls-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(41);
    expect(lines.slice(1).every((l) => l.split(';')[1] === 'inbound')).toBe(true);
    await shot(page, 'pbx-calls');
  });

  it('shows which extensions have a phone registered', async () => {
    const db = openDatabase(path.join(api.dataDir, 'korobka.db'));
    const tenantId = (db.prepare('SELECT id FROM tenants ORDER BY id LIMIT 1').get() as { id: number }).id;
    const now = Date.now();
    new RegistrationsRepo(db).replace(`${tenantId}:201`, [
      { contact: 'sip:201@192.0.2.5:5062', expiresAt: now + 300_000, callId: 'reg-1', cseq: 1, source: { address: '192.0.2.5', port: 5062, transport: 'udp' }, userAgent: 'Yealink T46U', registeredAt: now },
    ]);
    db.close();
    await page.goto(api.url + '/extensions');
    await expect.poll(() => page.getByTestId('status-201').textContent()).toContain('в сети · 192.0.2.5');
    expect(await page.getByTestId('status-201').textContent()).toContain('Yealink T46U');
    expect(await page.getByTestId('status-202').textContent()).toBe('не в сети');
    await shot(page, 'pbx-extensions-online');
  });

  it('refuses the extensions page to an auditor, in the UI and the API', async () => {
    const created = await page.evaluate(async () => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const r = await fetch('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ username: 'auditor-pbx', role: 'auditor', tenantId: null }),
      });
      return (await r.json()) as { password: string };
    });
    const other = await browser.context.browser()!.newContext({ ignoreHTTPSErrors: true });
    contexts.push(other);
    const p2 = await other.newPage();
    await p2.goto(api.url + '/login');
    await signIn(p2, 'auditor-pbx', created.password);
    await p2.waitForURL('**/password');
    await changeOneTimePassword(p2, created.password, AUDITOR_PASSWORD);
    await p2.waitForURL('**/dashboard');
    expect(await p2.locator('pbx-nav a[data-nav="/extensions"]').count()).toBe(0);
    expect(await p2.locator('pbx-nav a[data-nav="/calls"]').count()).toBe(1);
    await p2.goto(api.url + '/extensions');
    await expect.poll(() => p2.getByTestId('no-access').textContent()).toContain('Нет доступа');
    expect(await p2.evaluate(async () => (await fetch('/api/extensions')).status)).toBe(403);
    // Call history is the auditor's to read.
    await p2.goto(api.url + '/calls');
    await p2.getByTestId('calls-table').waitFor();
  });
});
