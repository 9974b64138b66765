// DTMF from a phone, as rtpengine reports it over --dtmf-log-dest, read by DtmfListener.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtmfListener, type DtmfDigit } from '../../../services/call-control/media/dtmf-listener';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { testOutputDir } from '../../helpers/processes';
import { encodeG711 } from '../../../services/recordings/g711';
import { mediaTarget, RtpEndpoint, tone, waitUntil } from './rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';

const log = createLogger({ level: 'warn', sink: () => undefined });
let rtpengine: RunningRtpengine;
let listener: DtmfListener;
const digits: DtmfDigit[] = [];

beforeAll(async () => {
  listener = await DtmfListener.listen({ host: '127.0.0.1', port: 0, log, onDigit: (d) => digits.push(d) });
  rtpengine = await startRtpengine(testOutputDir('call-control', `dtmf-${process.pid}`), [`--dtmf-log-dest=127.0.0.1:${listener.port}`]);
});

afterAll(async () => {
  await rtpengine?.stop();
  await listener?.close();
});

describe('DtmfListener with rtpengine', () => {
  it('reports each RFC 4733 digit a phone sends, with call, party and duration, once', async () => {
    const media = new RtpengineMedia({ ng: rtpengine.ng, log });
    const a = await RtpEndpoint.open();
    const b = await RtpEndpoint.open();
    const callId = `cc-dtmf-${randomUUID()}`;
    try {
      const codecs: Array<[number, string]> = [[8, 'PCMA'], [101, 'telephone-event']];
      const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp(codecs) });
      const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp(codecs) });
      const toEngine = mediaTarget(answer.sdp);
      await a.send(toEngine, 5, 8, (i) => tone(i, 440, 'pcma'));
      for (const event of [1, 2, 10, 11]) await a.sendEvent(toEngine, event);
      await b.send(mediaTarget(offer.sdp), 3, 8, (i) => tone(i, 880, 'pcma'));
      expect(await waitUntil(() => digits.length >= 4)).toBe(true);
      const mine = digits.filter((d) => d.callId === callId);
      expect(mine.map((d) => d.digit)).toEqual(['1', '2', '*', '#']);
      expect(mine.every((d) => d.sourceTag === 'A' && d.durationMs === 120 && d.volume === 10)).toBe(true);
      // The events were relayed to B as well.
      expect(b.count(101)).toBeGreaterThanOrEqual(4 * 8 - 4);
    } finally {
      a.close();
      b.close();
      await media.delete(callId).catch(() => undefined);
    }
  });
});

/** 20 ms of a key's two Q.23 tones in PCMA (packet `i` of the press). */
function keyTone(i: number, low: number, high: number): Buffer {
  const s = Array.from({ length: 160 }, (_, j) => {
    const t = (i * 160 + j) / 8000;
    return Math.round(7000 * Math.sin(2 * Math.PI * low * t) + 7000 * Math.sin(2 * Math.PI * high * t));
  });
  return encodeG711('alaw', s);
}

describe('in-band DTMF: a caller whose line carries no telephone-event', () => {
  /** A caller offering PCMA alone, answered by B with PCMA and the telephone-event rtpengine offered it. */
  async function inbandCall(opts: { inbandDtmf: boolean; blockA: boolean }) {
    const media = new RtpengineMedia({ ng: rtpengine.ng, log });
    const a = await RtpEndpoint.open();
    const b = await RtpEndpoint.open();
    const callId = `cc-inband-${randomUUID()}`;
    try {
      const offer = await media.offer({ callId, fromTag: 'A', sdp: a.sdp([[8, 'PCMA']]), inbandDtmf: opts.inbandDtmf });
      const te = /^a=rtpmap:(\d+) telephone-event\//m.exec(offer.sdp)?.[1];
      const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp(te ? [[8, 'PCMA'], [Number(te), 'telephone-event']] : [[8, 'PCMA']]) });
      if (opts.blockA) await media.blockMedia(callId, 'A');
      const toEngine = mediaTarget(answer.sdp);
      await a.send(toEngine, 5, 8, (i) => tone(i, 440, 'pcma'));
      for (const [low, high] of [[697, 1209], [697, 1336], [941, 1209]] as const) {
        await a.send(toEngine, 10, 8, (i) => keyTone(i, low, high));
        await a.send(toEngine, 5, 8, () => Buffer.alloc(160, 0xd5));
      }
      await waitUntil(() => digits.filter((d) => d.callId === callId).length >= 3, 3000);
      return {
        offer: offer.sdp,
        answer: answer.sdp,
        digits: digits.filter((d) => d.callId === callId),
        eventsToB: te ? b.count(Number(te)) : 0,
      };
    } finally {
      a.close();
      b.close();
      await media.delete(callId).catch(() => undefined);
    }
  }

  it('with the detector asked for, its keys sent as tones in PCMA are reported like RFC 4733 digits and reach B as events', async () => {
    const r = await inbandCall({ inbandDtmf: true, blockA: false });
    // B is offered telephone-event (transcoded); A's answer does not get one it never offered.
    expect(r.offer).toMatch(/telephone-event\/8000/);
    expect(r.answer).not.toMatch(/telephone-event/);
    expect(r.digits.map((d) => d.digit)).toEqual(['1', '2', '*']);
    expect(r.digits.every((d) => d.sourceTag === 'A')).toBe(true);
    expect(r.eventsToB).toBeGreaterThan(0);
  });

  it('why actions/answer.ts neither blocks such a caller nor relies on the plain relay: each silences the detector', async () => {
    // Without the flag the call is a plain relay: no decoding, no digits.
    expect((await inbandCall({ inbandDtmf: false, blockA: false })).digits).toEqual([]);
    // With it, a block of A's media drops the packets before the detector.
    expect((await inbandCall({ inbandDtmf: true, blockA: true })).digits).toEqual([]);
  });
});
