// The whole recordings pipeline against a real rtpengine 10.5: two UDP
// endpoints of this test talk PCMA/PCMU through it, rtpengine records the call
// as pcap, the pipeline turns the capture into an encrypted Opus file, and
// the decrypted audio is checked for length and for which tone is on which side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, randomPortRange } from '../../helpers/ports';
import { startProcess, stopAll, testOutputDir, type Started } from '../../helpers/processes';
import { createLogger } from '../../../services/common/logger';
import { encodeG711, type G711Law } from '../../../services/recordings/g711';
import { encodeRecordingMetadata, openKeyring, RecordingPipeline, Vault, type RecordingIndexRecord } from '../../../services/recordings/index';
import { MemoryRecordingRepository } from '../../recordings/memory-recording-repository';
import { channel, decodeAudio } from '../../recordings/call-builder';
import { goertzel, rtpPacket, tone } from '../../recordings/pcap-builder';

type NgResponse = Record<string, unknown> & { result: string; sdp?: string; 'error-reason'?: string };
type NgCall = (port: number, host: string, opts?: Record<string, unknown>) => Promise<NgResponse>;
interface NgClient {
  ping: NgCall;
  offer: NgCall;
  answer: NgCall;
  startRecording: NgCall;
  stopRecording: NgCall;
  delete: NgCall;
  query: NgCall;
  socket: dgram.Socket;
  on(event: 'error', listener: (e: Error) => void): void;
}
// rtpengine-client is CommonJS without type declarations.
const require = createRequire(import.meta.url);
const { Client } = require('rtpengine-client') as { Client: new (opts: { localAddress: string; timeout: number }) => NgClient };

const PACKETS = 150; // 3 s of 20 ms packets

interface Engine {
  proc: Started;
  ngPort: number;
  spool: string;
}

let ng: NgClient;
let root: string;
let engine: Engine;

async function untilTrue(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh rtpengine with its own spool directory, ready when it answers ping. */
async function startEngine(name: string): Promise<Engine> {
  const spool = path.join(root, `spool-${name}`);
  mkdirSync(spool);
  const ngPort = await freePort();
  const range = randomPortRange(200);
  const proc = startProcess(
    'rtpengine',
    [
      ...['--config-file=none', '--foreground', '--log-stderr', '--table=-1', '--interface=127.0.0.1'],
      `--listen-ng=127.0.0.1:${ngPort}`,
      `--port-min=${range.min}`,
      `--port-max=${range.max}`,
      `--recording-dir=${spool}`,
      '--recording-method=pcap',
      '--delete-delay=0',
    ],
    { logFile: path.join(testOutputDir('recordings'), `rtpengine-${name}.log`), timeoutMs: 110_000 },
  );
  await untilTrue('rtpengine to answer ping', async () => {
    try {
      return (await ng.ping(ngPort, '127.0.0.1')).result === 'pong';
    } catch {
      return false;
    }
  });
  return { proc, ngPort, spool };
}

const udpSocket = () =>
  new Promise<dgram.Socket>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

const sdp = (port: number) =>
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
  `m=audio ${port} RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n`;

const mediaPort = (s: string | undefined) => Number(/^m=audio (\d+)/m.exec(s ?? '')?.[1]);

function ok(r: NgResponse, what: string): NgResponse {
  if (r.result !== 'ok') throw new Error(`${what}: ${r.result} ${r['error-reason'] ?? ''}`);
  return r;
}

/** Sends PACKETS packets of a tone from `sock` to `port`, paced at 20 ms on an absolute schedule. */
async function sendTone(sock: dgram.Socket, port: number, freq: number, law: G711Law, ssrc: number, drop: (i: number) => boolean) {
  const t0 = Date.now();
  for (let i = 0; i < PACKETS; i++) {
    const wait = t0 + i * 20 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (drop(i)) continue;
    const payload = encodeG711(law, tone(freq, 160, i * 160));
    const pkt = rtpPacket({ payloadType: law === 'alaw' ? 8 : 0, sequence: 4000 + i, timestamp: 90_000 + i * 160, ssrc, payload, marker: i === 0 });
    await new Promise<void>((resolve, reject) => sock.send(pkt, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
}

/**
 * One recorded call: A (caller) sends 440 Hz PCMA, B (callee) 880 Hz PCMU.
 * `recordAtOffer` turns recording on in the offer (rtpengine then logs the
 * SDPs, which the pipeline maps to channels); otherwise `start recording`
 * after the answer carries our metadata with the explicit channel map.
 */
async function recordCall(e: Engine, callId: string, recordAtOffer: boolean, dropA: (i: number) => boolean, hangUp = true) {
  const { ngPort } = e;
  const a = await udpSocket();
  const b = await udpSocket();
  try {
    const common = { 'call-id': callId, 'from-tag': 'caller', replace: ['origin', 'session-connection'], ICE: 'remove' };
    const metaBase = { recordingId: callId, tenantId: 'bank', cdrId: `cdr-${callId}`, caller: '+74951234567', callee: '204' };
    const offer = ok(
      await ng.offer(ngPort, '127.0.0.1', {
        ...common,
        sdp: sdp(a.address().port),
        ...(recordAtOffer ? { 'record call': 'yes', metadata: encodeRecordingMetadata(metaBase) } : {}),
      }),
      'offer',
    );
    const answer = ok(await ng.answer(ngPort, '127.0.0.1', { ...common, 'to-tag': 'callee', sdp: sdp(b.address().port) }), 'answer');
    const toRtpengineFromA = mediaPort(answer.sdp); // the answer went back to A: A sends there
    const toRtpengineFromB = mediaPort(offer.sdp);
    if (!recordAtOffer) {
      const channels = { left: [`127.0.0.1:${toRtpengineFromA}`], right: [`127.0.0.1:${toRtpengineFromB}`] };
      ok(await ng.startRecording(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller', metadata: encodeRecordingMetadata({ ...metaBase, channels }) }), 'start recording');
    }
    await Promise.all([
      sendTone(a, toRtpengineFromA, 440, 'alaw', 0xa1a1a1a1, dropA),
      sendTone(b, toRtpengineFromB, 880, 'ulaw', 0xb2b2b2b2, () => false),
    ]);
    if (!hangUp) return;
    if (!recordAtOffer) ok(await ng.stopRecording(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller' }), 'stop recording');
    ok(await ng.delete(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller' }), 'delete');
  } finally {
    a.close();
    b.close();
  }
  // rtpengine moves the metadata file from tmp/ to metadata/ when the call is over.
  await untilTrue('the finished capture', () => readdirSync(path.join(e.spool, 'metadata')).some((n) => n.includes(callId)));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

interface Stored {
  rec: RecordingIndexRecord;
  /** Per-channel packet statistics the pipeline logged. */
  channels: Array<{ packets: number; lost: number; duplicates: number }>;
}

interface CheckOptions {
  spoolOptions?: Parameters<RecordingPipeline['processSpool']>[1];
  /** Allowed distance of the stored duration from the 3 s sent. */
  durationToleranceMs?: number;
  /** Minimum power ratio of a side's own tone over the other side's (default 100, i.e. 20 dB). */
  minSeparation?: number;
}

async function convertAndCheck(e: Engine, callId: string, opts: CheckOptions = {}): Promise<Stored> {
  const { spool } = e;
  const tolerance = opts.durationToleranceMs ?? 100;
  const dataDir = path.join(root, `data-${callId}`);
  const repo = new MemoryRecordingRepository();
  const vault = new Vault(openKeyring({ dataDir }));
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) });
  const pipeline = new RecordingPipeline({ dataDir, vault, repo, log, format: 'opus' });
  const res = await pipeline.processSpool(spool, opts.spoolOptions);
  expect(res.failed).toEqual([]);
  expect(res.stored).toHaveLength(1);
  const rec = res.stored[0] as RecordingIndexRecord;
  expect(rec).toMatchObject({ recordingId: callId, tenantId: 'bank', cdrId: `cdr-${callId}`, codec: 'opus', mediaType: 'audio/ogg' });
  expect(rec.durationMs).toBeLessThanOrEqual(3000 + 100);
  expect(3000 - rec.durationMs).toBeLessThanOrEqual(tolerance);

  // Nothing plain remains: the spool is empty, the data directory holds keys and the vault file only.
  expect(listFiles(spool)).toEqual([]);
  expect(listFiles(dataDir).sort()).toEqual([path.join('keys', 'master.key'), path.join('keys', 'tenants', 'bank.json'), path.join('recordings', rec.path)]);

  // Decrypt in memory and decode through ffmpeg's stdin: no plain copy on disk, even here.
  const plain = await vault.decryptRange(path.join(dataDir, 'recordings', rec.path), 0, rec.plainBytes);
  expect(plain.subarray(0, 4).toString()).toBe('OggS');
  const pcm = decodeAudio(plain);
  const frames = pcm.length / 2;
  expect(Math.abs(frames / 8 - rec.durationMs)).toBeLessThanOrEqual(100);
  const left = channel(pcm, 0, 400, frames - 400);
  const right = channel(pcm, 1, 400, frames - 400);
  const min = opts.minSeparation ?? 100;
  expect(goertzel(left, 440)).toBeGreaterThan(min * goertzel(left, 880));
  expect(goertzel(right, 880)).toBeGreaterThan(min * goertzel(right, 440));
  expect(await pipeline.verifyStore()).toEqual([]);
  const stored = lines.map((l) => JSON.parse(l) as { msg: string; stats?: { channels: Stored['channels'] } }).find((l) => l.msg === 'recording stored');
  return { rec, channels: stored?.stats?.channels ?? [] };
}

describe('recording a real rtpengine call', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'rec-int-'));
    ng = new Client({ localAddress: '127.0.0.1', timeout: 1000 });
    // Late answers to timed-out pings are emitted as 'error'; without a listener they would throw.
    ng.on('error', () => undefined);
    engine = await startEngine('main');
  });

  afterAll(async () => {
    ng?.socket.close();
    await stopAll();
  });

  it('start/stop recording → encrypted Opus: true duration, caller left at 440 Hz, callee right at 880 Hz', async () => {
    const callId = `rec-int-1-${process.pid}`;
    await recordCall(engine, callId, false, () => false);
    const { rec, channels } = await convertAndCheck(engine, callId);
    expect(rec.channelSource).toBe('metadata');
    expect(channels.map((c) => [c.packets, c.lost])).toEqual([
      [PACKETS, 0],
      [PACKETS, 0],
    ]);
  });

  it('keeps the true duration with 10 % of the caller packets lost (channels from rtpengine SDPs)', async () => {
    const callId = `rec-int-2-${process.pid}`;
    await recordCall(engine, callId, true, (i) => i % 10 === 4);
    // A tone cut by loss against a steady tone is libopus' worst case for
    // cross-talk (−17 dB measured at complexity 5); speech does far better.
    const { rec, channels } = await convertAndCheck(engine, callId, { minSeparation: 20 });
    expect(rec.channelSource).toBe('sdp');
    expect(channels.map((c) => [c.packets, c.lost])).toEqual([
      [PACKETS - 15, 15],
      [PACKETS, 0],
    ]);
  });

  it('picks up the cut pcap of an rtpengine killed mid-call on the next run', async () => {
    const crashing = await startEngine('crash');
    const callId = `rec-int-3-${process.pid}`;
    await recordCall(crashing, callId, true, () => false, false);
    await crashing.proc.stop('SIGKILL');
    // The call never ended: its metadata stays in tmp/ without our metadata string.
    expect(readdirSync(path.join(crashing.spool, 'metadata'))).toEqual([]);
    expect(readdirSync(path.join(crashing.spool, 'tmp'))).toHaveLength(1);
    const isCallLive = async (id: string) => {
      try {
        return (await ng.query(crashing.ngPort, '127.0.0.1', { 'call-id': id })).result === 'ok';
      } catch {
        return false; // no answer: that rtpengine is gone
      }
    };
    const { rec } = await convertAndCheck(crashing, callId, {
      // stdio buffering in the dead rtpengine lost the last few KiB of packets
      durationToleranceMs: 600,
      spoolOptions: {
        orphanIdleMs: 0,
        isCallLive,
        metaForCall: (id) => (id === callId ? { recordingId: callId, tenantId: 'bank', cdrId: `cdr-${callId}` } : undefined),
      },
    });
    expect(rec.channelSource).toBe('sdp');
  });
});
