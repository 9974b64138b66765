// The private copy `korobka selftest` loads: this release's own sip-core and
// the box's rtpengine, started with the supervisor's own command lines
// (processSpecs) from the running config, but on loopback and free ports,
// with a data directory of their own; and in this process a drachtio-srf
// B2BUA that anchors every call's media in that rtpengine (offer, answer,
// delete: what call-control asks of it per call). The box's own processes,
// calls and licence are not touched: a load test must neither take the
// licensed call slots of real calls nor be capped by them.
import Srf from 'drachtio-srf';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createNgClient, RtpengineMedia, type NgClient } from '../../services/call-control';
import { createLogger } from '../../services/common/logger';
import type { Config } from '../config/schema';
import { processSpecs } from '../supervisor/specs';
import { freePort, waitForTcp } from './loopback-ports';
import { startProcess, type Started } from './processes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and createB2BUA
type Loose = any;

export interface B2buaCounters {
  invites: number;
  answered: number;
  failed: number;
}

export interface PrivateStack {
  sipPort: number;
  media: RtpengineMedia;
  pids: { 'sip-core': number; rtpengine: number };
  counters: B2buaCounters;
  /** Calls up now (A-leg Call-IDs: rtpengine's call ids). */
  active: Set<string>;
  /** Where answered calls go: the callee's sipp port. */
  setCallee(port: number): void;
  stop(): Promise<void>;
}

/** An rtpengine port range of `size` on 20000–60000 that does not overlap the box's own. */
export function privateMediaRange(own: { portMin: number; portMax: number }, size: number): { min: number; max: number } {
  for (let i = 0; i < 100; i++) {
    const min = 20000 + 2 * Math.floor(Math.random() * ((40000 - size) / 2));
    const max = min + size - 1;
    if (max < own.portMin || min > own.portMax) return { min, max };
  }
  throw new Error(`no room for ${size} media ports beside the appliance's own ${own.portMin}–${own.portMax}`);
}

export async function startPrivateStack(config: Readonly<Config>, distDir: string, workDir: string, mediaPorts: number): Promise<PrivateStack> {
  const sipPort = await freePort();
  let drachtioPort = await freePort();
  while (drachtioPort === sipPort) drachtioPort = await freePort();
  const ngPort = await freePort();
  const dtmfLogPort = await freePort();
  const range = privateMediaRange(config.rtpengine, mediaPorts);
  const secret = randomBytes(16).toString('hex');
  const mine: Config = {
    ...config,
    dataDir: workDir,
    logLevel: 'warn',
    sip: { ...config.sip, listen: [{ transport: 'udp', host: '127.0.0.1', port: sipPort }] },
    drachtio: { ...config.drachtio, host: '127.0.0.1', port: drachtioPort, secret, external: false },
    rtpengine: { ...config.rtpengine, enabled: true, interface: '127.0.0.1', advertisedAddress: '', ngHost: '127.0.0.1', ngPort, portMin: range.min, portMax: range.max, dtmfLogPort },
  };
  // rtpengine refuses to start without its spool directory (nothing is recorded here).
  mkdirSync(path.join(workDir, 'recordings', 'spool'), { recursive: true });
  const specs = processSpecs(mine, distDir).filter((s) => s.name === 'rtpengine' || s.name === 'sip-core');
  const started: Started[] = [];
  const log = createLogger({ level: 'error', sink: () => undefined });
  let ng: NgClient | undefined;
  const srf: Loose = new Srf();
  const stop = async () => {
    try {
      srf.disconnect();
    } catch {
      /* never connected */
    }
    ng?.close();
    await Promise.all(started.map((p) => p.stop('SIGTERM', 5000)));
  };
  try {
    for (const s of specs) started.push(startProcess(s.command, s.args, { env: { ...process.env, ...s.env }, logFile: path.join(workDir, `${s.name}.log`), timeoutMs: 30 * 60_000 }));
    const [rtp, core] = [started[specs.findIndex((s) => s.name === 'rtpengine')], started[specs.findIndex((s) => s.name === 'sip-core')]];
    if (!rtp || !core) throw new Error('the config runs no rtpengine or no sip-core here');
    ng = await createNgClient({ host: '127.0.0.1', port: ngPort, timeoutMs: 2000, log });
    await waitForPong(ng, rtp);
    await waitForTcp(drachtioPort, '127.0.0.1', 30_000).catch(() => {
      throw new Error(`sip-core did not start: ${core.output().slice(-500)}`);
    });
    const media = new RtpengineMedia({ ng, log });
    const counters: B2buaCounters = { invites: 0, answered: 0, failed: 0 };
    const active = new Set<string>();
    let callee = 0;
    srf.on('error', () => undefined);
    srf.invite((req: Loose, res: Loose) => void bridge(srf, media, req, res, callee, counters, active));
    await new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
      srf.connect({ host: '127.0.0.1', port: drachtioPort, secret });
    });
    return { sipPort, media, pids: { rtpengine: rtp.pid, 'sip-core': core.pid }, counters, active, setCallee: (p) => (callee = p), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForPong(ng: NgClient, rtp: Started): Promise<void> {
  for (const end = Date.now() + 30_000; Date.now() < end; ) {
    if (rtp.child.exitCode !== null) break;
    try {
      if ((await ng.command('ping', {})).result === 'pong') return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`rtpengine did not answer ping: ${rtp.output().slice(-500)}`);
}

/** One call: A's offer anchored in rtpengine, sent on to the callee, its answer anchored back; ended from either side. */
async function bridge(srf: Loose, media: RtpengineMedia, req: Loose, res: Loose, callee: number, counters: B2buaCounters, active: Set<string>): Promise<void> {
  counters.invites++;
  const callId = String(req.get('Call-ID'));
  const fromTag = String(req.getParsedHeader('From').params.tag);
  try {
    const offer = await media.offer({ callId, fromTag, sdp: String(req.body) });
    const { uas, uac } = await srf.createB2BUA(req, res, `sip:callee@127.0.0.1:${callee}`, {
      localSdpB: offer.sdp,
      localSdpA: async (sdpB: string, uacRes: Loose) => (await media.answer({ callId, fromTag, toTag: String(uacRes.getParsedHeader('To').params.tag), sdp: sdpB })).sdp,
    });
    counters.answered++;
    active.add(callId);
    const end = (other: Loose) => {
      other.destroy().catch(() => undefined);
      if (active.delete(callId)) media.delete(callId).catch(() => undefined);
    };
    uas.on('destroy', () => end(uac));
    uac.on('destroy', () => end(uas));
  } catch {
    counters.failed++;
    media.delete(callId).catch(() => undefined);
  }
}
