// Debian's Chromium driven by playwright-core: headless, no network
// services, a fresh profile per launch, the appliance's self-signed
// certificate accepted for loopback only.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

export interface Launched {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(opts: { width?: number; height?: number; locale?: string } = {}): Promise<Launched> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'korobka-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ignoreHTTPSErrors: true,
    viewport: { width: opts.width ?? 1366, height: opts.height ?? 860 },
    locale: opts.locale ?? 'ru-RU',
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

export type { Browser };
