// Whole calls through the running appliance (supervisor, sip-core,
// call-control, rtpengine) with a test licence for profile L: sipp callers
// authenticate (407), call-control routes, anchors media in rtpengine and
// writes CDRs. Measures call set-up rate (answer and hang up at once) and
// concurrent calls held open with real G.711 speech, and the CPU each
// process spent. Needs a build (npm run build) for the appliance's CLI.
// Run: node bench/calls/run.mjs --entry calls [--rate 100] [--calls 1000] [--concurrent 200] [--hold 15000]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { udpDrops } from './proc-stats';
import { freePort, randomPortRange } from '../../test/helpers/ports';
import { tempDir } from '../../test/helpers/tmp';
import { stopAll } from '../../test/helpers/processes';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, type Pbx, type SippRun } from '../../test/integration/call-control/pbx';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const RATE = Number(args.get('rate') ?? 100);
const CALLS = Number(args.get('calls') ?? 1000);
const CONCURRENT = Number(args.get('concurrent') ?? 200);
const HOLD_MS = Number(args.get('hold') ?? 15000);
const SIPP_BUFFERS = ['-buff_size', '4194304'];

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, fields 14 and 15
}

async function pids(pbx: Pbx): Promise<Record<string, number>> {
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; pid: number }>;
  return { ...Object.fromEntries(procs.filter((p) => ['sip-core', 'call-control', 'rtpengine'].includes(p.name)).map((p) => [p.name, p.pid])), supervisor: pbx.app.supervisor!.pid };
}

/** CPU (% of one core) each process used while `work` ran. */
async function measure<T>(pbx: Pbx, work: () => Promise<T>): Promise<{ result: T; seconds: number; cpuPercent: Record<string, number>; drops: Record<string, number> }> {
  const p = await pids(pbx);
  const before = Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, cpuTicks(pid)]));
  const drops0 = Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, udpDrops(pid)]));
  const t0 = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuPercent = Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, Math.round(((cpuTicks(pid) - before[n]!) / 100 / seconds) * 1000) / 10]));
  const drops = Object.fromEntries(Object.entries(p).map(([n, pid]) => [n, udpDrops(pid) - drops0[n]!]));
  return { result, seconds: Math.round(seconds * 100) / 100, cpuPercent, drops } as const;
}

function sippCounts(s: SippRun): { successful: number; failed: number } {
  const grab = (label: string) => Number([...s.output().matchAll(new RegExp(`${label}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`, 'g'))].pop()?.[1] ?? 0);
  return { successful: grab('Successful call'), failed: grab('Failed call') };
}

const vendorTmp = tempDir('korobka-bench-vendor-');
const vendorDir = vendorTmp.dir;
const publicKey = await vendorKey(vendorDir);
// Four media ports per call (RTP + RTCP on each side): room for profile L's 256 calls.
const mediaPorts = randomPortRange(Math.max(4000, CONCURRENT * 8));
const rtpengine = { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort: await freePort(), portMin: mediaPorts.min, portMax: mediaPorts.max, dtmfLogPort: await freePort() };
const pbx = await startPbx('calls-bench', ['201', '202'], { logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn', rtpengine, license: { developmentKeyFiles: [publicKey] } }, (app) => installTestLicence(app, vendorDir, 'L'));
try {
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const licence = (await pbx.health()).licence;

  // 1. Set-up rate: answered and hung up at once, media anchored for each.
  const uas1 = await startCallee(uasScenario('answer'), CALLS, SIPP_BUFFERS);
  await registerPhone(pbx, '202', uas1.port);
  const setup = await measure(pbx, async () => {
    const uac = await startCaller(pbx, uacScenario('bench-setup', { answer: true }), '201', '202', { calls: CALLS, rate: RATE, limit: Math.max(50, RATE * 2), holdMs: 0, extra: SIPP_BUFFERS });
    await uac.exited;
    return { ...sippCounts(uac), ng: (await pbx.health()).ng };
  });
  await uas1.stop('SIGTERM', 2000);

  // 2. Concurrent calls held open with speech (sipp's g711a.pcap both ways at the start of each call).
  const uas2 = await startCallee(uasScenario('answer-play'), CONCURRENT, SIPP_BUFFERS);
  await registerPhone(pbx, '202', uas2.port);
  let peak = 0;
  const held = await measure(pbx, async () => {
    const uac = await startCaller(pbx, uacScenario('bench-held', { answer: true, play: true }), '201', '202', { calls: CONCURRENT, rate: 50, holdMs: HOLD_MS, extra: SIPP_BUFFERS });
    const poll = setInterval(() => void pbx.health().then((h) => (peak = Math.max(peak, h.activeCalls)), () => undefined), 1000);
    await uac.exited;
    clearInterval(poll);
    return sippCounts(uac);
  });
  await uas2.stop('SIGTERM', 2000);

  const cdrs: ReturnType<Pbx['store']['cdrs']['list']> = [];
  for (let page = 0; ; page++) {
    const rows = pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 1000, offset: page * 1000 });
    cdrs.push(...rows);
    if (rows.length < 1000) break;
  }
  console.log(
    JSON.stringify({
      machine,
      licence,
      setup: { calls: CALLS, offeredRate: RATE, ...setup.result, seconds: setup.seconds, callsPerSecond: Math.round((setup.result.successful / setup.seconds) * 10) / 10, cpuPercent: setup.cpuPercent, drops: setup.drops },
      held: { calls: CONCURRENT, holdMs: HOLD_MS, ...held.result, peakActiveCallsInHealth: peak, seconds: held.seconds, cpuPercent: held.cpuPercent },
      cdrs: { total: cdrs.length, answered: cdrs.filter((c) => c.disposition === 'answered').length, inProgress: cdrs.filter((c) => c.status === 'in-progress').length, inProgressSample: cdrs.filter((c) => c.status === 'in-progress').slice(0, 3).map((c) => c.callId) },
    }),
  );
} finally {
  await pbx.close();
  await stopAll();
  vendorTmp.cleanup();
}
