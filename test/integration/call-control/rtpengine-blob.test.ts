// Audio played from memory: `play media` with `blob=` over rtpengine's ng
// HTTP channel (media/ng-http-client.ts), against Debian's rtpengine. The
// blob is far larger than a UDP datagram may be; what A receives is decoded
// and its tone measured, so a wrong or silent stream fails.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNgHttpClient } from '../../../services/call-control/media/ng-http-client';
import type { NgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { decodeG711 } from '../../../services/recordings';
import { freeTcpPort } from '../../helpers/ports';
import { testOutputDir } from '../../helpers/processes';
import { goertzel } from '../../recordings/pcap-builder';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';
import { mediaTarget, RtpEndpoint, waitUntil, wavTone } from './rtp-endpoint';

const PCMA: [number, string] = [8, 'PCMA'];
const quiet = createLogger({ level: 'warn', sink: () => undefined });

let rtpengine: RunningRtpengine;
let http: NgClient;
let media: RtpengineMedia;
const endpoints: RtpEndpoint[] = [];
const calls: string[] = [];

beforeAll(async () => {
  rtpengine = await startRtpengine(testOutputDir('call-control', `rtpengine-blob-${process.pid}`));
  http = createNgHttpClient({ host: '127.0.0.1', port: rtpengine.ngPort, log: quiet });
  media = new RtpengineMedia({ ng: rtpengine.ng, blob: http, log: quiet });
});

afterEach(async () => {
  for (const e of endpoints.splice(0)) e.close();
  for (const id of calls.splice(0)) await media.delete(id).catch(() => undefined);
});

afterAll(async () => {
  http?.close();
  await rtpengine?.stop();
});

async function call(): Promise<{ a: RtpEndpoint; b: RtpEndpoint; callId: string }> {
  const a = await RtpEndpoint.open();
  const b = await RtpEndpoint.open();
  endpoints.push(a, b);
  const callId = `blob-${randomUUID()}`;
  calls.push(callId);
  await media.offer({ callId, fromTag: 'A', sdp: a.sdp([PCMA]) });
  const answer = await media.answer({ callId, fromTag: 'A', toTag: 'B', sdp: b.sdp([PCMA]) });
  // A sends first, so rtpengine has learnt where A is (symmetric RTP) before it plays to A.
  await a.send(mediaTarget(answer.sdp), 5, 8, () => Buffer.alloc(160, 0xd5));
  return { a, b, callId };
}

function pcmOf(e: RtpEndpoint): Int16Array {
  const bytes = Buffer.concat(e.received.filter((r) => r.pt === 8).map((r) => r.payload));
  const out = new Int16Array(bytes.length);
  decodeG711('alaw', bytes, out);
  return out;
}

describe('play media with the audio inline, over ng HTTP', () => {
  it('plays a 90 s WAV held in memory (1.4 MB, beyond any UDP datagram) to A, in A’s codec', async () => {
    const { a, b, callId } = await call();
    const wav = wavTone(90, 440);
    expect(wav.length).toBeGreaterThan(65_507);
    const played = await media.playBlob(callId, 'A', wav);
    expect(played.durationMs).toBe(90_000);
    expect(await waitUntil(() => a.count(8) >= 50, 15_000), `A got ${a.count()} packets; log ${rtpengine.process.logFile}`).toBe(true);
    const pcm = pcmOf(a).subarray(800); // past rtpengine's first frames
    expect(goertzel(pcm, 440)).toBeGreaterThan(20 * goertzel(pcm, 1000));
    // B hears only what A sent (the five silent packets), never the message.
    expect(b.received.every((r) => r.payload.every((x) => x === 0xd5))).toBe(true);
    await media.stopMedia(callId, 'A');
  });

  it('refuses audio that is not audio with rtpengine’s error, and the call goes on', async () => {
    const { a, callId } = await call();
    await expect(media.playBlob(callId, 'A', Buffer.from('not a wav file at all'.repeat(100)))).rejects.toMatchObject({ status: 502, code: 'rtpengine-error' });
    expect(a.count()).toBe(0);
    expect((await media.playBlob(callId, 'A', wavTone(1, 440))).durationMs).toBe(1000);
    expect(await waitUntil(() => a.count(8) >= 40, 10_000)).toBe(true);
  });

  it('answers bad requests clearly: no HTTP channel, empty audio, an unknown call', async () => {
    const udpOnly = new RtpengineMedia({ ng: rtpengine.ng, log: quiet });
    await expect(udpOnly.playBlob('c', 'A', Buffer.alloc(10))).rejects.toMatchObject({ status: 503, code: 'media-blob-unavailable' });
    await expect(media.playBlob('c', 'A', Buffer.alloc(0))).rejects.toMatchObject({ status: 400, code: 'invalid-media-request' });
    await expect(media.playBlob(`none-${randomUUID()}`, 'A', wavTone(1, 440))).rejects.toMatchObject({ code: 'media-call-not-found' });
  });

  it('reports nobody listening on the HTTP port as rtpengine-error', async () => {
    const dead = createNgHttpClient({ host: '127.0.0.1', port: await freeTcpPort(), log: quiet, timeoutMs: 2000 });
    try {
      await expect(dead.command('ping', {})).rejects.toMatchObject({ status: 502, code: 'rtpengine-error' });
    } finally {
      dead.close();
    }
  });
});
