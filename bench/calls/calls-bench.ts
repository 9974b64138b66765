// Whole calls through the running appliance (supervisor, sip-core,
// call-control, rtpengine in userspace) against the references measured in
// the same run (sip-core-only.ts): sipp → sipp, and sip-core with a B2BUA
// without media. Korobka issue 4's targets on the 2-core test machine:
// 200 calls/s set-up with media anchored in rtpengine, 500 concurrent G.711
// calls with media relayed in userspace, no call dropped.
//  1. set-up rate: authenticated INVITE (407 first), media anchored, answered
//     and hung up at once, CDR written; CPU per process, ng round trips,
//     UDP drops, CDR commits, call-control's event-loop delay;
//  2. concurrent: N calls held with speech both ways for the whole hold,
//     split over several sipp pairs; every call must be answered and ended by
//     the caller's BYE, and rtpengine must count each side's packets over a
//     window while all calls are up.
// Needs a build (node scripts/build.mjs).
// Run: node bench/calls/run.mjs --entry calls [--rate 200] [--calls 2000] [--concurrent 500] [--hold 30000] [--pairs 4] [--held-rate 50] [--rtp stream|pcap]
import os from 'node:os';
import { createNgClient } from '../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../services/common/logger';
import { freePort, randomPortRange } from '../../test/helpers/ports';
import { tempDir } from '../../test/helpers/tmp';
import { stopAll } from '../../test/helpers/processes';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, type Pbx } from '../../test/integration/call-control/pbx';
import { heldCalls, type HeldResult } from './held-calls';
import { udpDrops } from '../../appliance/selftest/proc-stats';
import { CpuSampler, sippCounts } from '../../appliance/selftest/load-stats';
import { sipCoreOnly, sippToSipp, type LoadResult } from './sip-core-only';
import { report } from './calls-report';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const int = (name: string, dflt: number, max: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${name} must be an integer in [1, ${max}]`);
  return v;
};
const RATE = int('rate', 200, 1000);
const CALLS = int('calls', 2000, 20_000);
const CONCURRENT = int('concurrent', 500, 2000);
// sipp's global -timeout (60 s, test/integration/call-control/pbx.ts) bounds ramp-up + hold.
const HOLD_MS = int('hold', 30_000, 45_000);
const HELD_RATE = int('held-rate', 50, 500);
// One sipp plays RTP with a thread per call; a few processes share the 1,000 streams.
const PAIRS = int('pairs', Math.max(1, Math.ceil(CONCURRENT / 125)), 16);
const RTP = args.get('rtp') ?? 'stream';
if (RTP !== 'stream' && RTP !== 'pcap') throw new Error('--rtp must be stream or pcap');
const SIPP_BUFFERS = ['-buff_size', '4194304'];
const MEASURED = ['call-control', 'sip-core', 'rtpengine'] as const;

async function pids(pbx: Pbx): Promise<Record<string, number>> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number }>;
  const found = Object.fromEntries(procs.filter((p) => (MEASURED as readonly string[]).includes(p.name)).map((p) => [p.name, p.pid]));
  const missing = MEASURED.filter((n) => found[n] === undefined);
  if (missing.length) throw new Error(`bench/calls: no pid in /api/health for ${missing.join(', ')}`);
  return { ...found, supervisor: pbx.app.supervisor!.pid };
}

/** call-control's own view of the run: its health as the supervisor last saw it. */
async function callControlView(pbx: Pbx) {
  const h = await pbx.health();
  return { ng: h.ng, cdrWrites: h.cdrWrites, eventLoopDelayMs: h.eventLoopDelayMs, calls: h.calls };
}

async function setupRate(pbx: Pbx, p: Record<string, number>): Promise<LoadResult & { udpDrops: Record<string, number>; callControl: unknown }> {
  const drops0 = Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, udpDrops(pid)]));
  const uas = await startCallee(uasScenario('answer'), CALLS, SIPP_BUFFERS);
  await registerPhone(pbx, '202', uas.port);
  const uac = await startCaller(pbx, uacScenario('bench-setup', { answer: true }), '201', '202', { calls: CALLS, rate: RATE, limit: Math.max(100, RATE * 2), holdMs: 0, extra: SIPP_BUFFERS });
  const sampler = new CpuSampler(() => ({ ...Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, [pid]])), sipp: [uac.pid, uas.pid] }));
  await uac.exited;
  const { seconds, cpuPercent } = sampler.stop();
  await uas.stop('SIGTERM', 2000);
  // Health reaches the supervisor every few seconds; a fresh one carries the run's counters.
  await new Promise((r) => setTimeout(r, 3000));
  const c = sippCounts(uac.output());
  return {
    offeredRate: RATE,
    calls: CALLS,
    ...c,
    seconds: Math.round(seconds * 100) / 100,
    callsPerSecond: Math.round((c.successful / seconds) * 10) / 10,
    cpuPercent,
    udpDrops: Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, udpDrops(pid) - drops0[n]!])),
    callControl: await callControlView(pbx),
  };
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100) };
process.stderr.write(`[bench/calls] sipp → sipp and sip-core only at ${RATE}/s …\n`);
const direct = await sippToSipp(RATE, CALLS);
const sipCore = await sipCoreOnly(RATE, CALLS);

const vendorTmp = tempDir('korobka-bench-vendor-');
const scenarioTmp = tempDir('korobka-calls-bench-');
const publicKey = await vendorKey(vendorTmp.dir);
// Four media ports per call (RTP + RTCP each side), twice over for calls still being torn down.
const mediaPorts = randomPortRange(Math.max(4000, CONCURRENT * 8));
const ngPort = await freePort();
const rtpengine = { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort, portMin: mediaPorts.min, portMax: mediaPorts.max, dtmfLogPort: await freePort() };
const callees = Array.from({ length: PAIRS }, (_, i) => String(202 + i));
// Profile L allows 256 concurrent calls (licensing/profiles.ts); above that the licence, not the machine, would refuse calls.
const profile = CONCURRENT <= 256 ? 'L' : 'XL';
const pbx = await startPbx('calls-bench', ['201', ...callees], { logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn', rtpengine, license: { developmentKeyFiles: [publicKey] } }, (app) => installTestLicence(app, vendorTmp.dir, profile));
const ng = await createNgClient({ host: '127.0.0.1', port: ngPort, log: createLogger({ level: 'error', sink: () => undefined }) });
try {
  const p = await pids(pbx);
  process.stderr.write(`[bench/calls] set-up with media at ${RATE}/s …\n`);
  const setup = await setupRate(pbx, p);
  process.stderr.write(`[bench/calls] ${CONCURRENT} calls held ${HOLD_MS} ms over ${PAIRS} sipp pairs …\n`);
  const held: HeldResult = await heldCalls({ pbx, pids: p, media: new RtpengineMedia({ ng, log: createLogger({ level: 'error', sink: () => undefined }) }), callees, concurrent: CONCURRENT, holdMs: HOLD_MS, rate: HELD_RATE, dir: scenarioTmp.dir, sippBuffers: SIPP_BUFFERS, rtp: RTP });
  const r = report({ machine, licenceProfile: profile, direct, sipCore, setup, held });
  console.log(JSON.stringify(r.json));
  console.log(r.text);
  if (!r.passed) process.exitCode = 1;
} finally {
  ng.close();
  await pbx.close();
  await stopAll();
  vendorTmp.cleanup();
  scenarioTmp.cleanup();
}
