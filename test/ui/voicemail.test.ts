// The employee's voicemail in the browser: an employee linked to extension
// 202 signs in, opens «Голосовая почта», sees only their own box (not 203's)
// with the message left for them, plays it — the browser decodes the WAV
// the api decrypts, its length the message's — and playing marks it heard
// (the phone's lamp goes off); the play is audited. The message is stored
// by the real voicemail store (encrypted) in the api's data directory.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../services/call-control/auth/digest';
import { silentLogger } from '../../services/common/logger';
import { encodeG711 } from '../../services/recordings';
import { defaultFeatures, openStore, type Store } from '../../services/store';
import { MessageStore, openVoicemailVault } from '../../services/voicemail';
import { testOutputDir } from '../helpers/processes';
import { startApiProcess, type ApiProcess } from './helpers/api-process';
import { launchBrowser, type Launched } from './helpers/browser';
import { changeOneTimePassword, signIn } from './helpers/pages';

let api: ApiProcess;
const browsers: Launched[] = [];
let store: Store;
let messageId = 0;
const out = testOutputDir('ui');

async function signedIn(username: string, oneTime: string, password: string): Promise<Page> {
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

beforeAll(async () => {
  api = await startApiProcess('voicemail');
  store = openStore(path.join(api.dataDir, 'korobka.db'));
  const tenant = store.tenants.defaultTenant()!;
  for (const ext of ['202', '203']) {
    const e = store.extensions.create({ tenantId: tenant.id, extension: ext, ha1: computeHa1Set(ext, tenant.sipDomain, `pw-${ext}`) });
    store.voicemail.createBox(tenant.id, { number: ext, name: ext === '202' ? 'Петров' : 'Сидоров', extensionId: e.id, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 10, email: null }, null);
  }
  // 2.5 s of a 440 Hz tone, as a caller would have left it, saved encrypted by the voicemail store.
  const samples = Array.from({ length: 20_000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  const messages = new MessageStore({ store, vault: openVoicemailVault({ dataDir: api.dataDir }), dataDir: api.dataDir, log: silentLogger });
  const box = store.voicemail.boxByNumber(tenant.id, '202')!;
  messageId = (await messages.save({ tenantId: tenant.id, boxId: box.id, callId: 'vm-ui-1', caller: '+79161234567', receivedAt: new Date(), audio: { law: 'alaw', payload: encodeG711('alaw', samples) } })).id;
  await messages.save({ tenantId: tenant.id, boxId: store.voicemail.boxByNumber(tenant.id, '203')!.id, callId: 'vm-ui-2', caller: '+74950000000', receivedAt: new Date(), audio: { law: 'alaw', payload: encodeG711('alaw', samples) } });
}, 120_000);

afterAll(async () => {
  store?.close();
  for (const b of browsers) await b.close();
  await api?.stop();
});

describe('voicemail page', () => {
  it('an employee plays the message in their own box; it is marked heard and the play audited; another box is not shown', async () => {
    const admin = await signedIn('admin', api.initialPassword, 'Volga-Boss-2026-x1');
    const tenantId = store.tenants.defaultTenant()!.id;
    const once = await admin.evaluate(async (b) => {
      const me = await (await fetch('/api/auth/me')).json();
      const r = await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(b) });
      return (await r.json()).password as string;
    }, { username: 'petrov', role: 'employee', tenantId });
    const user = store.users.byUsername('petrov')!;
    store.extensionFeatures.set(store.extensions.get(tenantId, '202')!.id, { ...defaultFeatures(), userId: user.id });

    const page = await signedIn('petrov', once, 'Oka-River-Bank-2026-q');
    await page.locator('pbx-nav a[data-nav="/voicemail"]').click();
    const row = page.locator(`pbx-voicemail-page [data-message="${messageId}"]`);
    await row.waitFor();
    expect(await page.locator('pbx-voicemail-page section[data-box]').evaluateAll((s) => s.map((e) => e.getAttribute('data-box')))).toEqual(['202']);
    expect(await row.locator('td').nth(1).textContent()).toBe('+79161234567');
    expect(await row.locator('td').nth(2).textContent()).toBe('0:03');
    expect(await row.getByTestId('vm-folder').textContent()).toBe('новое');
    await row.getByTestId('vm-play').click();
    const audio = row.getByTestId('vm-audio');
    await audio.waitFor();
    // The browser decoded the decrypted WAV: 20,000 samples at 8 kHz.
    const duration = await audio.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (a.readyState >= 1) resolve(a.duration);
          a.addEventListener('loadedmetadata', () => resolve(a.duration));
          a.addEventListener('error', () => reject(new Error(`media error ${a.error?.code}`)));
        }),
    );
    expect(Math.abs(duration - 2.5)).toBeLessThan(0.05);
    await expect.poll(() => row.getByTestId('vm-folder').textContent()).toBe('прослушано');
    expect(store.voicemail.message(messageId)).toMatchObject({ folder: 'saved' });
    await page.screenshot({ path: path.join(out, 'voicemail-play.png'), fullPage: true });
    const actions = store.audit.list({ limit: 1000 }).rows.filter((r) => r.actor === 'petrov').map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['voicemail.played:ok', 'voicemail.mark-read:ok']));
  });
});
