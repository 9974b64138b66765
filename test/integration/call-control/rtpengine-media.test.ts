// RtpengineMedia against a real rtpengine (Debian's daemon, userspace) with
// two UDP sockets of this test as the phones. Every assertion is on packets
// that crossed rtpengine or on rtpengine's own counters.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { freePort } from '../../helpers/ports';
import { testOutputDir } from '../../helpers/processes';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';
import { mediaTarget, payloadTypes, RtpEndpoint, tone, waitUntil, wavTone } from './rtp-endpoint';

const PCMU: [number, string] = [0, 'PCMU'];
const PCMA: [number, string] = [8, 'PCMA'];
const G729: [number, string] = [18, 'G729'];
const DTMF: [number, string] = [101, 'telephone-event'];

let rtpengine: RunningRtpengine;
let media: RtpengineMedia;
let outDir: string;
const endpoints: RtpEndpoint[] = [];
const calls: string[] = [];

beforeAll(async () => {
  outDir = testOutputDir('call-control', `rtpengine-media-${process.pid}`);
  rtpengine = await startRtpengine(outDir);
  media = new RtpengineMedia({ ng: rtpengine.ng, log: createLogger({ level: 'warn', sink: () => undefined }) });
});

afterEach(async () => {
  for (const e of endpoints.splice(0)) e.close();
  for (const id of calls.splice(0)) await media.delete(id).catch(() => undefined);
});

afterAll(async () => {
  await rtpengine?.stop();
});

async function twoPhones(): Promise<[RtpEndpoint, RtpEndpoint]> {
  const a = await RtpEndpoint.open();
  const b = await RtpEndpoint.open();
  endpoints.push(a, b);
  return [a, b];
}

function newCall(): string {
  const id = `cc-test-${randomUUID()}`;
  calls.push(id);
  return id;
}

/** Offer from A, answer from B; returns where each phone must send. */
async function connect(a: RtpEndpoint, b: RtpEndpoint, callId: string, aCodecs: Array<[number, string]>, bCodecs: Array<[number, string]>, dtmfInjection = false) {
  const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp(aCodecs), dtmfInjection });
  const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp(bCodecs), dtmfInjection });
  return { offer, answer, aTarget: mediaTarget(answer.sdp), bTarget: mediaTarget(offer.sdp) };
}

describe('RtpengineMedia against rtpengine', () => {
  it('relays PCMA both ways unchanged, puts G.711 A-law first, and counts packets in query', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const { offer, answer, aTarget, bTarget } = await connect(a, b, callId, [PCMU, PCMA, DTMF], [PCMA, DTMF]);
    expect(payloadTypes(offer.sdp)).toEqual([8, 0, 101]);
    expect(offer.sdp).toMatch(/^c=IN IP4 127\.0\.0\.1\r$/m);
    expect(mediaTarget(offer.sdp).port).not.toBe(a.port);
    expect(payloadTypes(answer.sdp)[0]).toBe(8);

    const [sentByA, sentByB] = await Promise.all([
      a.send(aTarget, 50, 8, (i) => tone(i, 440, 'pcma')),
      b.send(bTarget, 50, 8, (i) => tone(i, 880, 'pcma')),
    ]);
    const delivered = await waitUntil(() => a.count(8) === 50 && b.count(8) === 50);
    expect(delivered, `A got ${a.count()} (${a.count(8)} PCMA), B got ${b.count()} (${b.count(8)} PCMA); rtpengine log: ${rtpengine.process.logFile}`).toBe(true);
    expect(b.received.map((r) => r.payload.toString('hex'))).toEqual(sentByA.map((p) => p.toString('hex')));
    expect(a.received.map((r) => r.payload.toString('hex'))).toEqual(sentByB.map((p) => p.toString('hex')));
    expect(new Set(a.received.map((r) => r.from))).toEqual(new Set([`${aTarget.host}:${aTarget.port}`]));

    const stats = await media.query(callId);
    expect(stats.parties.A?.rtp).toEqual({ packets: 50, bytes: 50 * 172, errors: 0 });
    expect(stats.parties.B?.rtp).toEqual({ packets: 50, bytes: 50 * 172, errors: 0 });
    expect(stats.parties.A?.endpoint).toBe(`127.0.0.1:${a.port}`);
    expect(stats.totals.rtp.packets).toBe(100);

    const final = await media.delete(callId);
    expect(final?.totals.rtp.packets).toBe(100);
    await expect(media.query(callId)).rejects.toMatchObject({ status: 404, code: 'media-call-not-found' });
    expect(await media.delete(callId)).toBeUndefined();
  });

  it('sends media to the SIP source address of a PCMU phone behind NAT, not to its private SDP address', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    // The phone's SDP names its LAN address; only the SIP source (here loopback) reaches it.
    const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp([PCMU], { address: '192.168.77.10' }), sipSourceAddress: '127.0.0.1' });
    const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp([PCMU]) });
    expect(payloadTypes(answer.sdp)).toEqual([0]);
    // A stays silent: what it gets can only come from rtpengine sending to the SIP source.
    await b.send(mediaTarget(offer.sdp), 25, 0, (i) => tone(i, 880, 'pcmu'));
    expect(await waitUntil(() => a.count(0) === 25)).toBe(true);
    expect((await media.query(callId)).parties.A?.endpoint).toBe(`127.0.0.1:${a.port}`);

    // Control: without the NAT flag rtpengine believes the SDP.
    const plain = newCall();
    await media.offer({ callId: plain, fromTag: 'A', sdp: a.sdp([PCMU], { address: '192.168.77.10' }) });
    await media.answer({ callId: plain, fromTag: 'A', toTag: 'B', sdp: b.sdp([PCMU]) });
    expect((await media.query(plain)).parties.A?.endpoint).toBe(`192.168.77.10:${a.port}`);
  });

  it('gives a G.729-only callee G.729 while the caller keeps G.711 (rtpengine transcodes both ways)', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp([PCMA, PCMU, DTMF]), codecs: { transcode: ['G729'] } });
    expect(payloadTypes(offer.sdp)).toContain(18);
    expect(offer.sdp).toContain('a=rtpmap:18 G729/8000');
    const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp([G729, DTMF]) });
    const aPts = payloadTypes(answer.sdp);
    expect(aPts[0]).toBe(8);
    expect(aPts).not.toContain(18);

    await Promise.all([
      a.send(mediaTarget(answer.sdp), 50, 8, (i) => tone(i, 440, 'pcma')),
      // Two 10-byte G.729 frames per 20 ms packet (ITU-T G.729 §3: 80 bits per 10 ms frame).
      b.send(mediaTarget(offer.sdp), 50, 18, () => Buffer.alloc(20, 0x55)),
    ]);
    expect(await waitUntil(() => b.count(18) >= 45 && a.count(8) >= 45)).toBe(true);
    expect(b.received.filter((r) => r.pt === 18).every((r) => r.payload.length === 20)).toBe(true);
    expect(a.received.filter((r) => r.pt === 8).every((r) => r.payload.length === 160)).toBe(true);
    expect(b.count(8) + a.count(18)).toBe(0);
  });

  it('holds: blockMedia stops A → B only, unblockMedia restores it', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const { aTarget, bTarget } = await connect(a, b, callId, [PCMA], [PCMA]);
    await media.blockMedia(callId, 'A');
    await Promise.all([a.send(aTarget, 25, 8, (i) => tone(i, 440, 'pcma')), b.send(bTarget, 25, 8, (i) => tone(i, 880, 'pcma'))]);
    // rtpengine counts A's packets on arrival even when blocked: wait for all of them, then look at B.
    expect(await waitUntil(async () => a.count(8) === 25 && (await media.query(callId)).parties.A?.rtp.packets === 25)).toBe(true);
    expect(b.count()).toBe(0);

    await media.unblockMedia(callId, 'A');
    await a.send(aTarget, 25, 8, (i) => tone(i, 440, 'pcma'));
    expect(await waitUntil(() => b.count(8) === 25)).toBe(true);
  });

  it('mutes: silenceMedia keeps A’s stream flowing to B but as silence', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const { aTarget } = await connect(a, b, callId, [PCMA], [PCMA]);
    await media.silenceMedia(callId, 'A');
    await a.send(aTarget, 25, 8, (i) => tone(i, 440, 'pcma'));
    expect(await waitUntil(() => b.count(8) === 25)).toBe(true);
    // G.711 A-law silence is 0xD5 (ITU-T G.711 Table 1a, zero level, even bits inverted).
    expect(b.received.every((r) => r.payload.every((byte) => byte === 0xd5))).toBe(true);
    await media.unsilenceMedia(callId, 'A');
    const sent = await a.send(aTarget, 25, 8, (i) => tone(i, 440, 'pcma'));
    expect(await waitUntil(() => b.count(8) === 50)).toBe(true);
    expect(b.received.slice(25).map((r) => r.payload.toString('hex'))).toEqual(sent.map((p) => p.toString('hex')));
  });

  it('starts and stops recording mid-call', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const { aTarget, bTarget } = await connect(a, b, callId, [PCMA], [PCMA]);
    await media.startRecording(callId, 'tenant=t1|on-demand=1');
    await Promise.all([a.send(aTarget, 10, 8, (i) => tone(i, 440, 'pcma')), b.send(bTarget, 10, 8, (i) => tone(i, 880, 'pcma'))]);
    expect(await waitUntil(() => a.count(8) === 10 && b.count(8) === 10)).toBe(true);
    await media.stopRecording(callId);
    await media.delete(callId);
    const pcaps = path.join(rtpengine.recordingDir, 'pcaps');
    const mine = () => (existsSync(pcaps) ? readdirSync(pcaps).filter((f) => f.includes(callId)) : []);
    expect(await waitUntil(() => mine().length === 1)).toBe(true);
    expect(statSync(path.join(pcaps, mine()[0]!)).size).toBe(24 + 20 * (16 + 20 + 8 + 172));
  });

  it('plays a prompt to one party in its codec', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    await connect(a, b, callId, [PCMU, PCMA], [PCMA]);
    const file = path.join(outDir, 'prompt.wav');
    writeFileSync(file, wavTone(1, 1000));
    const played = await media.playMedia(callId, 'A', file);
    expect(played.durationMs).toBe(1000);
    expect(await waitUntil(() => a.count(8) >= 45)).toBe(true);
    expect(b.count()).toBe(0);
    await expect(media.playMedia(callId, 'A', path.join(outDir, 'missing.wav'))).rejects.toMatchObject({ status: 502, code: 'rtpengine-error' });
  });

  it('injects an RFC 4733 DTMF event into A’s stream toward B', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const { aTarget, bTarget } = await connect(a, b, callId, [PCMA, DTMF], [PCMA, DTMF], true); // injection is asked for at offer/answer (notes B.5)
    const talk = Promise.all([a.send(aTarget, 75, 8, (i) => tone(i, 440, 'pcma')), b.send(bTarget, 75, 8, (i) => tone(i, 880, 'pcma'))]);
    expect(await waitUntil(() => b.count(8) >= 10)).toBe(true);
    await media.playDtmf(callId, 'A', '7', 200);
    expect(await waitUntil(() => b.count(101) > 0)).toBe(true);
    await talk;
    const events = b.received.filter((r) => r.pt === 101);
    expect(events.every((e) => e.payload[0] === 7)).toBe(true); // RFC 4733 §2.3: event code first
    expect(a.count(101)).toBe(0);
  });

  it('records a call into a pcap with our metadata when asked at offer/answer', async () => {
    const [a, b] = await twoPhones();
    const callId = newCall();
    const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp([PCMA]), record: true, recordingMetadata: 'tenant=t1|ext=201' });
    const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp([PCMA]), record: true });
    await Promise.all([a.send(mediaTarget(answer.sdp), 25, 8, (i) => tone(i, 440, 'pcma')), b.send(mediaTarget(offer.sdp), 25, 8, (i) => tone(i, 880, 'pcma'))]);
    expect(await waitUntil(() => a.count(8) === 25 && b.count(8) === 25)).toBe(true);
    await media.delete(callId);
    const pcaps = path.join(outDir, 'rec', 'pcaps');
    const meta = path.join(outDir, 'rec', 'metadata');
    const mine = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(callId)) : []);
    expect(await waitUntil(() => mine(pcaps).length === 1 && mine(meta).length === 1)).toBe(true);
    // 24-byte pcap header + 50 packets of (16-byte record header + 20 IP + 8 UDP + 172 RTP).
    expect(statSync(path.join(pcaps, mine(pcaps)[0]!)).size).toBe(24 + 50 * (16 + 20 + 8 + 172));
    expect(readFileSync(path.join(meta, mine(meta)[0]!), 'utf8')).toContain('tenant=t1|ext=201');
  });

  it('answers bad requests with clear errors and changes nothing', async () => {
    const [a] = await twoPhones();
    await expect(media.query('no-such-call')).rejects.toMatchObject({ status: 404, code: 'media-call-not-found' });
    await expect(media.offer({ callId: 'x y', fromTag: 'A', sdp: a.sdp([PCMA]) })).rejects.toMatchObject({ status: 400, code: 'invalid-media-request', message: 'callId: must be 1–256 visible ASCII characters' });
    await expect(media.offer({ callId: newCall(), fromTag: 'A', sdp: 'hello' })).rejects.toMatchObject({ status: 400, message: 'sdp: not an SDP body' });
    await expect(media.playDtmf('c', 'A', 'x')).rejects.toMatchObject({ status: 400, message: 'digit: must be one of 0-9 * # A-D' });
    await expect(media.playMedia('c', 'A', 'relative.wav')).rejects.toMatchObject({ status: 400, message: 'file: must be an absolute path' });
    const broken = newCall();
    await expect(media.offer({ callId: broken, fromTag: 'A', sdp: 'v=0\r\nm=audio x\r\n' })).rejects.toMatchObject({ status: 502, code: 'rtpengine-error' });
    await expect(media.query(broken)).rejects.toMatchObject({ code: 'media-call-not-found' });
  });

  it('refuses an IPv6 ng address up front', async () => {
    await expect(createNgClient({ host: '::1', port: 2223, log: createLogger({ sink: () => undefined }) })).rejects.toMatchObject({ status: 400, code: 'rtpengine-address-unsupported', message: 'rtpengine.ngHost: the ng client speaks IPv4 only, got ::1' });
  });

  it('reports a dead rtpengine as rtpengine-timeout', async () => {
    const port = await freePort();
    const dead = await createNgClient({ host: '127.0.0.1', port, timeoutMs: 300, log: createLogger({ sink: () => undefined }) });
    try {
      await expect(new RtpengineMedia({ ng: dead, log: createLogger({ sink: () => undefined }) }).query('c')).rejects.toMatchObject({
        status: 504,
        code: 'rtpengine-timeout',
        message: `rtpengine at 127.0.0.1:${port} did not answer query`,
      });
    } finally {
      dead.close();
    }
  });
});
