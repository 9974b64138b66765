// Concurrent recorded calls (Korobka issue 6): the whole appliance with the
// default tenant's recording policy `always`; sipp holds N answered calls
// with speech (g711a.pcap both ways), rtpengine captures each, and the
// recordings process converts, encrypts and indexes them. Reports calls
// connected/failed, recordings stored, the time from the last hangup until
// every recording is stored, and the CPU (% of one core) of rtpengine,
// call-control, sip-core and recordings while the calls are held and while
// the recordings drain. Verdict against the issue's target of 200.
// Needs a build (node scripts/build.mjs).
// Run: node bench/calls/run.mjs --entry calls --record [--concurrent 200] [--hold 30000] [--rate 50] [--drain-timeout 600000]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { freePort, randomPortRange } from '../../test/helpers/ports';
import { tempDir } from '../../test/helpers/tmp';
import { stopAll } from '../../test/helpers/processes';
import { speechForWholeHold } from './speech';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, type Pbx, type SippRun } from '../../test/integration/call-control/pbx';

const TARGET = 200;
const PROCESSES = ['rtpengine', 'call-control', 'sip-core', 'recordings'] as const;
const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const number = (name: string, dflt: number, max: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${name} must be an integer in [1, ${max}]`);
  return v;
};
const CONCURRENT = number('concurrent', TARGET, 1000);
// sipp's global -timeout (60 s, test/integration/call-control/pbx.ts) bounds ramp-up + hold.
const HOLD_MS = number('hold', 30_000, 50_000);
const RATE = number('rate', 50, 1000);
const DRAIN_TIMEOUT_MS = number('drain-timeout', 600_000, 3_600_000);
// Profile L allows 256 concurrent calls (licensing/profiles.ts); above that the licence, not the machine, would refuse calls.
const PROFILE = CONCURRENT <= 256 ? 'L' : 'XL';
const SIPP_BUFFERS = ['-buff_size', '4194304'];

type Ticks = Record<string, number>;

/** The process's CPU plus that of its children once reaped (the recordings process's ffmpeg runs). */
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime, stime, cutime, cstime: proc(5) fields 14–17
}

async function pids(pbx: Pbx): Promise<Record<string, number>> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number }>;
  return Object.fromEntries(procs.filter((p) => (PROCESSES as readonly string[]).includes(p.name)).map((p) => [p.name, p.pid]));
}

const snapshot = (p: Record<string, number>): Ticks => Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, cpuTicks(pid)]));
/** CPU (% of one core, USER_HZ = 100) each process used between two snapshots `seconds` apart. */
const percent = (a: Ticks, b: Ticks, seconds: number) => Object.fromEntries(Object.keys(a).map((n) => [n, Math.round(((b[n]! - a[n]!) / 100 / seconds) * 1000) / 10]));
const now = () => Number(process.hrtime.bigint() / 1_000_000n);

function sippCounts(s: SippRun): { connected: number; failed: number } {
  const grab = (label: string) => Number([...s.output().matchAll(new RegExp(`${label}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`, 'g'))].pop()?.[1] ?? 0);
  return { connected: grab('Successful call'), failed: grab('Failed call') };
}

async function recordingsHealth(pbx: Pbx): Promise<{ queue?: unknown; lastError?: unknown; alarms?: unknown } | undefined> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; health?: Record<string, unknown> }>;
  return procs.find((p) => p.name === 'recordings')?.health;
}

/** Waits until `expected` more recordings than `before` are indexed, or the drain timeout; returns when the last one appeared. */
async function drain(pbx: Pbx, before: number, expected: number, t0: number): Promise<{ stored: number; lastStoredAfterMs: number | null; timedOut: boolean }> {
  let stored = 0;
  let lastAt: number | null = null;
  while (now() - t0 < DRAIN_TIMEOUT_MS) {
    const n = pbx.store.recordings.list({ limit: 1 }).total - before;
    if (n > stored) [stored, lastAt] = [n, now()];
    if (stored >= expected) return { stored, lastStoredAfterMs: lastAt! - t0, timedOut: false };
    await new Promise((r) => setTimeout(r, 250));
  }
  return { stored, lastStoredAfterMs: lastAt === null ? null : lastAt - t0, timedOut: true };
}

const scenarioTmp = tempDir('korobka-recorded-bench-');
const vendorTmp = tempDir('korobka-bench-vendor-');
const publicKey = await vendorKey(vendorTmp.dir);
// Four media ports per call (RTP + RTCP on each side), with room to spare.
const mediaPorts = randomPortRange(Math.max(1200, CONCURRENT * 6));
const rtpengine = { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort: await freePort(), portMin: mediaPorts.min, portMax: mediaPorts.max, dtmfLogPort: await freePort() };
const pbx = await startPbx('recorded-bench', ['201', '202'], { logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn', rtpengine, license: { developmentKeyFiles: [publicKey] } }, (app) => installTestLicence(app, vendorTmp.dir, PROFILE));
try {
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const tenantId = pbx.store.tenants.defaultTenant()!.id;
  pbx.store.recordings.replacePolicies(tenantId, [{ scope: 'tenant', target: '', mode: 'always' }]);
  const before = pbx.store.recordings.list({ limit: 1 }).total;
  const p = await pids(pbx);
  const missing = PROCESSES.filter((n) => p[n] === undefined);
  if (missing.length) throw new Error(`bench/calls recorded: no pid in /api/health for ${missing.join(', ')}`);

  const uas = await startCallee(speechForWholeHold(uasScenario('answer-play'), 'uas', scenarioTmp.dir, HOLD_MS), CONCURRENT, SIPP_BUFFERS);
  await registerPhone(pbx, '202', uas.port);
  let peak = 0;
  const c0 = snapshot(p);
  const t0 = now();
  const uac = await startCaller(pbx, speechForWholeHold(uacScenario('bench-recorded', { answer: true, play: true }), 'uac', scenarioTmp.dir, HOLD_MS), '201', '202', { calls: CONCURRENT, rate: RATE, limit: CONCURRENT, holdMs: HOLD_MS, extra: SIPP_BUFFERS });
  const poll = setInterval(() => void pbx.health().then((h) => (peak = Math.max(peak, h.activeCalls)), () => undefined), 1000);
  await uac.exited;
  clearInterval(poll);
  const hungUp = now(); // sipp exits once its last call's BYE is answered
  const c1 = snapshot(p);
  const calls = sippCounts(uac);
  await uas.stop('SIGTERM', 2000);

  const d = await drain(pbx, before, calls.connected, hungUp);
  const c2 = snapshot(p);
  const drainEnd = now();
  const health = await recordingsHealth(pbx);
  const seconds = pbx.store.recordings.list({ tenantId, limit: CONCURRENT + 100 }).rows.map((r) => r.durationMs / 1000);
  const durations = seconds.length ? { min: Math.min(...seconds), mean: Math.round((seconds.reduce((a, b) => a + b, 0) / seconds.length) * 10) / 10, max: Math.max(...seconds) } : null;
  // Converting runs after each hangup; calls held around the clock need, beside the media and signalling
  // cores measured while held, that conversion's CPU for every call-hour they produce (an estimate).
  const audioHours = seconds.reduce((a, b) => a + b, 0) / 3600;
  const conversionCpuS = (c2.recordings! - c1.recordings!) / 100;
  const perCallHour = audioHours > 0 ? Math.round(conversionCpuS / audioHours) : null;
  const heldCores = (['rtpengine', 'call-control', 'sip-core'] as const).reduce((n, k) => n + (percent(c0, c1, (hungUp - t0) / 1000)[k] ?? 0), 0) / 100;
  const steadyCores = perCallHour === null ? null : Math.round((heldCores + (calls.connected * perCallHour) / 3600) * 100) / 100;
  const passed = calls.connected >= TARGET && calls.failed === 0 && d.stored >= calls.connected && !d.timedOut;
  const result = {
    machine,
    target: TARGET,
    offered: { concurrent: CONCURRENT, holdMs: HOLD_MS, rate: RATE, licenceProfile: PROFILE },
    calls: { ...calls, peakActiveCallsInHealth: peak },
    recordings: { stored: d.stored, expected: calls.connected, lastHangupToAllStoredMs: d.timedOut ? null : d.lastStoredAfterMs, timedOut: d.timedOut, durationSeconds: durations, queue: health?.queue ?? null, lastError: health?.lastError ?? null },
    held: { seconds: Math.round(hungUp - t0) / 1000, cpuPercent: percent(c0, c1, (hungUp - t0) / 1000) },
    drain: { seconds: Math.round(drainEnd - hungUp) / 1000, cpuPercent: percent(c1, c2, (drainEnd - hungUp) / 1000) },
    sustained: { conversionCpuSecondsPerRecordedCallHour: perCallHour, estimatedCoresAroundTheClock: steadyCores, cores: machine.cpus, fits: steadyCores !== null && steadyCores < machine.cpus },
    packetLoss: 'not measured (sipp play_pcap_audio keeps no RTP receive counts)',
    verdict: passed ? 'pass' : 'fail',
  };
  console.log(JSON.stringify(result));
  const cpu = (c: Record<string, number>) => PROCESSES.map((n) => `${n} ${c[n]}%`).join(', ');
  console.log(
    [
      `machine: ${machine.cpus} CPU (nproc), ${machine.model}, ${machine.memGiB} GiB, node ${machine.node}`,
      `calls: ${calls.connected} connected, ${calls.failed} failed of ${CONCURRENT} offered at ${RATE}/s, held ${HOLD_MS} ms (peak ${peak} active in call-control's health)`,
      `recordings: ${d.stored} of ${calls.connected} stored (${durations ? `${durations.mean} s long on average` : 'none'}); last hangup → all stored: ${d.timedOut ? `not within ${DRAIN_TIMEOUT_MS} ms` : `${((d.lastStoredAfterMs ?? 0) / 1000).toFixed(1)} s`}`,
      `CPU held (${result.held.seconds} s): ${cpu(result.held.cpuPercent)}`,
      `CPU drain (${result.drain.seconds} s): ${cpu(result.drain.cpuPercent)}`,
      `around the clock (estimate): conversion ${perCallHour ?? '?'} CPU s per recorded call-hour → ${steadyCores ?? '?'} of ${machine.cpus} cores for ${calls.connected} calls held continuously (media + signalling while held + conversion)`,
      `verdict: ${passed ? 'PASS' : 'FAIL'}: ${calls.connected} concurrent recorded calls against the target of ${TARGET}`,
    ].join('\n'),
  );
  if (!passed) process.exitCode = 1;
} finally {
  await pbx.close();
  await stopAll();
  vendorTmp.cleanup();
  scenarioTmp.cleanup();
}
