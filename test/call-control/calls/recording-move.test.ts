// A transfer moves a recorded call onto a new rtpengine session
// (CallRecording.moveTo): the old capture ends as a pause would, the new one
// starts with the same recording id and a channel map that also names the new
// session's ports, a paused recording stays paused, and on-demand actions go
// to the new session. rtpengine here is a stand-in that keeps the ng commands;
// the real path is test/integration/call-control/recorded-transfer.test.ts.
import { describe, expect, it } from 'vitest';
import type { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { decodeRecordingMetadata } from '../../../services/recordings/capture-metadata';
import { liveCall, type NgLog } from '../control/live-call-fixture';

const NEW_TO_A = 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 31002 RTP/AVP 8\r\n';
const NEW_TO_C = 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 31000 RTP/AVP 8\r\n';

/** The new session's legs, keeping their own ng commands. */
function newLegs(): { legs: MediaLegs; ng: NgLog } {
  const ng: NgLog = { commands: [], failNext: false };
  const fail = () => {
    if (!ng.failNext) return;
    ng.failNext = false;
    throw new Error('rtpengine did not answer');
  };
  const legs = {
    tagA: 'tag-a',
    tagB: 'tag-c',
    sdpToA: NEW_TO_A,
    async startRecording(meta: string) {
      fail();
      ng.commands.push({ cmd: 'start', meta: decodeRecordingMetadata(meta) });
    },
    async stopRecording() {
      fail();
      ng.commands.push({ cmd: 'stop' });
    },
  } as unknown as MediaLegs;
  return { legs, ng };
}

function clock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const T0 = Date.UTC(2026, 10, 22, 10);

describe('CallRecording.moveTo (a transfer)', () => {
  it('a recording call: old capture marked paused and stopped, the new one started with the same id, both sessions’ ports, the gap listed', async () => {
    // Each reading of the clock 300 ms later: the move's start, then the new capture's start.
    let t = T0;
    const { call, ng } = await liveCall({ id: 'call-1', mode: 'always', now: () => (t += 300) });
    const id = call.recording!.recordingId;
    ng.commands.length = 0;
    const next = newLegs();
    const from = t;
    await call.recording!.moveTo(next.legs, NEW_TO_C);
    expect(ng.commands).toEqual([{ cmd: 'start', meta: expect.objectContaining({ recordingId: id, pausedAt: from + 300 }) }, { cmd: 'stop' }]);
    expect(next.ng.commands).toHaveLength(1);
    const started = next.ng.commands[0]!;
    expect(started.cmd).toBe('start');
    if (started.cmd !== 'start') return;
    expect(started.meta).toMatchObject({ recordingId: id, cdrId: 'call-1', channels: { left: ['127.0.0.1:30002', '127.0.0.1:31002'], right: ['127.0.0.1:30000', '127.0.0.1:31000'] } });
    expect(started.meta.pausedAt).toBeUndefined();
    expect(started.meta.paused).toEqual([{ fromMs: from + 300, toMs: from + 600 }]);
    expect(call.recording!.state).toBe('recording');
    expect(call.recording!.recordingId).toBe(id);
  });

  it('later actions go to the new session: a pause, then a resume listing both gaps', async () => {
    const c = clock(T0);
    const { call, ng } = await liveCall({ id: 'call-2', mode: 'always', now: c.now });
    const next = newLegs();
    await call.recording!.moveTo(next.legs, NEW_TO_C);
    ng.commands.length = 0;
    next.ng.commands.length = 0;
    c.advance(1000);
    expect(await call.recording!.act('pause')).toBe('paused');
    c.advance(2000);
    expect(await call.recording!.act('resume')).toBe('recording');
    expect(ng.commands).toEqual([]);
    expect(next.ng.commands.map((x) => x.cmd)).toEqual(['start', 'stop', 'start']);
    const resumed = next.ng.commands[2]!;
    if (resumed.cmd !== 'start') throw new Error('expected a start');
    expect(resumed.meta.paused).toEqual([{ fromMs: T0, toMs: T0 }, { fromMs: T0 + 1000, toMs: T0 + 3000 }]);
  });

  it('a paused recording stays paused: an empty marked capture on the new session, the resume starts there', async () => {
    const c = clock(T0);
    const { call, ng } = await liveCall({ id: 'call-3', mode: 'always', now: c.now });
    await call.recording!.act('pause');
    ng.commands.length = 0;
    c.advance(1000);
    const next = newLegs();
    await call.recording!.moveTo(next.legs, NEW_TO_C);
    expect(ng.commands).toEqual([]);
    expect(call.recording!.state).toBe('paused');
    expect(next.ng.commands).toEqual([{ cmd: 'start', meta: expect.objectContaining({ pausedAt: T0 }) }, { cmd: 'stop' }]);
    c.advance(1000);
    await call.recording!.act('resume');
    expect(next.ng.commands[2]).toEqual({ cmd: 'start', meta: expect.objectContaining({ paused: [{ fromMs: T0, toMs: T0 + 2000 }], channels: { left: ['127.0.0.1:30002', '127.0.0.1:31002'], right: ['127.0.0.1:30000', '127.0.0.1:31000'] } }) });
  });

  it('an on-demand call not recorded: nothing moves, a later start records the new session only, a stop stops it', async () => {
    const { call, ng } = await liveCall({ id: 'call-4', mode: 'on-demand' });
    const next = newLegs();
    await call.recording!.moveTo(next.legs, NEW_TO_C);
    expect(next.ng.commands).toEqual([]);
    expect(await call.recording!.act('start')).toBe('recording');
    expect(await call.recording!.act('stop')).toBe('off');
    expect(ng.commands).toEqual([]);
    expect(next.ng.commands).toEqual([{ cmd: 'start', meta: expect.objectContaining({ channels: { left: ['127.0.0.1:31002'], right: ['127.0.0.1:31000'] } }) }, { cmd: 'stop' }]);
  });

  it('the new session refusing the start: the recording shows paused from the move, and a resume starts it there', async () => {
    const c = clock(T0);
    const { call } = await liveCall({ id: 'call-5', mode: 'always', now: c.now });
    const next = newLegs();
    next.ng.failNext = true;
    await call.recording!.moveTo(next.legs, NEW_TO_C);
    expect(call.recording!.state).toBe('paused');
    c.advance(500);
    expect(await call.recording!.act('resume')).toBe('recording');
    expect(next.ng.commands).toEqual([{ cmd: 'start', meta: expect.objectContaining({ paused: [{ fromMs: T0, toMs: T0 + 500 }] }) }]);
  });
});
