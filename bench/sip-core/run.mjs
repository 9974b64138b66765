#!/usr/bin/env node
/* global setTimeout */
// sip-core benchmark: call rate and concurrent dialogs of a drachtio-srf
// B2BUA without media through sip-core, against sipp UAC → sipp UAS directly.
// Everything runs on loopback with free ports and is stopped by pid.
//
//   node bench/sip-core/run.mjs [--rate 500] [--calls 5000] [--concurrent 10000] [--hold 60000]
//     [--phases rate,concurrent] [--snapshot <dir>] [--node-args "<flags>"] [--env K=V,K=V]
//
// Prints a JSON summary on the last line.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Srf from 'drachtio-srf';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const RATE = Number(args.rate ?? 500);
const CALLS = Number(args.calls ?? 5000);
const CONCURRENT_DIALOGS = Number(args.concurrent ?? 10000);
/** Longer than the ramp-up (calls/rate) plus 64×T1, so that a dialogs-only reading exists. */
const HOLD_MS = Number(args.hold ?? 60000);
/** --phases rate,concurrent (default both). */
const PHASES = String(args.phases ?? 'rate,concurrent').split(',');
/** --snapshot <dir>: V8 heap snapshots of sip-core at the baseline and with the dialogs only (see heap-diff.mjs). */
const SNAPSHOT = args.snapshot;
/**
 * Node flags and environment of sip-core: by default what the supervisor gives
 * it (appliance/supervisor/specs.ts); --node-args "<flags>" and --env K=V,K=V
 * replace them to try others ("" for none).
 */
const SIP_CORE_NODE_ARGS = String(args['node-args'] ?? '--max-semi-space-size=4').split(' ').filter(Boolean);
const SIP_CORE_ENV = Object.fromEntries(String(args.env ?? 'MALLOC_ARENA_MAX=2').split(',').filter(Boolean).map((kv) => kv.split('=')));
/** --profile <dir>: write a V8 CPU profile of sip-core there. */
const PROFILE = args.profile;
/** sipp's default 64 KB socket buffers drop datagrams in bursts; use the kernel's maximum. */
const SIPP_BUFFERS = ['-buff_size', '4194304'];
const work = mkdtempSync(path.join(os.tmpdir(), 'sip-core-bench-'));
const children = new Set();

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function freePort() {
  for (;;) {
    const port = await new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

function run(cmd, argv, opts = {}) {
  const child = spawn(cmd, argv, { stdio: opts.stdio ?? ['ignore', 'ignore', 'pipe'], env: opts.env ?? process.env });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  killer.unref();
  return { child, exited };
}

function stop(p) {
  if (p.child.exitCode === null) p.child.kill('SIGTERM');
  return p.exited;
}

function sippStats(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const get = (k) => Number(last[head.indexOf(k)] ?? 0);
  return { successful: get('SuccessfulCall(C)'), failed: get('FailedCall(C)') };
}

function sippUas(port, name) {
  return run('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-t', 'u1', '-timeout', '600s', ...SIPP_BUFFERS,
    '-trace_err', '-error_file', path.join(work, `${name}-errors.log`)]);
}

async function sippUac(remote, name, { rate, calls, limit, holdMs }) {
  const port = await freePort();
  const stat = path.join(work, `${name}.csv`);
  const started = Date.now();
  log(`sipp uac ${name} on port ${port}`);
  const p = run('sipp', ['-sn', 'uac', '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-t', 'u1', ...SIPP_BUFFERS,
    '-r', String(rate), '-m', String(calls), '-l', String(limit), '-d', String(holdMs),
    '-trace_stat', '-stf', stat, '-fd', '1', '-timeout', '300s',
    '-trace_err', '-error_file', path.join(work, `${name}-errors.log`), remote]);
  await p.exited;
  const elapsedS = (Date.now() - started) / 1000;
  return { ...sippStats(stat), elapsedS };
}

async function startSipCore() {
  if (!existsSync('dist/services/sip-core/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const sipPort = await freePort();
  const adminPort = await freePort();
  const secret = randomBytes(12).toString('hex');
  const config = {
    logLevel: 'warn',
    sip: { listen: [{ transport: 'udp', host: '127.0.0.1', port: sipPort }], maxMessageBytes: 65535 },
    drachtio: { host: '127.0.0.1', port: adminPort, secret },
  };
  const nodeArgs = [
    ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : []),
    // measure-hook.mjs answers bench-measure (GC, then memory) and bench-snapshot requests.
    '--expose-gc', '--import', new URL('./measure-hook.mjs', import.meta.url).href,
    ...SIP_CORE_NODE_ARGS,
    'dist/services/sip-core/main.js',
  ];
  const p = run(process.execPath, nodeArgs, {
    env: { ...process.env, ...SIP_CORE_ENV, KOROBKA_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let health = {};
  const waiting = new Map();
  p.child.on('message', (m) => {
    if (m?.health) health = m.health;
    const w = waiting.get(m?.type);
    if (w) {
      waiting.delete(m.type);
      w(m);
    }
  });
  const ask = (msg, answer) =>
    new Promise((resolve, reject) => {
      waiting.set(answer, resolve);
      p.child.send(msg);
      setTimeout(() => reject(new Error(`sip-core did not answer ${msg.type}`)), 120_000).unref();
    });
  await new Promise((resolve) => p.child.once('message', resolve));
  return {
    ...p, sipPort, adminPort, secret,
    health: () => health,
    /** Memory after two full GCs. */
    measure: async () => (await ask({ type: 'bench-measure' }, 'bench-memory')).memory,
    snapshot: async (file) => (await ask({ type: 'bench-snapshot', file }, 'bench-snapshot')).file,
  };
}

async function b2bua(core, uasPort) {
  const srf = new Srf();
  srf.on('error', () => undefined);
  srf.invite(async (req, res) => {
    try {
      const { uas, uac } = await srf.createB2BUA(req, res, `sip:service@127.0.0.1:${uasPort}`, { localSdpB: req.body });
      uas.on('destroy', () => uac.destroy().catch(() => undefined));
      uac.on('destroy', () => uas.destroy().catch(() => undefined));
    } catch {
      /* counted by sipp as a failed call */
    }
  });
  await new Promise((resolve, reject) => {
    srf.on('connect', (err) => (err ? reject(err) : resolve()));
    srf.connect({ host: '127.0.0.1', port: core.adminPort, secret: core.secret });
  });
  return srf;
}

const waitUntil = async (pred, ms) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
};

/** Kernel UDP counters (/proc/net/snmp): RcvbufErrors are datagrams dropped at a full socket buffer. */
function udpDrops() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const head = lines[0].split(/\s+/);
    const vals = lines[1].split(/\s+/);
    return Number(vals[head.indexOf('RcvbufErrors')] ?? 0);
  } catch {
    return undefined;
  }
}

/** Per-dialog bytes between two measurements. */
function perDialog(base, at, dialogs) {
  if (!base || !at || !dialogs) return undefined;
  const per = (k) => Math.round((at[k] - base[k]) / dialogs);
  return { heapBytes: per('heapUsedBytes'), rssBytes: per('rssBytes'), externalBytes: per('externalBytes'), atDialogs: dialogs };
}

const kb = (b) => (b / 1024).toFixed(1);
const mb = (b) => (b / 2 ** 20).toFixed(1);
const memLine = (m) =>
  `rss ${mb(m.rssBytes)} MB, heap used ${mb(m.heapUsedBytes)} of ${mb(m.heapTotalBytes)} MB (new space ${mb(m.spaces?.new_space?.size ?? 0)} MB), external ${mb(m.externalBytes)} MB`;

async function ratePhase() {
  // 1. sipp → sipp directly: the ceiling of the load generator itself.
  const directUasPort = await freePort();
  const directUas = sippUas(directUasPort, 'direct-uas');
  const direct = await sippUac(`127.0.0.1:${directUasPort}`, 'direct-uac', { rate: RATE, calls: CALLS, limit: CALLS, holdMs: 0 });
  await stop(directUas);
  log(`direct: ${JSON.stringify(direct)}`);

  // 2. The same load through sip-core and a drachtio-srf B2BUA.
  const core = await startSipCore();
  const uasPort = await freePort();
  const uas = sippUas(uasPort, 'b2b-uas');
  const srf = await b2bua(core, uasPort);
  log(`ports: sip-core ${core.sipPort}, sipp uas ${uasPort}`);
  const dropsBefore = udpDrops();
  const viaCore = await sippUac(`127.0.0.1:${core.sipPort}`, 'b2b-uac', { rate: RATE, calls: CALLS, limit: CALLS, holdMs: 0 });
  const udpDropped = dropsBefore === undefined ? undefined : udpDrops() - dropsBefore;
  const sipCoreDropped = socketDrops(core.sipPort);
  const sipCoreCpuS = cpuSeconds(core.child.pid);
  log(`sip-core used ${sipCoreCpuS} s of CPU for ${CALLS} B2BUA calls (${((sipCoreCpuS / CALLS) * 1000).toFixed(2)} ms per call)`);
  log(`through sip-core: ${JSON.stringify(viaCore)}, UDP datagrams dropped at full socket buffers: ${sipCoreDropped} at sip-core's socket, ${udpDropped} on the whole machine`);
  srf.disconnect();
  await stop(uas);
  await stop(core);
  return {
    // Completed calls per second of offered load (calls/rate seconds); wall time
    // also includes the 32 s a failed call takes to time out.
    direct: { callsPerSecond: +(direct.successful / (CALLS / RATE)).toFixed(1), failed: direct.failed, wallSeconds: direct.elapsedS },
    sipCore: {
      callsPerSecond: +(viaCore.successful / (CALLS / RATE)).toFixed(1),
      wallSeconds: viaCore.elapsedS,
      failed: viaCore.failed,
      failureRate: +((viaCore.failed / Math.max(1, viaCore.successful + viaCore.failed)) * 100).toFixed(3),
      udpDropped,
      sipCoreDropped,
      cpuMsPerCall: sipCoreCpuS === undefined ? undefined : +((sipCoreCpuS / CALLS) * 1000).toFixed(2),
    },
    ratio: +(viaCore.successful / Math.max(1, direct.successful)).toFixed(3),
  };
}

/**
 * 3. Concurrent dialogs: B2BUA calls held open (two dialogs each) on a fresh
 * sip-core. Memory is measured after full GCs (measure-hook.mjs): the baseline
 * with the app connected, then at the peak while the INVITE transactions of
 * the ramp-up still live (Timers L/M, 64×T1), then once they have ended, which
 * is the cost of the dialogs alone. Needs a hold longer than ramp-up + 64×T1.
 */
async function concurrentPhase() {
  const core = await startSipCore();
  const uasPort = await freePort();
  const uas = sippUas(uasPort, 'hold-uas');
  const srf = await b2bua(core, uasPort);
  await waitUntil(() => core.health().dialogs !== undefined, 10_000);
  const baseline = await core.measure();
  log(`baseline: ${memLine(baseline)}`);
  if (SNAPSHOT) log(`snapshot ${await core.snapshot(path.join(SNAPSHOT, 'baseline.heapsnapshot'))}`);
  const calls = Math.ceil(CONCURRENT_DIALOGS / 2);
  const target = 2 * calls;
  const rate = Math.min(RATE, 500);
  const started = Date.now();
  const holding = sippUac(`127.0.0.1:${core.sipPort}`, 'hold-uac', { rate, calls, limit: calls, holdMs: HOLD_MS });
  let done = false;
  holding.then(() => (done = true));
  const dialogs = () => core.health().dialogs ?? 0;
  const transactions = () => {
    const t = core.health().transactions ?? {};
    return (t.serverTransactions ?? 0) + (t.clientTransactions ?? 0) + (t.lingering ?? 0);
  };
  await waitUntil(() => done || dialogs() >= target, (calls / rate) * 1000 + 30_000);
  let withTransactions;
  if (dialogs() >= target) {
    withTransactions = { ...(await core.measure()), dialogs: dialogs(), transactions: transactions() };
    log(`peak: ${withTransactions.dialogs} dialogs, ${withTransactions.transactions} transactions after ${((Date.now() - started) / 1000).toFixed(1)} s; ${memLine(withTransactions)}`);
    // A snapshot costs memory of its own: RSS readings after it are not comparable.
    if (SNAPSHOT) log(`snapshot ${await core.snapshot(path.join(SNAPSHOT, 'peak.heapsnapshot'))}`);
  }
  await waitUntil(() => done || transactions() === 0 || dialogs() < 0.99 * target, HOLD_MS);
  let dialogsOnly;
  if (!done && transactions() === 0 && dialogs() >= 0.99 * target) {
    dialogsOnly = { ...(await core.measure()), dialogs: dialogs() };
    log(`dialogs only: ${dialogsOnly.dialogs} dialogs, no transactions after ${((Date.now() - started) / 1000).toFixed(1)} s; ${memLine(dialogsOnly)}`);
    if (SNAPSHOT) log(`snapshot ${await core.snapshot(path.join(SNAPSHOT, 'dialogs.heapsnapshot'))}`);
  } else {
    log(`no dialogs-only reading: hold ${HOLD_MS} ms is shorter than the ramp-up plus 64×T1`);
  }
  const hold = await holding;
  log(`held: ${JSON.stringify(hold)}`);
  srf.disconnect();
  await stop(uas);
  await stop(core);
  const dialogsOnlyPer = perDialog(baseline, dialogsOnly, dialogsOnly?.dialogs);
  const withTxnPer = perDialog(baseline, withTransactions, withTransactions?.dialogs);
  return {
    targetDialogs: CONCURRENT_DIALOGS,
    peakDialogs: withTransactions?.dialogs ?? dialogs(),
    failed: hold.failed,
    baseline: { rssBytes: baseline.rssBytes, heapUsedBytes: baseline.heapUsedBytes },
    perDialog: dialogsOnlyPer,
    perDialogWithTransactions: withTxnPer,
    newSpaceBytes: dialogsOnly?.spaces?.new_space?.size,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Datagrams the kernel dropped at one UDP socket's full buffer (/proc/net/udp, last column), by local port. */
function socketDrops(port) {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hex}`));
    return line ? Number(line.trim().split(/\s+/).at(-1)) : undefined;
  } catch {
    return undefined;
  }
}

async function main() {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}`;
  log(`machine: ${machine}; rate ${RATE}/s, ${CALLS} calls, ${CONCURRENT_DIALOGS} concurrent dialogs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`sip-core node flags: ${SIP_CORE_NODE_ARGS.join(' ') || 'none'}; env: ${JSON.stringify(SIP_CORE_ENV)}`);
  const rate = PHASES.includes('rate') ? await ratePhase() : undefined;
  const concurrent = PHASES.includes('concurrent') ? await concurrentPhase() : undefined;
  const summary = { machine, rate: RATE, calls: CALLS, ...rate, concurrent, loadAverage: os.loadavg().map((l) => +l.toFixed(2)), artifacts: work };
  if (rate) {
    console.log(`calls/s: sipp→sipp ${rate.direct.callsPerSecond} (${rate.direct.failed} failed), through sip-core ${rate.sipCore.callsPerSecond} (${rate.sipCore.failed} failed, ${rate.sipCore.failureRate} %), ratio ${rate.ratio}`);
  }
  if (concurrent) {
    const p = concurrent.perDialog;
    const q = concurrent.perDialogWithTransactions;
    console.log(`dialogs: ${concurrent.peakDialogs} of ${concurrent.targetDialogs}, ${concurrent.failed} calls failed`);
    if (p) console.log(`per dialog (after GC, dialogs only): ${kb(p.heapBytes)} KB heap, ${kb(p.rssBytes)} KB RSS at ${p.atDialogs} dialogs`);
    if (q) console.log(`per dialog (after GC, ramp-up transactions still live): ${kb(q.heapBytes)} KB heap, ${kb(q.rssBytes)} KB RSS`);
  }
  console.log(JSON.stringify(summary));
}

const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('SIGINT', () => (cleanup(), process.exit(130)));
main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanup();
    setTimeout(() => process.exit(), 200).unref();
  });
