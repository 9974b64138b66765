// The play action's timer: rtpengine's own measure of the file when its
// answer has one, else the prompt's stored length (rtpengine 10.5 answers
// no duration for the paced Matroska copy of a prompt), times the repeats;
// with neither, the prompt counts as played at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { play } from '../../../services/call-control/actions/play';
import type { ActionDeps } from '../../../services/call-control/actions/answer';
import { Call } from '../../../services/call-control/call/call';
import type { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { createLogger } from '../../../services/common/logger';
import { FakeLeg, fakeRecorder } from '../fakes/fake-leg';

function world(reply: { durationMs?: number }) {
  const calls: Array<{ file: string; repeatTimes?: number }> = [];
  const media = {
    playMedia: async (_id: string, _tag: string, file: string, opts: { repeatTimes?: number }) => (calls.push({ file, ...opts }), reply),
    stopMedia: async () => undefined,
  };
  const deps = { media, recorder: fakeRecorder() } as unknown as ActionDeps;
  const a = new FakeLeg('a', 'caller', '89161234567', 'tag-a');
  const call = new Call(
    { recorder: fakeRecorder() },
    {
      id: 'c1',
      tenantId: 1,
      direction: 'inbound',
      caller: { dialled: '89161234567', number: '+79161234567' },
      callee: { dialled: '100', number: '100' },
      a,
      log: createLogger({ sink: () => undefined }),
    },
  );
  call.media = { mediaId: 'm1' } as unknown as MediaLegs;
  return { deps, call, calls };
}

/** Resolves to the outcome and the fake time it took. */
async function timed(p: Promise<unknown>) {
  const t0 = Date.now();
  let done: unknown;
  void p.then((o) => (done = o));
  while (done === undefined) await vi.advanceTimersByTimeAsync(10);
  return { outcome: done, ms: Date.now() - t0 };
}

describe('play', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the stored length when rtpengine answers none (the paced Matroska copy), times the repeats', async () => {
    const { deps, call, calls } = world({});
    const r = await timed(play(deps, call, { file: '/data/prompts/1/7.alaw.mka', durationMs: 3000 }, { repeat: 2 }));
    expect(r.outcome).toEqual({ kind: 'played', durationMs: 6000 });
    expect(r.ms).toBeGreaterThanOrEqual(6000);
    expect(r.ms).toBeLessThan(6100);
    expect(calls).toEqual([{ file: '/data/prompts/1/7.alaw.mka', repeatTimes: 2 }]);
  });

  it("takes rtpengine's measure of the file over the stored length", async () => {
    const { deps, call } = world({ durationMs: 1200 });
    const r = await timed(play(deps, call, { file: '/data/prompts/1/7.alaw.wav', durationMs: 3000 }));
    expect(r.outcome).toEqual({ kind: 'played', durationMs: 1200 });
    expect(r.ms).toBeLessThan(1300);
  });

  it('counts a prompt with no length at all as played at once', async () => {
    const { deps, call } = world({});
    const r = await timed(play(deps, call, { file: '/tmp/beep.wav' }));
    expect(r.outcome).toEqual({ kind: 'played' });
    expect(r.ms).toBeLessThan(50);
  });
});
