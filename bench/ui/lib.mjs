/* global setTimeout, clearTimeout */
// Shared by the UI bench and the screenshot script: a real api process on
// a fresh data directory (korobka init), and Debian's Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/api/health', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 503);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** `korobka init` into a temp dir, then the api process on a free loopback port. */
export async function startApi() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'korobka-bench-'));
  const pwFile = path.join(dataDir, 'initial-password');
  execFileSync(process.execPath, ['dist/appliance/cli/main.js', 'init', '--data-dir', dataDir, '--password-file', pwFile, '--sip-domain', 'default.korobka.test'], { stdio: 'pipe' });
  const port = await freePort();
  const config = { dataDir, api: { host: '127.0.0.1', port } };
  const child = spawn(process.execPath, ['dist/services/api/main.js'], {
    env: { ...process.env, KOROBKA_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Kept for a start-up failure; a browser closing a page mid-download makes noise here otherwise.
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-65536)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  killer.unref();
  const deadline = Date.now() + 20_000;
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`api exited during start:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`api not healthy after 20 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `https://localhost:${port}`,
    port,
    dataDir,
    tls: { cert: readFileSync(path.join(dataDir, 'tls', 'server.crt')), key: readFileSync(path.join(dataDir, 'tls', 'server.key')) },
    initialPassword: readFileSync(pwFile, 'utf8').trim(),
    async stop() {
      clearTimeout(killer);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(hard);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launch(viewport = { width: 1366, height: 860 }) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'korobka-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreHTTPSErrors: true,
    viewport,
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** First sign-in of `admin`: the one-time password, then a new one. */
export async function firstSignIn(page, api, newPassword) {
  await page.goto(api.url + '/login');
  await page.locator('pbx-login-page #username').fill('admin');
  await page.locator('pbx-login-page #password').fill(api.initialPassword);
  await page.locator('pbx-login-page button[type=submit]').click();
  await page.waitForURL('**/password');
  await page.locator('pbx-password-page #currentPassword').fill(api.initialPassword);
  await page.locator('pbx-password-page #newPassword').fill(newPassword);
  await page.locator('pbx-password-page #repeat').fill(newPassword);
  await page.locator('pbx-password-page button[type=submit]').click();
  await page.waitForURL('**/dashboard');
}
