/* global setTimeout, Buffer, performance */
// Sign-in under attack, against a real api process (issue 16, item 6):
//  1. 100 simultaneous sign-ins for `admin` from one address, 99 wrong and
//     the right one last: how many passwords were really tried, and was the
//     right one let through after the limit (it must never be);
//  2. a legitimate sign-in from another address, alone and during a burst of
//     200 bad sign-ins from one address, in the same run: figures and ratio.
// Usage: node scripts/build.mjs && node bench/signin/run.mjs [bursts]
import https from 'node:https';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { startApi } from '../ui/lib.mjs';

const BURSTS = Number(process.argv[2] ?? 3);
const LIMIT = 5; // api.lockoutAttempts default

const api = await startApi();
const ca = readFileSync(path.join(api.dataDir, 'tls', 'ca.crt'));

function login(username, password, from) {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', port: api.port, method: 'POST', path: '/api/auth/login', ca, servername: 'localhost', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
const tally = (xs) => xs.reduce((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(from) {
  const t0 = performance.now();
  const s = await login('admin', api.initialPassword, from);
  if (s !== 200) throw new Error(`legitimate sign-in from ${from} got ${s}`);
  return performance.now() - t0;
}

let failed = false;
try {
  // 1. The race.
  const attempts = [...Array.from({ length: 99 }, (_, i) => `wrong-password-${i}`), api.initialPassword];
  const replies = await Promise.all(attempts.map((p) => login('admin', p, '127.0.0.2')));
  const db = new Database(path.join(api.dataDir, 'korobka.db'), { readonly: true });
  const rows = db.prepare("SELECT outcome FROM audit_log WHERE action = 'auth.login' AND actor = 'admin' AND ip LIKE '%127.0.0.2' ORDER BY id").all();
  db.close();
  const tried = rows.filter((r) => r.outcome === 'failed').length;
  const okAt = rows.findIndex((r) => r.outcome === 'ok');
  const wrongBeforeRight = okAt < 0 ? null : rows.slice(0, okAt).filter((r) => r.outcome === 'failed').length;
  const afterLimit = wrongBeforeRight !== null && wrongBeforeRight >= LIMIT;
  console.log(`race: 100 simultaneous sign-ins (99 wrong, the right one last) → ${JSON.stringify(tally(replies))}`);
  console.log(`race: passwords checked against the account: ${tried} wrong (limit ${LIMIT}); the right one: ${replies[99]}${wrongBeforeRight === null ? '' : ` after ${wrongBeforeRight} wrong`}`);
  console.log(`race: right password let through after the limit: ${afterLimit ? 'YES (fault)' : 'no'}`);
  if (afterLimit || tried > LIMIT) failed = true;

  // 2. A legitimate sign-in alone, then during bursts (each burst from its own address).
  const alone = [];
  for (let i = 0; i < 5; i++) alone.push(await timed('127.0.0.5'));
  const during = [];
  const burstMs = [];
  for (let b = 0; b < BURSTS; b++) {
    const from = `127.0.1.${10 + b}`;
    const t0 = performance.now();
    const burst = Promise.all(Array.from({ length: 200 }, (_, i) => login(i % 2 ? 'admin' : `nobody-${i}`, `bad-${i}`, from)));
    await new Promise((r) => setTimeout(r, 50));
    during.push(await timed(`127.0.2.${10 + b}`));
    const counts = tally(await burst);
    burstMs.push(performance.now() - t0);
    console.log(`burst ${b + 1}: 200 bad sign-ins from ${from} → ${JSON.stringify(counts)} in ${(burstMs.at(-1) / 1000).toFixed(1)} s`);
  }
  const a = median(alone);
  const d = median(during);
  console.log(`legitimate sign-in alone:          median ${a.toFixed(0)} ms (${alone.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`during a 200-attempt burst:        median ${d.toFixed(0)} ms (${during.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`ratio burst/alone:                 ${(d / a).toFixed(2)}x (before the fix: queued behind the whole burst, 17 s)`);
} finally {
  await api.stop();
}
process.exit(failed ? 1 : 0);
