// The two reference figures bench/calls compares the PBX against, measured
// in the same run on the same machine:
// - sipp → sipp directly (sipp's built-in uac/uas): what the load generator
//   itself manages, so a shortfall elsewhere is not sipp's;
// - sipp → sip-core → a drachtio-srf B2BUA without media → sipp: the
//   "sip-core-only" figure of bench/sip-core, the ceiling call-control's
//   calls with media are held against.
// Loopback only, free ports, every process bounded and stopped by pid.
import path from 'node:path';
import Srf from 'drachtio-srf';
import { randomBytes } from 'node:crypto';
import { freePort, waitForTcp } from '../../test/helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../test/helpers/processes';
import { CpuSampler, sippCounts } from '../../appliance/selftest/load-stats';

// Still exported from here for the benches that import them from bench/calls (they live in appliance/selftest/ now).
export { CpuSampler, sippCounts };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and createB2BUA
type Loose = any;

export interface LoadResult {
  offeredRate: number;
  calls: number;
  successful: number;
  failed: number;
  seconds: number;
  callsPerSecond: number;
  /** % of one core per process over the run (B2BUA = the drachtio-srf app, here in the bench process). */
  cpuPercent: Record<string, number>;
}

const SIPP_BUFFERS = ['-buff_size', '4194304'];
const out = () => testOutputDir('call-control', 'bench');

async function sipp(name: string, args: string[]): Promise<Started & { port: number }> {
  const port = await freePort();
  const p = startProcess('sipp', [...args, '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', ...SIPP_BUFFERS, '-trace_err', '-error_file', path.join(out(), `${name}-${port}-errors.log`)], {
    logFile: path.join(out(), `${name}-${port}.log`),
    timeoutMs: 180_000,
  });
  return Object.assign(p, { port });
}

/** sipp's uac against `target` at `rate` for `calls` calls, answered and hung up at once; CPU of `others` too. */
async function drive(name: string, target: string, rate: number, calls: number, others: Record<string, number[]>, b2bua: boolean): Promise<LoadResult> {
  const cpu0 = process.cpuUsage();
  const uac = await sipp(name, ['-sn', 'uac', '-r', String(rate), '-m', String(calls), '-l', String(Math.max(100, rate * 4)), '-d', '0', '-timeout', '120s', target]);
  const sampler = new CpuSampler(() => ({ ...others, sipp: [...(others.sipp ?? []), uac.pid] }));
  await uac.exited;
  const { seconds, cpuPercent } = sampler.stop();
  const used = process.cpuUsage(cpu0);
  if (b2bua) cpuPercent.b2bua = Math.round(((used.user + used.system) / 1e6 / seconds) * 1000) / 10;
  const c = sippCounts(uac.output());
  return { offeredRate: rate, calls, ...c, seconds: Math.round(seconds * 100) / 100, callsPerSecond: Math.round((c.successful / seconds) * 10) / 10, cpuPercent };
}

export async function sippToSipp(rate: number, calls: number): Promise<LoadResult> {
  const uas = await sipp('direct-uas', ['-sn', 'uas', '-timeout', '180s']);
  try {
    return await drive('direct-uac', `127.0.0.1:${uas.port}`, rate, calls, { sipp: [uas.pid] }, false);
  } finally {
    await uas.stop();
  }
}

/** sip-core as the appliance runs it (dist/services/sip-core/main.js) with a B2BUA without media in this process. */
export async function sipCoreOnly(rate: number, calls: number): Promise<LoadResult> {
  const sipPort = await freePort();
  const adminPort = await freePort();
  const secret = randomBytes(12).toString('hex');
  const config = { logLevel: 'warn', sip: { listen: [{ transport: 'udp', host: '127.0.0.1', port: sipPort }], maxMessageBytes: 65535 }, drachtio: { host: '127.0.0.1', port: adminPort, secret } };
  const core = startProcess(process.execPath, ['dist/services/sip-core/main.js'], {
    env: { ...process.env, KOROBKA_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    logFile: path.join(out(), `sip-core-${sipPort}.log`),
    timeoutMs: 180_000,
  });
  const uas = await sipp('b2b-uas', ['-sn', 'uas', '-timeout', '180s']);
  const srf: Loose = new Srf();
  try {
    await waitForTcp(adminPort);
    srf.on('error', () => undefined);
    srf.invite(async (req: Loose, res: Loose) => {
      try {
        const { uas: a, uac: b } = await srf.createB2BUA(req, res, `sip:service@127.0.0.1:${uas.port}`, { localSdpB: req.body });
        a.on('destroy', () => b.destroy().catch(() => undefined));
        b.on('destroy', () => a.destroy().catch(() => undefined));
      } catch {
        /* sipp counts it as a failed call */
      }
    });
    await new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
      srf.connect({ host: '127.0.0.1', port: adminPort, secret });
    });
    return await drive('b2b-uac', `127.0.0.1:${sipPort}`, rate, calls, { 'sip-core': [core.pid], sipp: [uas.pid] }, true);
  } finally {
    try {
      srf.disconnect();
    } catch {
      /* never connected */
    }
    await uas.stop();
    await core.stop();
  }
}
