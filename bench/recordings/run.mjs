// Recordings benchmark: CPU seconds to convert + encrypt one recorded
// call-hour, against a plain copy of the same capture bytes in the same run.
//
//   node bench/recordings/run.mjs [--minutes 10] [--format opus|wav|both] [--audio speech|tone] [--pool-captures N]
//
// --audio speech (default) loops the real speech in sipp's g711a.pcap
// (/usr/share/sip-tester, Debian sip-tester) on both sides, 3.5 s apart;
// --audio tone sends 440 Hz / 880 Hz.
//
// It bundles bench-entry.ts with esbuild (no separate build step needed),
// writes a synthetic G.711 capture of both parties (rtpengine's pcap layout,
// link type 101) into a temp dir, runs the real pipeline (pcap → stereo →
// ffmpeg/libopus or WAV → AES-256-GCM vault → verify → delete plain), and
// counts our CPU plus ffmpeg's (children's times from /proc/self/stat).
//
// Then the converter pool (issue 16 item 2): N captures (default two per core)
// of the same call through processSpool, once on a pool of one worker thread
// (the old one-at-a-time conversion) and once on one worker per core, in the
// same run; it prints the wall time and call-minutes converted per second.
//
// How many concurrent recorded calls the machine sustains (issue 6, target
// 200) is measured with real calls through the whole appliance instead:
//   node scripts/build.mjs && node bench/calls/run.mjs --entry calls --record --concurrent 200 --hold 30000
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Buffer } from 'node:buffer';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const minutes = Number(arg('minutes', '10'));
const formats = arg('format', 'both') === 'both' ? ['opus', 'wav'] : [arg('format')];
const audio = arg('audio', 'speech');
if (!(minutes > 0 && minutes <= 240)) throw new Error('--minutes must be in (0, 240]');

const work = mkdtempSync(path.join(tmpdir(), 'rec-bench-'));
// Inside the checkout (test-output/ is git-ignored) so that node_modules resolves.
const bundleDir = path.resolve(here, '..', '..', 'test-output', 'bench-recordings');
mkdirSync(bundleDir, { recursive: true });
const bundle = path.join(bundleDir, 'entry.mjs');
await build({ entryPoints: [path.join(here, 'bench-entry.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const m = await import(pathToFileURL(bundle).href);
const workerScript = path.join(bundleDir, 'convert-worker.mjs');
await build({ entryPoints: [path.resolve(here, '..', '..', 'services', 'recordings', 'convert-worker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const poolCaptures = Number(arg('pool-captures', String(2 * cpus().length)));
if (!(poolCaptures >= 1 && poolCaptures <= 64)) throw new Error('--pool-captures must be in [1, 64]');

const tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Our CPU and our waited-for children's CPU (ffmpeg), in seconds. */
function cpuSeconds() {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / tick; // cutime, cstime (proc(5) fields 16, 17)
  return { own: (own.user + own.system) / 1e6, children };
}

/** Packet payload makers for both parties: sipp's recorded speech, looped, or undefined for tones. */
function speechParties() {
  const { datagrams } = m.parsePcap(readFileSync('/usr/share/sip-tester/g711a.pcap'));
  const alaw = Buffer.concat(datagrams.map((d) => m.parseRtp(d.payload).payload));
  const linear = Array.from(alaw, (c) => m.ALAW_TO_LINEAR[c]);
  const ulaw = m.encodeG711('ulaw', linear);
  const slice = (buf, i, shift) => {
    const out = Buffer.alloc(160);
    for (let k = 0; k < 160; k++) out[k] = buf[(i * 160 + k + shift) % buf.length];
    return out;
  };
  return [
    { ...m.CALLER, payload: (i) => slice(alaw, i, 0) },
    { ...m.CALLEE, payload: (i) => slice(ulaw, i, 28_000) },
  ];
}

async function writeCapture(file) {
  const packets = minutes * 60 * 50;
  const [caller, callee] = audio === 'speech' ? speechParties() : [m.CALLER, m.CALLEE];
  const out = createWriteStream(file);
  out.write(m.pcapGlobalHeader());
  const t0 = Date.UTC(2026, 0, 1) * 1000;
  const step = 500; // generate in slices so memory stays small
  for (let k = 0; k < packets; k += step) {
    const n = Math.min(step, packets - k);
    const a = m.partyPackets(caller, n, t0, k);
    const b = m.partyPackets(callee, n, t0 + 3000, k);
    for (const d of [...a, ...b].sort((x, y) => x.timeUs - y.timeUs)) {
      if (!out.write(m.pcapRecord(d.timeUs, m.udpDatagram(d.src, d.dst, d.payload)))) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'close');
}

async function plainCopy(src, dst) {
  const t = globalThis.performance.now();
  const c0 = cpuSeconds();
  await copyFile(src, dst);
  const fh = await open(dst, 'r+');
  await fh.sync(); // the pipeline fsyncs its output too
  await fh.close();
  const c1 = cpuSeconds();
  return { wall: (globalThis.performance.now() - t) / 1000, cpu: c1.own - c0.own + c1.children - c0.children };
}

const spool = path.join(work, 'spool');
mkdirSync(path.join(spool, 'pcaps'), { recursive: true });
mkdirSync(path.join(spool, 'metadata'), { recursive: true });
const pcap = path.join(work, 'capture.pcap');
await writeCapture(pcap);
const pcapBytes = statSync(pcap).size;
const callSeconds = minutes * 60;
const mb = (b) => b / 1e6;

console.log(`machine: ${cpus().length} CPU (nproc), ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`);
console.log('concurrent recorded calls through the whole appliance (issue 6, target 200): node scripts/build.mjs && node bench/calls/run.mjs --entry calls --record --concurrent 200 --hold 30000');
console.log(`capture: ${minutes} min G.711 call (${audio}), both parties, ${mb(pcapBytes).toFixed(1)} MB pcap`);

const copy = await plainCopy(pcap, path.join(work, 'copy.pcap'));
rmSync(path.join(work, 'copy.pcap'));
const copyMBs = mb(pcapBytes) / copy.wall;
console.log(`plain copy (copyFile + fsync): ${copy.wall.toFixed(3)} s wall, ${copyMBs.toFixed(0)} MB/s`);

for (const format of formats) {
  const dataDir = path.join(work, `data-${format}`);
  const repo = new m.MemoryRecordingRepository();
  const vault = new m.Vault(m.openKeyring({ dataDir }));
  const pipeline = new m.RecordingPipeline({ dataDir, vault, repo, log: m.silentLogger, format });
  const pcapPath = path.join(spool, 'pcaps', `bench-${format}.pcap`);
  await copyFile(pcap, pcapPath);
  const meta = m.encodeRecordingMetadata({ recordingId: `bench-${format}`, tenantId: 'bench', channels: { left: [m.CALLER.dst], right: [m.CALLEE.dst] } });
  const metadataPath = path.join(spool, 'metadata', `rtpengine-meta-bench-${format}.txt`);
  writeFileSync(metadataPath, `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${meta}\n`);
  const c0 = cpuSeconds();
  const t = globalThis.performance.now();
  const rec = await pipeline.process({ pcapPath, metadataPath });
  const wall = (globalThis.performance.now() - t) / 1000;
  const c1 = cpuSeconds();
  const own = c1.own - c0.own;
  const ff = c1.children - c0.children;
  const cpu = own + ff;
  const perHour = (cpu * 3600) / callSeconds;
  const pcmBytes = callSeconds * 8000 * 4;
  console.log(`\n${format}: recorded ${(rec.durationMs / 1000).toFixed(1)} s → ${mb(rec.sizeBytes).toFixed(2)} MB encrypted (${(pcmBytes / rec.plainBytes).toFixed(1)}× smaller than 16-bit PCM, ${(pcapBytes / rec.sizeBytes).toFixed(1)}× smaller than the pcap)`);
  console.log(`  CPU: ${cpu.toFixed(2)} s (node ${own.toFixed(2)} s + ffmpeg ${ff.toFixed(2)} s), wall ${wall.toFixed(2)} s`);
  console.log(`  CPU per recorded call-hour: ${perHour.toFixed(1)} s → ${(3600 / perHour).toFixed(0)}× faster than real time per core`);
  console.log(`  throughput: ${(mb(pcapBytes) / wall).toFixed(1)} MB/s of pcap vs plain copy ${copyMBs.toFixed(0)} MB/s → copy is ${(copyMBs / (mb(pcapBytes) / wall)).toFixed(1)}× faster`);
}
/** `poolCaptures` copies of the capture converted by processSpool on a pool of `size` worker threads. */
async function poolRun(size) {
  const dataDir = path.join(work, `pool-${size}`);
  const dir = path.join(work, `spool-pool-${size}`);
  mkdirSync(path.join(dir, 'pcaps'), { recursive: true });
  mkdirSync(path.join(dir, 'metadata'), { recursive: true });
  for (let i = 0; i < poolCaptures; i++) {
    const pcapPath = path.join(dir, 'pcaps', `c${i}.pcap`);
    await copyFile(pcap, pcapPath);
    const meta = m.encodeRecordingMetadata({ recordingId: `pool-${size}-${i}`, tenantId: 'bench', channels: { left: [m.CALLER.dst], right: [m.CALLEE.dst] } });
    writeFileSync(path.join(dir, 'metadata', `rtpengine-meta-c${i}.txt`), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${meta}\n`);
  }
  const converter = new m.WorkerPool(workerScript, size);
  const pipeline = new m.RecordingPipeline({ dataDir, vault: new m.Vault(m.openKeyring({ dataDir })), repo: new m.MemoryRecordingRepository(), log: m.silentLogger, format: formats[0], converter });
  const t = globalThis.performance.now();
  const r = await pipeline.processSpool(dir);
  const wall = (globalThis.performance.now() - t) / 1000;
  await converter.close();
  if (r.stored.length !== poolCaptures) throw new Error(`pool of ${size}: stored ${r.stored.length} of ${poolCaptures} (${JSON.stringify(r.failed)})`);
  return wall;
}

console.log(`\nconverter pool: ${poolCaptures} captures of ${minutes} min (${formats[0]}) through processSpool, same run`);
const one = await poolRun(1);
const cores = cpus().length;
const many = await poolRun(cores);
const rate = (w) => ((poolCaptures * minutes) / w).toFixed(1);
console.log(`  1 worker (as before):   ${one.toFixed(2)} s wall, ${rate(one)} call-minutes/s`);
console.log(`  ${cores} workers (one per core): ${many.toFixed(2)} s wall, ${rate(many)} call-minutes/s → ${(one / many).toFixed(2)}× the throughput`);
console.log(`\npeak RSS of the benchmark process (capture generation + conversion): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
rmSync(work, { recursive: true, force: true });
