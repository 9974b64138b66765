// The call-history page in Debian's Chromium against the built bundle and a
// real api process: a forwarded and transferred call written through
// call-control's CdrsRepo shows its markers, opens the hops with times and
// reasons in words (Russian, then English), and the forwarded filter works.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';
import { openDatabase } from '../../services/store';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';

const ADMIN_PASSWORD = 'Oka-Calls-2026-Hops!';

let api: ApiProcess;
let browser: Launched;
let page: Page;
const out = testOutputDir('ui');

beforeAll(async () => {
  api = await startApiProcess('calls-hops');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
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
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('call history: forwards and transfers', () => {
  it('marks forwarded and transferred calls and lists their hops in words', async () => {
    const db = openDatabase(path.join(api.dataDir, 'korobka.db'));
    const tenantId = (db.prepare('SELECT id FROM tenants ORDER BY id LIMIT 1').get() as { id: number }).id;
    const repo = new CdrsRepo(db);
    const t0 = Date.now() - 3600_000;
    const call = (i: number, over: Partial<CdrData>): CdrData => ({
      callId: `hops-${i}`,
      tenantId,
      direction: 'inbound',
      caller: { dialled: '+74957654321', number: '+74957654321' },
      callee: { dialled: '201', number: '201' },
      extension: '201',
      startedAt: t0 + i * 60_000,
      answeredAt: t0 + i * 60_000 + 12_000,
      endedAt: t0 + i * 60_000 + 60_000,
      durationSeconds: 48,
      billableSeconds: 48,
      disposition: 'answered',
      hangupSide: 'caller',
      transfers: [],
      status: 'completed',
      lastSeenAt: t0 + i * 60_000 + 60_000,
      ...over,
    });
    repo.close(call(0, {}));
    repo.close(
      call(1, {
        forwards: [{ at: t0 + 65_000, from: '201', to: '305', reason: 'no-answer' }],
        transfers: [{ at: t0 + 90_000, kind: 'blind', to: '+74951234567', by: 'callee' }],
      }),
    );
    repo.close(call(2, { transfers: [{ at: t0 + 150_000, kind: 'attended', to: '207', by: 'callee' }] }));
    db.close();

    await page.goto(api.url + '/calls');
    await page.getByTestId('calls-table').waitFor();
    const rows = page.locator('pbx-calls-page tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const toggles = page.getByTestId('call-hops-toggle');
    expect(await toggles.count()).toBe(2);
    // Newest first: hops-2 (transferred only), hops-1 (both), hops-0 (none).
    expect(await toggles.nth(0).textContent()).toContain('⇄');
    expect(await toggles.nth(0).textContent()).not.toContain('↪');
    expect(await toggles.nth(1).textContent()).toContain('↪');
    expect(await toggles.nth(1).getAttribute('aria-expanded')).toBe('false');
    await toggles.nth(1).click();
    const hops = page.getByTestId('call-hops');
    await hops.waitFor();
    const items = await hops.locator('li').allTextContents();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('переадресация 201 → 305: нет ответа');
    expect(items[1]).toContain('слепой перевод: 305 → +74951234567');
    expect(await toggles.nth(1).getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: path.join(out, 'calls-hops.png'), fullPage: true });

    await page.locator('pbx-calls-page #forwarded').selectOption('1');
    await page.getByRole('button', { name: 'Показать', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.locator('pbx-calls-page #forwarded').selectOption('0');
    await page.locator('pbx-calls-page #transferred').selectOption('1');
    await page.getByRole('button', { name: 'Показать', exact: true }).click();
    await expect.poll(() => page.getByTestId('call-hops-toggle').count()).toBe(1);
    await page.getByTestId('call-hops-toggle').click();
    expect(await page.getByTestId('call-hops').locator('li').allTextContents()).toEqual([
      expect.stringContaining('перевод с консультацией: 201 → 207'),
    ]);
    await page.getByTestId('user-menu').click();
    await page.locator('pbx-user-menu button[data-lang="en"]').click();
    await expect
      .poll(() => page.getByTestId('call-hops').locator('li').allTextContents())
      .toEqual([expect.stringContaining('attended transfer: 201 → 207')]);
    expect(await page.getByTestId('call-hops-toggle').getAttribute('aria-label')).toBe('Forwards and transfers of the call');
  });

  it('a call through the call flows shows its path in words and who answered (CDR columns of migration 0095)', async () => {
    const db = openDatabase(path.join(api.dataDir, 'korobka.db'));
    const tenantId = (db.prepare('SELECT id FROM tenants ORDER BY id LIMIT 1').get() as { id: number }).id;
    const t0 = Date.now() - 600_000;
    new CdrsRepo(db).close({
      callId: 'flow-1',
      tenantId,
      direction: 'inbound',
      caller: { dialled: '89161234567', number: '+79161234567' },
      callee: { dialled: '84957654331', number: '+74957654331' },
      trunk: 'Оператор',
      startedAt: t0,
      answeredAt: t0 + 1000,
      endedAt: t0 + 30_000,
      durationSeconds: 30,
      billableSeconds: 29,
      disposition: 'answered',
      hangupSide: 'caller',
      transfers: [],
      path: ['notice:4', 'feature:schedule:1', 'feature:ivr:2', 'feature:ring-group:3'],
      answeredBy: '203',
      status: 'completed',
      lastSeenAt: t0 + 30_000,
    });
    db.close();
    await page.goto(api.url + '/calls');
    await page.getByTestId('user-menu').click();
    await page.locator('pbx-user-menu button[data-lang="ru"]').click();
    const row = page.locator('pbx-calls-page tbody tr', { hasText: '+74957654331' });
    await row.waitFor();
    expect(await row.getByTestId('answered-by').textContent()).toContain('ответил 203');
    const toggle = row.getByTestId('call-hops-toggle');
    expect(await toggle.textContent()).toContain('⤳');
    await toggle.click();
    await expect
      .poll(() => page.getByTestId('call-path').textContent())
      .toBe('Путь звонка: уведомление о записи → расписание №1 → голосовое меню №2 → группа вызова №3');
    expect(await page.getByTestId('call-hops').count()).toBe(0);
  });
});
