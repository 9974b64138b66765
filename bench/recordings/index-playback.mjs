// Recordings index and playback benchmark:
//
//   node bench/recordings/index-playback.mjs [--rows 20000] [--hours 1]
//
// 1. Index: saves --rows recordings (record + hash-chain entry, one
//    transaction each, synchronous=FULL as in production) into a fresh
//    SQLite file in 10 tenants, then times the API's list queries, the
//    retention query, and removals by retention (chain entry + delete).
// 2. Playback: a vault file the size of --hours of Opus at 24 kbit/s; times
//    the integrity check the API runs before every playback (SHA-256 of the
//    whole encrypted file), a 64 KiB Range near the end (decrypts 1–2
//    chunks), and decrypting the whole file.
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rows = Number(arg('rows', '20000'));
const hours = Number(arg('hours', '1'));
if (!(rows >= 1000 && rows <= 1_000_000)) throw new Error('--rows must be 1000–1000000');
if (!(hours > 0 && hours <= 24)) throw new Error('--hours must be in (0, 24]');

const bundleDir = path.resolve(here, '..', '..', 'test-output', 'bench-recordings');
mkdirSync(bundleDir, { recursive: true });
const bundle = path.join(bundleDir, 'index-entry.mjs');
await build({ entryPoints: [path.join(here, 'index-entry.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const m = await import(pathToFileURL(bundle).href);

const work = mkdtempSync(path.join(tmpdir(), 'rec-index-bench-'));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const now = () => process.hrtime.bigint();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeIt(n, f) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    f(i);
    out.push(ms(t0));
  }
  return median(out);
}

try {
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.versions.node}`);
  const store = m.openStore(path.join(work, 'korobka.db'));
  const tenants = Array.from({ length: 10 }, (_, i) => store.tenants.create({ name: `T${i}`, sipDomain: `t${i}.example.ru` }).id);
  const start = Date.parse('2025-01-01T00:00:00Z');
  const step = Math.floor((2 * 365 * 86400_000) / rows); // two years of calls
  let t0 = now();
  for (let i = 0; i < rows; i++) {
    const id = `r${i}`;
    const tenantId = String(tenants[i % tenants.length]);
    const startedAt = new Date(start + i * step).toISOString();
    const sha = randomBytes(32).toString('hex');
    const rec = {
      recordingId: id, cdrId: null, tenantId, caller: `+7495${String(1_000_000 + (i % 5000)).slice(-7)}`, callee: String(200 + (i % 300)),
      startedAt, durationMs: 120_000, sizeBytes: 360_000, plainBytes: 359_000, codec: 'opus', mediaType: 'audio/ogg', keyId: 'tk-1',
      sha256: sha, legalHold: i % 100 === 0, path: `vault/${tenantId}/${id}.krec`, channelSource: 'metadata', createdAt: startedAt,
    };
    store.recordings.saveRecording(rec, m.nextEntry(store.recordings.chainHead(), id, sha, new Date(start + i * step)));
  }
  const insertMs = ms(t0);
  console.log(`index: ${rows} recordings saved (record + chain entry, one transaction each) in ${(insertMs / 1000).toFixed(1)} s = ${Math.round(rows / (insertMs / 1000))}/s`);
  const t = tenants[3];
  console.log(`  list newest 50 of a tenant:            ${timeIt(50, () => store.recordings.list({ tenantId: t, limit: 50 })).toFixed(2)} ms (median)`);
  console.log(`  list by number in a tenant:            ${timeIt(50, () => store.recordings.list({ tenantId: t, number: '204', limit: 50 })).toFixed(2)} ms`);
  console.log(`  list one month of a tenant:            ${timeIt(50, () => store.recordings.list({ tenantId: t, since: '2025-06-01T00:00:00.000Z', until: '2025-07-01T00:00:00.000Z' })).toFixed(2)} ms`);
  console.log(`  list page 100 (offset 5000):           ${timeIt(20, () => store.recordings.list({ tenantId: t, limit: 50, offset: 5000 })).toFixed(2)} ms`);
  const at = new Date('2027-01-01T00:00:00Z');
  let expired = [];
  console.log(`  retention query (365 d, 1000 oldest):  ${timeIt(10, () => (expired = store.recordings.expired(at, 365, 1000))).toFixed(2)} ms`);
  t0 = now();
  for (const r of expired) store.recordings.removeRecording(r.recordingId, m.nextEntry(store.recordings.chainHead(), r.recordingId, null, at));
  const removeMs = ms(t0);
  console.log(`  retention removals: ${expired.length} in ${removeMs.toFixed(0)} ms = ${Math.round(expired.length / (removeMs / 1000))}/s (chain entry + delete, one transaction each)`);
  t0 = now();
  const chain = [...store.recordings.chainEntries()].length;
  console.log(`  read the whole chain (${chain} entries):  ${ms(t0).toFixed(0)} ms`);
  store.close();

  const dataDir = path.join(work, 'data');
  const vault = new m.Vault(m.openKeyring({ dataDir }));
  const plainBytes = Math.round((hours * 3600 * 24_000) / 8);
  const plainFile = path.join(work, 'plain.ogg');
  writeFileSync(plainFile, randomBytes(plainBytes));
  const file = path.join(work, 'rec.krec');
  await vault.encryptFile(plainFile, file, '1');
  rmSync(plainFile);
  const rec = { plainBytes, mediaType: 'audio/ogg' };
  const drain = async (it) => {
    let n = 0;
    for await (const b of it) n += b.length;
    return n;
  };
  const shaTimes = [];
  for (let i = 0; i < 5; i++) {
    const s = now();
    await m.fileSha256(file);
    shaTimes.push(ms(s));
  }
  const rangeTimes = [];
  for (let i = 0; i < 20; i++) {
    const s = now();
    const r = m.playback(vault, file, rec, `bytes=${plainBytes - 70_000}-${plainBytes - 70_000 + 65_535}`);
    await drain(r.body);
    rangeTimes.push(ms(s));
  }
  const s = now();
  const whole = await drain(m.playback(vault, file, rec).body);
  const wholeMs = ms(s);
  console.log(`playback: ${hours} h of Opus at 24 kbit/s = ${(plainBytes / 1e6).toFixed(1)} MB`);
  console.log(`  integrity check (SHA-256 of the file, before every playback): ${median(shaTimes).toFixed(1)} ms (median of 5)`);
  console.log(`  64 KiB Range near the end, decrypted:                        ${median(rangeTimes).toFixed(2)} ms (median of 20)`);
  console.log(`  whole file decrypted:                                        ${wholeMs.toFixed(0)} ms = ${(whole / 1e6 / (wholeMs / 1000)).toFixed(0)} MB/s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
