/* global performance, PerformanceObserver -- read inside the page by page.evaluate */
// UI size and speed: the gzipped bundle, and the dashboard's first
// contentful paint in Chromium against a static blank page served over
// HTTPS with the same certificate in the same run.
// Usage: node scripts/build.mjs && node bench/ui/run.mjs [runs]
import { readFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import { firstSignIn, launch, startApi } from './lib.mjs';

const RUNS = Number(process.argv[2] ?? 7);
const LIMIT_KB = 300;

if (!existsSync('dist/ui/app.js')) {
  console.error('dist/ui/app.js is missing: run `node scripts/build.mjs` first');
  process.exit(2);
}
const bundle = readFileSync('dist/ui/app.js');
const gzipKb = gzipSync(bundle, { level: 9 }).length / 1024;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function fcp(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const have = performance.getEntriesByName('first-contentful-paint')[0];
        if (have) return resolve(have.startTime);
        new PerformanceObserver((list) => {
          const e = list.getEntriesByName('first-contentful-paint')[0];
          if (e) resolve(e.startTime);
        }).observe({ type: 'paint', buffered: true });
      }),
  );
}

const api = await startApi();
const blank = https.createServer(api.tls, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>blank</title></head><body><p>blank</p></body></html>');
});
await new Promise((r) => blank.listen(0, '127.0.0.1', r));
const blankUrl = `https://localhost:${blank.address().port}/`;
const browser = await launch();
const result = { blank: [], dashboardFcp: [], dashboardReady: [] };
try {
  const page = await browser.context.newPage();
  await firstSignIn(page, api, 'Bench-Password-2026');
  await page.close();
  for (let i = 0; i < RUNS; i++) {
    const b = await browser.context.newPage();
    await b.goto(blankUrl);
    result.blank.push(await fcp(b));
    await b.close();
    const d = await browser.context.newPage();
    await d.goto(api.url + '/dashboard');
    await d.getByTestId('cpu-card').waitFor();
    result.dashboardReady.push(await d.evaluate(() => performance.now()));
    result.dashboardFcp.push(await fcp(d));
    await d.close();
  }
} finally {
  await browser.close();
  blank.close();
  await api.stop();
}

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const m = { blank: median(result.blank), fcp: median(result.dashboardFcp), ready: median(result.dashboardReady) };
console.log(`machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.platform()} ${os.release()}, Chromium ${browser.context.browser()?.version() ?? '(persistent context)'}`);
console.log(`bundle dist/ui/app.js: ${(bundle.length / 1024).toFixed(1)} KB, ${gzipKb.toFixed(1)} KB gzipped (limit ${LIMIT_KB} KB)`);
console.log(`runs: ${RUNS} (medians)`);
console.log(`blank page first-contentful-paint: ${m.blank.toFixed(0)} ms`);
console.log(`dashboard first-contentful-paint:  ${m.fcp.toFixed(0)} ms (ratio to blank ${(m.fcp / m.blank).toFixed(2)})`);
console.log(`dashboard with system figures shown: ${m.ready.toFixed(0)} ms after navigation start`);
if (gzipKb > LIMIT_KB) {
  console.error(`FAIL: the bundle is over ${LIMIT_KB} KB gzipped`);
  process.exit(1);
}
