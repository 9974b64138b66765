// Media-plane capacity on this machine: rtpengine CPU per concurrent call,
// relayed G.711 (as call-control asks, and with inject-DTMF for comparison),
// and G.711↔G.729 transcoded, driven through RtpengineMedia;
// plus ng round trips for call set-up (offer + answer + delete).
// Run: node bench/calls/run.mjs [--calls 50] [--seconds 10]
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { RtpengineMedia } from '../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../services/common/logger';
import { startRtpengine } from '../../test/integration/call-control/rtpengine-process';
import { mediaTarget, tone } from '../../test/integration/call-control/rtp-endpoint';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const CALLS = Number(args.get('calls') ?? 50);
const SECONDS = Number(args.get('seconds') ?? 10);
const SETUPS = Number(args.get('setups') ?? 500);

interface Leg {
  sock: dgram.Socket;
  port: number;
  target?: { host: string; port: number };
  pt: number;
  received: number;
  seq: number;
}

async function leg(pt: number): Promise<Leg> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const l: Leg = { sock, port: sock.address().port, pt, received: 0, seq: 0 };
  sock.on('message', () => l.received++);
  return l;
}

const sdp = (port: number, pts: Array<[number, string]>) =>
  ['v=0', `o=- ${port} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP ${pts.map((p) => p[0]).join(' ')}`, ...pts.map(([pt, n]) => `a=rtpmap:${pt} ${n}/8000`), 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, fields 14 and 15
}

/** relay-inject-dtmf: the same relay with `inject-DTMF` (call-control's default until it turned out to route every packet through rtpengine's codec engine). */
async function run(mode: 'relay' | 'relay-inject-dtmf' | 'transcode', media: RtpengineMedia, pid: number) {
  const inject = mode === 'relay-inject-dtmf';
  const calls: Array<{ id: string; a: Leg; b: Leg }> = [];
  for (let i = 0; i < CALLS; i++) {
    const id = `bench-${randomUUID()}`;
    const a = await leg(8);
    const b = await leg(mode === 'transcode' ? 18 : 8);
    const offer = await media.offer({ callId: id, fromTag: 'A', sdp: sdp(a.port, [[8, 'PCMA']]), dtmfInjection: inject, ...(mode === 'transcode' ? { codecs: { transcode: ['G729'] } } : {}) });
    const answer = await media.answer({ callId: id, fromTag: 'A', toTag: 'B', dtmfInjection: inject, sdp: sdp(b.port, mode === 'transcode' ? [[18, 'G729']] : [[8, 'PCMA']]) });
    a.target = mediaTarget(answer.sdp);
    b.target = mediaTarget(offer.sdp);
    calls.push({ id, a, b });
  }
  const payloadA = tone(0, 440, 'pcma');
  const payloadB = mode === 'transcode' ? Buffer.alloc(20, 0x55) : tone(0, 880, 'pcma');
  const send = (l: Leg, body: Buffer) => {
    const head = Buffer.alloc(12);
    head[0] = 0x80;
    head[1] = l.pt;
    head.writeUInt16BE(l.seq & 0xffff, 2);
    head.writeUInt32BE((l.seq * 160) >>> 0, 4);
    head.writeUInt32BE(l.port, 8);
    l.seq++;
    l.sock.send(Buffer.concat([head, body]), l.target!.port, l.target!.host);
  };
  const ticks = Math.round((SECONDS * 1000) / 20);
  const cpu0 = cpuTicks(pid);
  const t0 = process.hrtime.bigint();
  // One 20 ms clock for every leg, as a PBX's phones would send; catch up if the timer slips.
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(ticks, Math.floor(Number(process.hrtime.bigint() - t0) / 20e6) + 1);
      while (sent < due) {
        for (const c of calls) {
          send(c.a, payloadA);
          send(c.b, payloadB);
        }
        sent++;
      }
      if (sent >= ticks) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => setTimeout(r, 300));
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = (cpuTicks(pid) - cpu0) / 100; // USER_HZ = 100 on Linux
  const expected = calls.length * ticks * 2;
  const received = calls.reduce((n, c) => n + c.a.received + c.b.received, 0);
  for (const c of calls) {
    await media.delete(c.id);
    c.a.sock.close();
    c.b.sock.close();
  }
  return {
    mode,
    calls: CALLS,
    seconds: SECONDS,
    packetsPerSecondThroughRtpengine: Math.round((received / wallS) * 10) / 10,
    delivered: Math.round((received / expected) * 10000) / 100,
    rtpengineCpuPercentOfOneCore: Math.round((cpuS / wallS) * 1000) / 10,
    cpuPercentPerCall: Math.round((cpuS / wallS / CALLS) * 10000) / 100,
  };
}

async function setups(media: RtpengineMedia) {
  const a = sdp(40000, [[8, 'PCMA'], [0, 'PCMU']]);
  const b = sdp(40010, [[8, 'PCMA']]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < SETUPS; i++) {
    const id = `setup-${randomUUID()}`;
    await media.offer({ callId: id, fromTag: 'A', sdp: a });
    await media.answer({ callId: id, fromTag: 'A', toTag: 'B', sdp: b });
    await media.delete(id);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { setups: SETUPS, callSetupsPerSecond: Math.round(SETUPS / s), msPerSetup: Math.round((s / SETUPS) * 100000) / 100 };
}

const out = await (async () => {
  const dir = os.tmpdir() + '/korobka-media-bench-' + process.pid;
  const engine = await startRtpengine(dir, ['--log-level=4'], Math.max(200, CALLS * 8 + 100));
  try {
    const media = new RtpengineMedia({ ng: engine.ng, log: createLogger({ level: 'error', sink: () => undefined }) });
    const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30) };
    return { machine, setup: await setups(media), relay: await run('relay', media, engine.process.pid), relayWithDtmfInjection: await run('relay-inject-dtmf', media, engine.process.pid), transcode: await run('transcode', media, engine.process.pid) };
  } finally {
    await engine.stop();
  }
})();
console.log(JSON.stringify(out));
