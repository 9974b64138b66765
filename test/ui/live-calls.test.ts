// The dashboard's calls in progress in Debian's Chromium, against a real api
// process whose control channel is served here by call-control's own
// ControlServer over live calls: the list with each call's recording state,
// record / pause / resume buttons by policy, and a clear notice when
// call-control stops answering.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCalls } from '../../services/call-control/calls/live-calls';
import { RecordingControl } from '../../services/call-control/calls/recording-control';
import { ControlServer } from '../../services/call-control/control/control-server';
import { silentLogger } from '../../services/common/logger';
import { openStore } from '../../services/store';
import { liveCall } from '../call-control/control/live-call-fixture';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

const PASSWORD = 'Volga-Live-2026-42!';
let api: ApiProcess;
let browser: Launched;
let page: Page;
let control: ControlServer | undefined;
const live = new LiveCalls();
const out = testOutputDir('ui');

beforeAll(async () => {
  api = await startApiProcess('live-calls');
  const store = openStore(path.join(api.dataDir, 'korobka.db'));
  const tenantId = store.tenants.defaultTenant()!.id;
  store.close();
  const now = Date.now();
  live.add((await liveCall({ id: 'ui-od@pbx', tenantId, mode: 'on-demand', caller: '201', callee: '202', answerAt: now - 75_000 })).call);
  live.add((await liveCall({ id: 'ui-never@pbx', tenantId, mode: 'never', caller: '203', callee: '204', answerAt: now - 5_000 })).call);
  control = await ControlServer.listen(path.join(api.dataDir, 'run', 'call-control.sock'), { control: new RecordingControl({ live, log: silentLogger }), log: silentLogger });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error', e));
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, 'admin', api.initialPassword);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, api.initialPassword, PASSWORD);
  await page.waitForURL('**/dashboard');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await control?.close();
  await api?.stop();
});

const row = (id: string) => page.locator(`pbx-live-calls tr[data-call="${id}"]`);

describe('dashboard: calls in progress', () => {
  it('lists the calls with talk time and recording state; records, pauses and resumes an on-demand call', async () => {
    await page.getByTestId('live-calls').waitFor();
    await expect.poll(() => row('ui-od@pbx').textContent()).toContain('201');
    // Answered 75 s before the page opened: m:ss talk time past 1:15.
    expect(await row('ui-od@pbx').textContent()).toMatch(/\b1:[1-5]\d\b/);
    expect(await row('ui-od@pbx').getByTestId('recording-state').textContent()).toBe('не пишется');
    // The policy says never: nothing to press.
    expect(await row('ui-never@pbx').locator('button').count()).toBe(0);
    await row('ui-od@pbx').locator('button[data-action="start"]').click();
    await expect.poll(() => row('ui-od@pbx').getByTestId('recording-state').textContent()).toBe('пишется');
    expect(live.get('ui-od@pbx')!.recording!.state).toBe('recording');
    await row('ui-od@pbx').locator('button[data-action="pause"]').click();
    await expect.poll(() => row('ui-od@pbx').getByTestId('recording-state').textContent()).toBe('на паузе');
    await page.screenshot({ path: path.join(out, 'dashboard-live-calls.png'), fullPage: true });
    await row('ui-od@pbx').locator('button[data-action="resume"]').click();
    await expect.poll(() => row('ui-od@pbx').getByTestId('recording-state').textContent()).toBe('пишется');
    expect(live.get('ui-od@pbx')!.recording!.state).toBe('recording');
  });

  it('says so when call-control does not answer', async () => {
    await control!.close();
    control = undefined;
    await page.getByTestId('live-calls-unavailable').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('live-calls-unavailable').textContent()).toContain('Модуль звонков не отвечает');
  });
});
