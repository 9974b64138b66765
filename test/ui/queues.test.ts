// Queues in Debian's Chromium against the real appliance (supervisor,
// sip-core, call-control, rtpengine) and a real sipp caller: an employee
// whose extension 202 is a dynamic agent of «Поддержка» opens «Мои очереди»,
// logs in and pauses with a reason (the store and the audit say so); a
// caller from the operator's trunk then waits in the queue, as no agent is
// free, and a supervisor's wallboard shows it: position 1, its number, a
// wait that grows, the agent paused with the reason; when the caller hangs
// up the wallboard shows nobody waiting and one abandoned call. The admin's
// «Очереди» page refuses a queue with no agents, naming the field.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../services/api/password';
import { queueSchema } from '../../services/call-flows';
import { defaultFeatures } from '../../services/store';
import { freeLowUdpPorts } from '../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../helpers/processes';
import { ivrCallerArgs, ivrCallerScenario } from '../integration/call-control/ivr-caller';
import { startPbx, waitFor, type Pbx } from '../integration/call-control/pbx';
import { launchBrowser, type Launched } from './helpers/browser';
import { signIn } from './helpers/pages';

const NAME = 'queue-ui';
const OUT = testOutputDir('ui', NAME);
const out = testOutputDir('ui');
const PASSWORD = 'Oka-Queue-2026-17!';
const DID = '+74957654339';
const DIALLED = '84957654339';
let pbx: Pbx;
let queueId = 0;
let browser: Launched;
let boardBrowser: Launched | undefined;
let agentPage: Page;
let boardPage: Page;
const peers: Started[] = [];

beforeAll(async () => {
  const hash = await hashPassword(PASSWORD, 14);
  pbx = await startPbx(NAME, ['202'], {}, async (_app, store) => {
    const tenant = store.tenants.defaultTenant()!;
    const trunk = store.trunks.create(
      tenant.id,
      {
        name: 'Оператор',
        kind: 'ip',
        host: '127.0.0.1',
        port: 5999,
        transport: 'udp',
        username: null,
        registerExpiry: 300,
        addresses: ['127.0.0.1'],
        optionsInterval: 0,
        channelLimit: 8,
        outboundCallerId: '',
        enabled: true,
      },
      null,
    );
    // No announcements: the caller only waits (the position is what the wallboard shows).
    queueId = store.callFlows.create(
      'queue',
      tenant.id,
      queueSchema.parse({ name: 'Поддержка', strategy: 'linear', members: [{ extension: '202', mode: 'dynamic' }], announceEvery: 0, maxWait: 0 }),
    ).id;
    store.trunks.createDid(tenant.id, { number: DID, trunkId: trunk.id, destination: { type: 'feature', feature: 'queue', id: queueId } });
    const agent = store.users.create({ tenantId: tenant.id, username: 'ivanova', displayName: 'Анна Иванова', role: 'employee', passwordHash: hash });
    const ext = store.extensions.get(tenant.id, '202')!;
    store.extensionFeatures.set(ext.id, { ...defaultFeatures(), userId: agent.id });
    store.users.create({ tenantId: tenant.id, username: 'sidorova', displayName: 'Ольга Сидорова', role: 'tenant-admin', passwordHash: hash });
    store.users.create({ tenantId: tenant.id, username: 'petrov', displayName: 'Пётр Петров', role: 'supervisor', passwordHash: hash });
  });
  browser = await launchBrowser();
  const url = `https://localhost:${pbx.app.ports.api}`;
  agentPage = await browser.context.newPage();
  agentPage.on('pageerror', (e) => console.error('page error', e));
  await agentPage.goto(url + '/');
  await agentPage.waitForURL('**/login');
  await signIn(agentPage, 'ivanova', PASSWORD);
  await agentPage.waitForURL('**/dashboard');
}, 180_000);

afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  await browser?.close();
  await boardBrowser?.close();
  await pbx?.close();
});

/** An operator's caller answered by the queue that waits `holdMs` with nobody to take it and hangs up. */
async function waitingCaller(tag: string, holdMs: number, number: string): Promise<Started> {
  const ivr = ivrCallerScenario(OUT, tag, '', 'connect');
  const xml = readFileSync(ivr, 'utf8')
    .replace('<pause milliseconds="1500"/>', '')
    .replace(/<recv request="INVITE"[\s\S]*?(?=<pause\/>)/, '');
  const scenario = ivr.replace(/\.xml$/, '-wait.xml');
  writeFileSync(scenario, xml);
  const port = await freeLowUdpPorts(1);
  const args = await ivrCallerArgs({ scenario, port, out: OUT, tag, timeoutS: 90, dialled: DIALLED, caller: number, holdMs, pbx: `127.0.0.1:${pbx.app.ports.sip}` });
  const p = startProcess('sipp', args, { logFile: path.join(OUT, `${tag}.log`), timeoutMs: 100_000 });
  peers.push(p);
  return p;
}

const agentRow = (p: Page) => p.locator('pbx-my-queues-page pbx-queue-agents tr[data-agent="202"]');
/** "m:ss" → seconds. */
const seconds = (s: string | null) => {
  const [m = '0', sec = '0'] = (s ?? '').trim().split(':');
  return Number(m) * 60 + Number(sec);
};

describe('queues in the browser', () => {
  it('an agent logs in and pauses from the UI', async () => {
    await agentPage.locator('pbx-nav a[data-nav="/my-queues"]').click();
    await agentPage.waitForURL('**/my-queues');
    // An employee has no «Очереди» admin page, only their own.
    expect(await agentPage.locator('pbx-nav a[data-nav="/queues"]').count()).toBe(0);
    const state = agentRow(agentPage).getByTestId('agent-state');
    await expect.poll(() => state.textContent()).toBe('не на линии');
    await agentRow(agentPage).locator('button[data-action="log-in"]').click();
    await expect.poll(() => state.textContent()).toBe('свободен');
    expect(pbx.store.queues.agent(queueId, '202')).toMatchObject({ loggedIn: true, paused: false });
    await agentRow(agentPage).locator('#reason-202').fill('обед');
    await agentRow(agentPage).locator('button[data-action="pause"]').click();
    await expect.poll(() => state.textContent()).toBe('пауза');
    expect(await agentRow(agentPage).getByTestId('agent-reason').textContent()).toBe('обед');
    expect(pbx.store.queues.agent(queueId, '202')).toMatchObject({ loggedIn: true, paused: true, pauseReason: 'обед' });
    const audited = pbx.store.audit.list({ action: 'queue.agent' }).rows;
    expect(audited).toHaveLength(2);
    await agentPage.screenshot({ path: path.join(out, 'queues-agent-paused.png'), fullPage: true });
  });

  it('the wallboard shows a waiting caller with its position and wait, then the abandoned call', async () => {
    // A second browser (its own profile, so its own session): the supervisor beside the agent.
    boardBrowser = await launchBrowser();
    boardPage = await boardBrowser.context.newPage();
    boardPage.on('pageerror', (e) => console.error('page error', e));
    await boardPage.goto(`https://localhost:${pbx.app.ports.api}/`);
    await boardPage.waitForURL('**/login');
    await signIn(boardPage, 'petrov', PASSWORD);
    await boardPage.waitForURL('**/dashboard');
    await boardPage.locator('pbx-nav a[data-nav="/wallboard"]').click();
    await boardPage.waitForURL('**/wallboard');
    const board = boardPage.locator(`pbx-wallboard-page section.board[data-queue="${queueId}"]`);
    await board.getByTestId('wb-no-waiting').waitFor();
    expect(await board.locator('tr[data-agent="202"] [data-testid="wb-agent-state"]').textContent()).toBe('пауза (обед)');

    const caller = await waitingCaller('waiting', 14_000, '89161234567');
    await waitFor(() => pbx.store.queues.waiting(queueId).length === 1, 30_000, 'caller queued');
    const row = board.getByTestId('wb-waiting-callers').locator('tbody tr');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.getByTestId('wb-position').textContent()).toBe('1');
    expect(await row.getByTestId('wb-caller').textContent()).toContain('9161234567');
    expect(await board.getByTestId('wb-waiting').locator('.value').textContent()).toBe('1');
    const first = seconds(await row.getByTestId('wb-wait').textContent());
    await expect.poll(async () => seconds(await row.getByTestId('wb-wait').textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(first + 3);
    await boardPage.screenshot({ path: path.join(out, 'queues-wallboard-waiting.png'), fullPage: true });

    expect(await caller.exited).toBe(0);
    await board.getByTestId('wb-no-waiting').waitFor({ timeout: 15_000 });
    await expect.poll(() => board.getByTestId('wb-abandoned').locator('.value').textContent()).toBe('1');
  }, 120_000);

  it('the admin creates a queue on «Очереди»; a wrong agent number is refused beside its field, nothing stored', async () => {
    const admin = await launchBrowser();
    try {
      const page = await admin.context.newPage();
      page.on('pageerror', (e) => console.error('page error', e));
      await page.goto(`https://localhost:${pbx.app.ports.api}/`);
      await page.waitForURL('**/login');
      await signIn(page, 'sidorova', PASSWORD);
      await page.waitForURL('**/dashboard');
      await page.locator('pbx-nav a[data-nav="/queues"]').click();
      await page.waitForURL('**/queues');
      const q = page.locator('pbx-queues-page');
      await q.getByTestId('queues-table').waitFor();
      await q.getByTestId('queue-new').click();
      await q.locator('#name').fill('Продажи');
      await q.locator('#strategy').selectOption('round-robin');
      await q.locator('#wrapUp').fill('5');
      await q.locator('#member-0-extension').fill('2');
      await q.locator('button[data-action="add-member"]').click();
      await q.locator('#member-1-extension').fill('202');
      const before = pbx.store.callFlows.list('queue').length;
      await q.getByTestId('queue-save').click();
      await expect.poll(() => q.locator('#member-0-extension-error').textContent()).toBe('От 2 до 6 цифр');
      expect(pbx.store.callFlows.list('queue')).toHaveLength(before);
      await q.locator('button[data-action="remove-member"]').first().click();
      await q.getByTestId('queue-save').click();
      await q.getByTestId('queues-notice').waitFor();
      const row = q.locator('[data-testid="queues-table"] tr', { hasText: 'Продажи' });
      expect(await row.textContent()).toContain('по кругу с памятью');
      const stored = pbx.store.callFlows.list('queue').find((r) => r.name === 'Продажи')!;
      expect(stored.config).toMatchObject({ strategy: 'round-robin', wrapUp: 5, members: [{ extension: '202', mode: 'dynamic' }] });
      await page.screenshot({ path: path.join(out, 'queues-admin.png'), fullPage: true });
    } finally {
      await admin.close();
    }
  });
});
