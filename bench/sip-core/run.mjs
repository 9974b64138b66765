#!/usr/bin/env node
/* global setTimeout, setInterval, clearInterval */
// sip-core benchmark: call rate and concurrent dialogs of a drachtio-srf
// B2BUA without media through sip-core, against sipp UAC → sipp UAS directly.
// Everything runs on loopback with free ports and is stopped by pid.
//
//   node bench/sip-core/run.mjs [--rate 500] [--calls 5000] [--concurrent 10000] [--hold 45000]
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
const HOLD_MS = Number(args.hold ?? 45000);
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
  const p = run(process.execPath, [...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : []), 'dist/services/sip-core/main.js'], {
    env: { ...process.env, KOROBKA_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let health = {};
  p.child.on('message', (m) => m?.health && (health = m.health));
  await new Promise((resolve) => p.child.once('message', resolve));
  return { ...p, sipPort, adminPort, secret, health: () => health };
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

async function main() {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}`;
  log(`machine: ${machine}; rate ${RATE}/s, ${CALLS} calls, ${CONCURRENT_DIALOGS} concurrent dialogs`);

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
  log(`through sip-core: ${JSON.stringify(viaCore)}, UDP datagrams dropped at full socket buffers: ${udpDropped}`);

  srf.disconnect();
  await stop(uas);
  await stop(core);

  // 3. Concurrent dialogs: B2BUA calls held open (two dialogs each), on a fresh
  // sip-core so the heap baseline carries no garbage from phase 2. Heap at the
  // peak still includes uncollected garbage, so per-dialog figures are an upper bound.
  const core3 = await startSipCore();
  const uas3Port = await freePort();
  const uas3 = sippUas(uas3Port, 'hold-uas');
  const srf3 = await b2bua(core3, uas3Port);
  await waitUntil(() => core3.health().memory !== undefined, 10_000);
  const baseline = core3.health().memory ?? {};
  const calls = Math.ceil(CONCURRENT_DIALOGS / 2);
  // Memory is read at the last report that still has (almost) every dialog up:
  // with a hold longer than 64×T1 the INVITE transactions of the ramp-up have
  // expired by then, so the figure is dialog state, not transaction state.
  let peak = { dialogs: 0 };
  let late = { dialogs: 0 };
  const poll = setInterval(() => {
    const h = core3.health();
    const n = h.dialogs ?? 0;
    if (n > peak.dialogs) peak = { dialogs: n, memory: h.memory };
    if (n >= 0.99 * peak.dialogs && n > 0) late = { dialogs: n, memory: h.memory };
  }, 250);
  const hold = await sippUac(`127.0.0.1:${core3.sipPort}`, 'hold-uac', {
    rate: Math.min(RATE, 500), calls, limit: calls, holdMs: HOLD_MS,
  });
  clearInterval(poll);
  log(`held: ${JSON.stringify(hold)}, peak dialogs ${peak.dialogs}`);
  const perDialog = late.memory && baseline.heapUsedBytes
    ? {
        heapBytes: Math.round((late.memory.heapUsedBytes - baseline.heapUsedBytes) / late.dialogs),
        rssBytes: Math.round((late.memory.rssBytes - baseline.rssBytes) / late.dialogs),
        atDialogs: late.dialogs,
      }
    : undefined;
  srf3.disconnect();
  await stop(uas3);
  await stop(core3);
  const summary = {
    machine,
    rate: RATE,
    calls: CALLS,
    // Completed calls per second of offered load (calls/rate seconds); wall time
    // also includes the 32 s a failed call takes to time out.
    direct: { callsPerSecond: +(direct.successful / (CALLS / RATE)).toFixed(1), failed: direct.failed, wallSeconds: direct.elapsedS },
    sipCore: {
      callsPerSecond: +(viaCore.successful / (CALLS / RATE)).toFixed(1),
      wallSeconds: viaCore.elapsedS,
      failed: viaCore.failed,
      failureRate: +((viaCore.failed / Math.max(1, viaCore.successful + viaCore.failed)) * 100).toFixed(3),
      udpDropped,
    },
    ratio: +(viaCore.successful / Math.max(1, direct.successful)).toFixed(3),
    concurrent: { targetDialogs: CONCURRENT_DIALOGS, peakDialogs: peak.dialogs, failed: hold.failed, perDialog },
    loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
    artifacts: work,
  };
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
