// Recordings in the browser: an auditor finds a call's recording, plays it
// (the api streams decrypted Opus with Range), downloads it, and each action
// leaves an audit row; a tenant admin without a listen grant is refused.
// The recording is made by the real pipeline from a capture laid out as
// rtpengine writes it, into the data directory of a real api process.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/common/logger';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { Vault } from '../../services/recordings/vault';
import { openStore, type Store } from '../../services/store';
import { writeCapture } from '../recordings/spool-writer';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

let api: ApiProcess;
const browsers: Launched[] = [];
let store: Store;
const out = testOutputDir('ui');

async function signedIn(username: string, oneTime: string, password: string): Promise<Page> {
  // One browser profile per user, so each keeps its own session cookie.
  const b = await launchBrowser();
  browsers.push(b);
  const page = await b.context.newPage();
  await page.goto(api.url + '/');
  await page.waitForURL('**/login');
  await signIn(page, username, oneTime);
  await page.waitForURL('**/password');
  await changeOneTimePassword(page, oneTime, password);
  await page.waitForURL('**/dashboard');
  return page;
}

async function createUser(admin: Page, body: object): Promise<string> {
  return admin.evaluate(async (b) => {
    const me = await (await fetch('/api/auth/me')).json();
    const r = await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(b) });
    return (await r.json()).password as string;
  }, body);
}

beforeAll(async () => {
  api = await startApiProcess('recordings');
  store = openStore(path.join(api.dataDir, 'korobka.db'));
  const tenant = store.tenants.defaultTenant()!;
  const spool = path.join(api.dataDir, 'recordings', 'spool');
  writeCapture(spool, 'call-ui-1', { recordingId: 'rec-ui-1', tenantId: String(tenant.id), caller: '201', callee: '202' }, { seconds: 3 });
  const pipeline = new RecordingPipeline({ dataDir: api.dataDir, vault: new Vault(openKeyring({ dataDir: api.dataDir })), repo: store.recordings, log: silentLogger, format: 'opus' });
  const res = await pipeline.processSpool(spool);
  expect(res.stored).toHaveLength(1);
});

afterAll(async () => {
  store?.close();
  for (const b of browsers) await b.close();
  await api?.stop();
});

describe('recordings page', () => {
  it('an auditor plays and downloads a recording, each audited; a tenant admin without a grant is refused', async () => {
    const admin = await signedIn('admin', api.initialPassword, 'Volga-Boss-2026-x1');
    const tenantId = store.tenants.defaultTenant()!.id;
    const auditorOnce = await createUser(admin, { username: 'auditor1', role: 'auditor', tenantId });
    const taOnce = await createUser(admin, { username: 'tadmin1', role: 'tenant-admin', tenantId });
    // The auditor hears calls with a grant given by two people (test/integration/api/listen-grants.test.ts); here root gives it.
    store.recordings.grantListenDirectly(store.users.byUsername('auditor1')!.id, 'test', 1, 'ui test');

    const auditor = await signedIn('auditor1', auditorOnce, 'Kazan-Check-2026-y');
    await auditor.locator('pbx-nav a[data-nav="/recordings"]').click();
    await auditor.locator('pbx-recordings-page [data-recording="rec-ui-1"]').waitFor();
    const row = auditor.locator('pbx-recordings-page [data-recording="rec-ui-1"]');
    expect(await row.locator('td').nth(1).textContent()).toBe('201');
    expect(await row.locator('td').nth(3).textContent()).toBe('0:03');
    await row.getByTestId('rec-play').click();
    const audio = row.getByTestId('rec-audio');
    await audio.waitFor();
    // The browser decoded the stream: its duration is the call's, within 100 ms.
    const duration = await audio.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (a.readyState >= 1) resolve(a.duration);
          a.addEventListener('loadedmetadata', () => resolve(a.duration));
          a.addEventListener('error', () => reject(new Error(`media error ${a.error?.code}`)));
        }),
    );
    expect(Math.abs(duration - 3)).toBeLessThan(0.1);
    await auditor.screenshot({ path: path.join(out, 'recordings-play.png'), fullPage: true });

    const pending = auditor.waitForEvent('download');
    await row.getByTestId('rec-download').click();
    const file = await pending;
    const chunks: Buffer[] = [];
    for await (const c of await file.createReadStream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 4).toString('latin1')).toBe('OggS');

    const actions = store.audit.list({ limit: 1000 }).rows.filter((r) => r.actor === 'auditor1').map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['recording.played:ok', 'recording.downloaded:ok']));

    // An alarm raised by the recordings service shows in the header of every admin page.
    store.alarms.raise({ code: 'recordings-disk-full', severity: 'critical', tenantId: null, source: 'recordings', message: 'recordings disk is full' });
    await auditor.reload();
    const badge = auditor.getByTestId('alarms-indicator');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('Тревоги: 1');
    expect(await badge.getAttribute('title')).toBe('recordings disk is full');
    store.alarms.clear('recordings-disk-full', null);
    await auditor.reload();
    await auditor.locator('pbx-recordings-page').waitFor();
    expect(await auditor.getByTestId('alarms-indicator').count()).toBe(0);

    const ta = await signedIn('tadmin1', taOnce, 'Samara-Chief-2026-z');
    await ta.goto(api.url + '/recordings');
    const taRow = ta.locator('pbx-recordings-page [data-recording="rec-ui-1"]');
    await taRow.waitFor();
    await taRow.getByTestId('rec-play').click();
    await expect.poll(() => ta.locator('pbx-recordings-page').getByTestId('rec-play-error').textContent()).toContain('нет права прослушивания');
    const refused = store.audit.list({ limit: 1000 }).rows.filter((r) => r.actor === 'tadmin1' && r.action === 'recording.played');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.outcome !== 'ok')).toBe(true);
  });
});
