/* global document, localStorage, fetch -- used inside the page by page.evaluate */
// Screenshots of every page in Russian and English for the README:
// docs/screenshots/<page>-<lang>.png, against a real api on a fresh data
// directory. Usage: node scripts/build.mjs && node bench/ui/screenshots.mjs
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { launch, startApi } from './lib.mjs';

const OUT = path.resolve('docs/screenshots');
const PASSWORD = 'Screens-Password-2026';
mkdirSync(OUT, { recursive: true });

const api = await startApi();
// One real recording for the recordings page, made by the real pipeline.
const seedFile = path.resolve('test-output', 'ui-bench', 'seed-recording.mjs');
await build({ entryPoints: ['bench/ui/seed-recording.ts'], outfile: seedFile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const { seedRecording } = await import(seedFile);
const browser = await launch();
const page = await browser.context.newPage();
const shot = async (name) => {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
};
const setLang = (lang) => page.evaluate((l) => localStorage.setItem('korobka.lang', l), lang);
const h1 = () => page.locator('main h1, pbx-login-page h1, pbx-password-page h1').first();

try {
  await page.goto(api.url + '/login');
  await h1().waitFor();
  await shot('login-ru');
  await page.locator('pbx-login-page button[data-lang="en"]').click();
  await shot('login-en');
  await page.locator('pbx-login-page button[data-lang="ru"]').click();

  await page.locator('pbx-login-page #username').fill('admin');
  await page.locator('pbx-login-page #password').fill(api.initialPassword);
  await page.locator('pbx-login-page button[type=submit]').click();
  await page.waitForURL('**/password');
  await page.locator('pbx-password-page #newPassword').fill('short');
  await shot('password-ru');
  await setLang('en');
  await page.reload();
  await page.locator('pbx-password-page #newPassword').fill('short');
  await shot('password-en');
  await setLang('ru');
  await page.reload();
  await page.locator('pbx-password-page #currentPassword').fill(api.initialPassword);
  await page.locator('pbx-password-page #newPassword').fill(PASSWORD);
  await page.locator('pbx-password-page #repeat').fill(PASSWORD);
  await page.locator('pbx-password-page button[type=submit]').click();
  await page.waitForURL('**/dashboard');

  // Some data to look at: a tenant with its admin, an auditor.
  await page.goto(api.url + '/tenants');
  await page.locator('#name').fill('Банк «Восток»');
  await page.locator('#sipDomain').fill('pbx.vostok-bank.ru');
  await page.locator('[id="admin.username"]').fill('vostok-admin');
  await page.locator('[id="admin.displayName"]').fill('Иван Петров');
  await page.locator('form[data-testid="tenant-form"] button[type=submit]').click();
  await page.getByTestId('password-value').waitFor();
  await page.goto(api.url + '/users');
  await page.locator('#username').fill('auditor');
  await page.locator('#role').selectOption('auditor');
  await page.locator('main form button[type=submit]').click();
  await page.getByTestId('password-value').waitFor();

  // PBX data: extensions in the bank's organisation and a few calls.
  const bank = await page.evaluate(async () => {
    const me = await (await fetch('/api/auth/me')).json();
    const { tenants } = await (await fetch('/api/tenants')).json();
    const t = tenants.find((x) => x.sipDomain === 'pbx.vostok-bank.ru');
    const post = (body) => fetch('/api/extensions', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken, 'x-korobka-tenant': String(t.id) }, body: JSON.stringify(body) });
    await post({ extension: '201', displayName: 'Иван Петров', outboundPermission: 'national', callerIdNumber: '+74951234567' });
    await post({ extension: '202', displayName: 'Анна Смирнова', outboundPermission: 'local', forward: { busy: '201', noAnswer: '+79161234567', noAnswerSeconds: 25 } });
    await post({ extension: '203', displayName: 'Олег Иванов', outboundPermission: 'international', dnd: true });
    const send = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken, 'x-korobka-tenant': String(t.id) }, body: JSON.stringify(body) });
    const trunk = await (await send('/api/trunks', { name: 'Ростелеком', kind: 'register', host: 'sip.rt.example', username: '74951234567', password: 'Operator-Secret-42', channelLimit: 30 })).json();
    await send('/api/trunks', { name: 'МТС', kind: 'ip', addresses: ['192.0.2.10', '192.0.2.11'], transport: 'tcp' });
    await send('/api/dids', { number: '+74951234500', trunkId: trunk.trunk.id, destination: { type: 'extension', extension: '201' } });
    return t.id;
  });
  await page.evaluate((id) => localStorage.setItem('korobka.tenant', String(id)), bank);
  await seedRecording(api.dataDir, bank);
  // Calls are written by call-control; here a few finished ones stand in for them.
  const db = new Database(path.join(api.dataDir, 'korobka.db'));
  const cdr = db.prepare(`INSERT INTO cdrs (call_id, tenant_id, direction, caller_dialled, caller_number, callee_dialled, callee_number, extension, started_at, answered_at, ended_at,
    duration_seconds, billable_seconds, disposition, hangup_side, status, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'caller', 'completed', ?)`);
  const calls = [['internal', '201', '202', '202', 'answered', 95], ['inbound', '+74957654321', '201', '201', 'answered', 312], ['outbound', '203', '+79161234567', '203', 'busy', 0], ['inbound', '+78123456789', '202', '202', 'no-answer', 0]];
  calls.forEach(([dir, from, to, ext, disp, secs], i) => {
    const start = new Date(Date.now() - (i + 1) * 3_600_000);
    const end = new Date(start.getTime() + (secs + 5) * 1000).toISOString();
    cdr.run(`shot-${i}`, bank, dir, from, from, to, to, ext, start.toISOString(), secs ? new Date(start.getTime() + 5000).toISOString() : null, end, secs + 5, secs, disp, end);
  });
  const reg = db.prepare(`INSERT INTO registrations (aor, contact, expires_at, call_id, cseq, source_address, source_port, transport, user_agent, registered_at)
    VALUES (?, ?, ?, ?, 1, ?, 5062, 'udp', ?, ?)`);
  const soon = new Date(Date.now() + 3_600_000).toISOString();
  reg.run(`${bank}:201`, 'sip:201@10.20.0.15:5062', soon, 'shot-reg-1', '10.20.0.15', 'Yealink SIP-T46U', new Date().toISOString());
  reg.run(`${bank}:202`, 'sip:202@10.20.0.16:5062', soon, 'shot-reg-2', '10.20.0.16', 'Grandstream GXP1625', new Date().toISOString());
  db.close();
  const badCsv = '\uFEFFextension;display_name;outbound_permission\r\n204;Мария Кузнецова;local\r\n2x;Пётр Соколов;local\r\n205;Елена Попова;national\r\n';

  for (const lang of ['ru', 'en']) {
    await setLang(lang);
    for (const p of ['dashboard', 'tenants', 'users', 'audit', 'branding']) {
      await page.goto(`${api.url}/${p}`);
      await h1().waitFor();
      await page.getByTestId('licence-indicator').waitFor();
      const ready = { tenants: '[data-testid="tenants-table"] tbody tr', users: '[data-testid="users-table"] tbody tr', branding: '#productName' }[p];
      if (ready) await page.locator(ready).first().waitFor();
      if (p === 'dashboard') {
        await page.getByTestId('cpu-card').waitFor();
        // Wait for a few live samples so the chart shows a line.
        await page.waitForFunction(
          () => {
            const d = document.querySelector('pbx-app')?.shadowRoot?.querySelector('pbx-dashboard-page')?.shadowRoot?.querySelector('pbx-chart')?.shadowRoot?.querySelector('path')?.getAttribute('d') ?? '';
            return d.split('L').length >= 4;
          },
          null,
          { timeout: 30_000 },
        );
      }
      if (p === 'audit') await page.getByTestId('audit-range').waitFor();
      await shot(`${p}-${lang}`);
    }
    for (const p of ['extensions', 'import', 'trunks', 'routes', 'calls', 'recordings', 'licence']) {
      await page.goto(`${api.url}/${p}`);
      await h1().waitFor();
      await page.getByTestId('licence-indicator').waitFor();
      if (p === 'extensions') await page.getByTestId('extensions-table').waitFor();
      if (p === 'calls') await page.getByTestId('calls-table').waitFor();
      if (p === 'trunks') await page.getByTestId('trunks-table').waitFor();
      if (p === 'licence') await page.getByTestId('licence-state').waitFor();
      if (p === 'recordings') await page.getByTestId('rec-table').waitFor();
      if (p === 'import') {
        await page.locator('pbx-import-page #file').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
        await page.getByTestId('preview-table').waitFor();
      }
      await shot(`${p}-${lang}`);
    }
  }
  await setLang('ru');
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.goto(`${api.url}/dashboard`);
  await page.getByTestId('cpu-card').waitFor();
  await shot('dashboard-tablet-ru');
} finally {
  await browser.close();
  await api.stop();
}
