// DTMF from a phone, as rtpengine reports it over --dtmf-log-dest, read by DtmfListener.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtmfListener, type DtmfDigit } from '../../../services/call-control/media/dtmf-listener';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { testOutputDir } from '../../helpers/processes';
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
