// Issue 17 item 8: after a re-offer exchange (a callee's hold and resume)
// rtpengine may give a party other ports; the recording's channel map must
// follow, or a capture labels one party's packets as nobody's (a compliance
// recording silently half empty). MediaLegs over an rtpengine stand-in that
// hands out new ports; CallRecording over legs that keep the ng commands.
import { describe, expect, it } from 'vitest';
import { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { CallRecording } from '../../../services/call-control/calls/recording';
import type { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { silentLogger } from '../../../services/common/logger';
import { decodeRecordingMetadata, type RecordingMetadata } from '../../../services/recordings/capture-metadata';
import type { RecordingMode } from '../../../services/recordings';

const sdp = (port: number, dir = 'sendrecv') =>
  `v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio ${port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=${dir}\r\n`;

/** rtpengine's answers in order: each offer/answer gives the next SDP of `ports`. */
function media(ports: number[]): RtpengineMedia {
  let i = 0;
  const next = async () => ({ sdp: sdp(ports[i++] ?? 0) });
  return { offer: next, answer: next } as unknown as RtpengineMedia;
}

describe('MediaLegs after a re-offer exchange', () => {
  it('a callee’s re-offer: what A was given and what B was given are the new SDPs, and the recording is told once', async () => {
    const legs = new MediaLegs(media([30002, 40002, 40000]), 'call-1', 'tag-a', '127.0.0.1');
    await legs.answerFromB(sdp(5000), 'tag-b');
    expect(legs.sdpToA).toContain('m=audio 30002');
    let told = 0;
    legs.onRenegotiated = () => void told++;
    const toA = await legs.reOffer('B', sdp(5000, 'sendonly'));
    expect(toA).toContain('m=audio 40002');
    const back = await legs.reAnswer('B', sdp(6000, 'recvonly'));
    expect(back).toContain('m=audio 40000');
    expect(legs.sdpToA).toContain('m=audio 40002');
    expect(legs.sdpToCallee).toContain('m=audio 40000');
    expect(told).toBe(1);
  });
});

function recorded(mode: RecordingMode) {
  const commands: RecordingMetadata[] = [];
  const legs = {
    sdpToA: sdp(30002),
    sdpToCallee: undefined as string | undefined,
    onRenegotiated: undefined as (() => void) | undefined,
    async startRecording(meta: string) {
      commands.push(decodeRecordingMetadata(meta));
    },
    async stopRecording() {},
  };
  const recording = new CallRecording(
    {
      policies: { policies: () => [{ scope: 'tenant' as const, target: '', mode }] },
      alarms: { list: () => ({ rows: [] }) },
      enabled: true,
    },
    { tenantId: 1, cdrId: 'call-1', caller: '201', callee: '202' },
    silentLogger,
  );
  recording.answerOptions();
  /** The callee held and resumed: rtpengine gave both sides other ports. */
  const reoffered = async () => {
    legs.sdpToA = sdp(40002);
    legs.sdpToCallee = sdp(40000);
    legs.onRenegotiated?.();
    // The relabel runs in the recording's own queue: an action after it waits for it.
    await recording.act('resume').catch(() => undefined);
  };
  return { legs, recording, commands, reoffered };
}

describe('CallRecording after a re-offer exchange', () => {
  it('a recording going on: the capture gets a map naming the old and the new ports of each party', async () => {
    const r = recorded('always');
    await r.recording.label(r.legs, sdp(30000));
    expect(r.commands.at(-1)?.channels).toEqual({ left: ['127.0.0.1:30002'], right: ['127.0.0.1:30000'] });
    await r.reoffered();
    expect(r.commands).toHaveLength(2);
    expect(r.commands.at(-1)).toMatchObject({
      recordingId: r.recording.recordingId,
      channels: { left: ['127.0.0.1:30002', '127.0.0.1:40002'], right: ['127.0.0.1:30000', '127.0.0.1:40000'] },
    });
  });

  it('an on-demand recording started after the re-offers is labelled with the new ports', async () => {
    const r = recorded('on-demand');
    await r.recording.label(r.legs, sdp(30000));
    expect(r.commands).toEqual([]);
    await r.reoffered();
    expect(await r.recording.act('start')).toBe('recording');
    expect(r.commands.at(-1)?.channels).toEqual({ left: ['127.0.0.1:40002'], right: ['127.0.0.1:40000'] });
  });

  it('the same ports after a re-offer: nothing sent again', async () => {
    const r = recorded('always');
    await r.recording.label(r.legs, sdp(30000));
    r.legs.sdpToCallee = sdp(30000);
    r.legs.onRenegotiated?.();
    await r.recording.act('resume').catch(() => undefined);
    expect(r.commands).toHaveLength(1);
  });
});
