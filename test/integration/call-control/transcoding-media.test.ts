// Codec policy (media/codec-policy.ts) through MediaLegs against a real
// rtpengine 10.5 (userspace, bcg729): two UDP sockets of this test are the
// phones. A caller with only G.729 reaches a G.711 callee by transcoding,
// both ways, proved by decoding what each side received; hold and resume
// from either side keep the transcoded call; shared codecs pass through;
// an offer nothing can encode is refused before rtpengine sees it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { AppError } from '../../../services/common/errors';
import { decodeG711 } from '../../../services/recordings/g711';
import { goertzel } from '../../recordings/pcap-builder';
import { testOutputDir } from '../../helpers/processes';
import { decodeG729, TONE_HZ } from './fixtures/g729-tone';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';
import { mediaTarget, RtpEndpoint, tone, waitUntil } from './rtp-endpoint';

const PCMA: [number, string] = [8, 'PCMA'];
const PCMU: [number, string] = [0, 'PCMU'];
const G729: [number, string] = [18, 'G729'];
const DTMF: [number, string] = [101, 'telephone-event'];
const CALLEE_HZ = 440;
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'g729-tone.pcap');

let rtpengine: RunningRtpengine;
let media: RtpengineMedia;
let outDir: string;
const endpoints: RtpEndpoint[] = [];
const calls: string[] = [];

beforeAll(async () => {
  outDir = testOutputDir('call-control', `transcoding-media-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
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

/** RTP payloads of the committed fixture (Ethernet + IPv4 + UDP + 12-byte RTP header per record). */
function fixtureFrames(): Buffer[] {
  const pcap = readFileSync(FIXTURE);
  const frames: Buffer[] = [];
  for (let off = 24; off + 16 <= pcap.length; ) {
    const len = pcap.readUInt32LE(off + 8);
    frames.push(pcap.subarray(off + 16 + 14 + 20 + 8 + 12, off + 16 + len));
    off += 16 + len;
  }
  return frames;
}

async function phones(): Promise<[RtpEndpoint, RtpEndpoint]> {
  const a = await RtpEndpoint.open();
  const b = await RtpEndpoint.open();
  endpoints.push(a, b);
  return [a, b];
}

function newLegs(): MediaLegs {
  const id = `transcode-${randomUUID()}`;
  calls.push(id);
  return new MediaLegs(media, id, 'A', '127.0.0.1');
}

/** Per party: the codec rtpengine settled on and whether it transcodes (ng `query`, medias[0]). */
async function codecsOf(callId: string): Promise<Record<string, { codec: string; transcoding: boolean; packets: number }>> {
  const reply = await rtpengine.ng.command('query', { 'call-id': callId });
  const out: Record<string, { codec: string; transcoding: boolean; packets: number }> = {};
  for (const [tag, raw] of Object.entries(reply.tags as Record<string, { medias: Array<{ codec?: string; flags: string[]; streams: Array<{ flags: string[]; stats: { packets: number } }> }> }>)) {
    const m = raw.medias[0]!;
    const rtp = m.streams.find((s) => s.flags.includes('RTP'));
    out[tag] = { codec: m.codec ?? '', transcoding: m.flags.includes('transcoding'), packets: rtp?.stats.packets ?? 0 };
  }
  return out;
}

const mLine = (sdp: string) => /^m=audio \d+ RTP\/AVP ([\d ]+)\r?$/m.exec(sdp)?.[1];
const direction = (sdp: string) => /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp)?.[1];

function alawSamples(received: Array<{ payload: Buffer }>): Int16Array {
  const out = new Int16Array(received.length * 160);
  received.forEach((r, i) => decodeG711('alaw', r.payload.subarray(0, 160), out, i * 160));
  return out;
}

/** One round of talk: A plays `frames` (G.729), B a PCMA tone; resolves when both arrived translated. */
async function talk(a: RtpEndpoint, b: RtpEndpoint, legs: MediaLegs, toA: string, toB: string, frames: Buffer[]) {
  const fromA = a.received.length;
  const fromB = b.received.length;
  await Promise.all([a.send(mediaTarget(toA), frames.length, 18, (i) => frames[i]!), b.send(mediaTarget(toB), frames.length, 8, (i) => tone(i, CALLEE_HZ, 'pcma'))]);
  const n = frames.length - 5;
  expect(await waitUntil(() => b.received.slice(fromB).filter((r) => r.pt === 8).length >= n && a.received.slice(fromA).filter((r) => r.pt === 18).length >= n, 3000), `packets both ways in ${legs.mediaId}`).toBe(true);
  return { atA: a.received.slice(fromA).filter((r) => r.pt === 18), atB: b.received.slice(fromB).filter((r) => r.pt === 8) };
}

describe('a caller with only G.729, a callee with only G.711 A-law', () => {
  it('offers the callee G.729 then PCMA, PCMU; answers the caller G.729; transcodes the tone both ways and keeps DTMF', async () => {
    const [a, b] = await phones();
    const legs = newLegs();
    const toB = await legs.offerFromA(a.sdp([G729, DTMF]));
    expect(mLine(toB)).toBe('18 8 0 101');
    const toA = await legs.answerFromB(b.sdp([PCMA, DTMF]), 'B');
    expect(mLine(toA)).toBe('18 101');

    const { atA, atB } = await talk(a, b, legs, toA, toB, fixtureFrames());
    // What B heard is the caller's 1 kHz tone, decoded from G.711 after rtpengine's G.729 decoder.
    const heardB = alawSamples(atB).subarray(1600);
    expect(goertzel(heardB, TONE_HZ)).toBeGreaterThan(20 * goertzel(heardB, CALLEE_HZ));
    // What A heard is B's 440 Hz, re-encoded into 20-byte G.729 payloads, decoded by ffmpeg.
    expect(atA.every((r) => r.payload.length === 20)).toBe(true);
    const heardA = decodeG729(Buffer.concat(atA.map((r) => r.payload)), outDir).subarray(1600);
    expect(goertzel(heardA, CALLEE_HZ)).toBeGreaterThan(20 * goertzel(heardA, TONE_HZ));

    const stats = await codecsOf(legs.mediaId);
    expect(stats.A).toMatchObject({ codec: 'G729/8000', transcoding: true });
    expect(stats.B).toMatchObject({ codec: 'PCMA/8000', transcoding: true });
    expect(stats.A!.packets).toBeGreaterThanOrEqual(140);
    expect(stats.B!.packets).toBeGreaterThanOrEqual(140);

    // RFC 4733 events from the G.729 side reach the G.711 side as events.
    await a.sendEvent(mediaTarget(toA), 5);
    expect(await waitUntil(() => b.received.some((r) => r.pt === 101 && r.payload[0] === 5), 2000)).toBe(true);
  });

  it('survives hold and resume by re-INVITE from either side: codecs kept, media both ways after each resume', async () => {
    const [a, b] = await phones();
    const legs = newLegs();
    const toB = await legs.offerFromA(a.sdp([G729, DTMF]));
    const toA = await legs.answerFromB(b.sdp([PCMA, DTMF]), 'B');
    const frames = fixtureFrames().slice(0, 50);
    await talk(a, b, legs, toA, toB, frames);

    // A holds: B sees sendonly with PCMA still on offer, A's answer keeps G.729.
    const holdToB = await legs.reOffer('A', a.sdp([G729, DTMF], { direction: 'sendonly' }));
    expect(mLine(holdToB)).toContain('8');
    expect(direction(holdToB)).toBe('sendonly');
    const holdBack = await legs.reAnswer('A', b.sdp([PCMA, DTMF], { direction: 'recvonly' }));
    expect(mLine(holdBack)).toBe('18 101');
    await legs.reOffer('A', a.sdp([G729, DTMF]));
    expect(mLine(await legs.reAnswer('A', b.sdp([PCMA, DTMF])))).toBe('18 101');
    await talk(a, b, legs, toA, toB, frames);

    // B holds: A is offered G.729 although B's re-offer has only PCMA, and B's answer keeps PCMA.
    const holdToA = await legs.reOffer('B', b.sdp([PCMA, DTMF], { direction: 'sendonly' }));
    expect(mLine(holdToA)?.split(' ')).toContain('18');
    expect(direction(holdToA)).toBe('sendonly');
    expect(mLine(await legs.reAnswer('B', a.sdp([G729, DTMF], { direction: 'recvonly' })))).toBe('8 101');
    await legs.reOffer('B', b.sdp([PCMA, DTMF]));
    expect(mLine(await legs.reAnswer('B', a.sdp([G729, DTMF])))).toBe('8 101');
    await talk(a, b, legs, toA, toB, frames);

    const stats = await codecsOf(legs.mediaId);
    expect(stats.A).toMatchObject({ codec: 'G729/8000', transcoding: true });
    expect(stats.B).toMatchObject({ codec: 'PCMA/8000', transcoding: true });
  });
});

describe('pass-through when both sides share a codec', () => {
  it('G.711 both sides: PCMA first toward the callee, no transcoding', async () => {
    const [a, b] = await phones();
    const legs = newLegs();
    const toB = await legs.offerFromA(a.sdp([PCMU, PCMA, G729, DTMF]));
    expect(mLine(toB)).toBe('8 0 18 101');
    const toA = await legs.answerFromB(b.sdp([PCMA, DTMF]), 'B');
    expect(mLine(toA)).toBe('8 101');
    await Promise.all([a.send(mediaTarget(toA), 25, 8, (i) => tone(i, TONE_HZ, 'pcma')), b.send(mediaTarget(toB), 25, 8, (i) => tone(i, CALLEE_HZ, 'pcma'))]);
    expect(await waitUntil(() => a.count(8) >= 20 && b.count(8) >= 20, 3000)).toBe(true);
    const stats = await codecsOf(legs.mediaId);
    expect(stats.A).toMatchObject({ codec: 'PCMA/8000', transcoding: false });
    expect(stats.B).toMatchObject({ codec: 'PCMA/8000', transcoding: false });
  });

  it('G.729 both sides: the callee that takes G.729 gets the caller’s frames untouched', async () => {
    const [a, b] = await phones();
    const legs = newLegs();
    const toB = await legs.offerFromA(a.sdp([G729, DTMF]));
    const toA = await legs.answerFromB(b.sdp([G729, DTMF]), 'B');
    expect(mLine(toA)).toBe('18 101');
    const frames = fixtureFrames().slice(0, 25);
    await a.send(mediaTarget(toA), frames.length, 18, (i) => frames[i]!);
    expect(await waitUntil(() => b.count(18) >= frames.length, 3000)).toBe(true);
    expect(b.received.filter((r) => r.pt === 18).map((r) => r.payload.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
    const stats = await codecsOf(legs.mediaId);
    expect(stats.A).toMatchObject({ codec: 'G729/8000', transcoding: false });
    expect(stats.B?.transcoding).toBe(false);
    expect(mLine(toB)).toBe('18 8 0 101');
  });
});

describe('an offer nothing can encode', () => {
  it('is refused with incompatible-codecs and rtpengine never hears of the call', async () => {
    const [a] = await phones();
    const legs = newLegs();
    const amr = a.sdp([[96, 'AMR'], DTMF]);
    const err = await legs.offerFromA(amr).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('incompatible-codecs');
    const q = await rtpengine.ng.command('query', { 'call-id': legs.mediaId }).catch((e: unknown) => e);
    expect((q as AppError).code).toBe('media-call-not-found');
  });
});
