// The voicemail destination over fake actions: what it plays, records and
// saves, in order; a full box refuses before answering; a deleted box is
// destination-not-found; the busy greeting is chosen for `<box>:busy`.
import { describe, expect, it } from 'vitest';
import type { VoicemailPort } from '../../../services/call-control/features/voicemail';
import { flowWorld } from './flow-world';

function port(count = 0) {
  const saved: Array<{ boxId: number; caller: string; bytes: number }> = [];
  const changed: number[] = [];
  const p: VoicemailPort = {
    count: () => count,
    save: async (m) => {
      saved.push({ boxId: m.boxId, caller: m.caller, bytes: m.audio.payload.length });
      return { id: saved.length, durationMs: (m.audio.payload.length * 1000) / 8000 };
    },
    beep: { file: '/vm/beep.wav' },
    changed: (_t, b) => changed.push(b),
  };
  return { p, saved, changed };
}

const box = { id: 3, number: '201', greetings: { unavailable: 11, busy: 12, name: 13 }, maxMessageSeconds: 90, maxMessages: 2 };

describe('voicemail destination', () => {
  it('answers, plays the unavailable greeting and the beep, records up to the box limit with # and saves the message; the call ends voicemail-left', async () => {
    const vm = port();
    const w = flowWorld({ configs: { '7/voicemail/3': box } });
    w.deps.voicemail = vm.p;
    await w.run({ kind: 'feature', feature: 'voicemail', id: '3' });
    expect(w.actions.log).toEqual([
      { action: 'answer' },
      { action: 'play', file: '/prompts/7/11.wav' },
      { action: 'play', file: '/vm/beep.wav' },
      { action: 'record', opts: { maxMs: 90_000, terminator: '#', noMediaMs: 10_000 } },
    ]);
    expect(vm.saved).toEqual([{ boxId: 3, caller: '+74951234567', bytes: 16000 }]);
    expect(vm.changed).toEqual([3]);
    expect(w.call.ended).toBe(true);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', reason: 'voicemail-left' });
  });

  it('after forwarding on busy it plays the busy greeting', async () => {
    const vm = port();
    const w = flowWorld({ configs: { '7/voicemail/3': { ...box, greeting: 'busy' } } });
    w.deps.voicemail = vm.p;
    await w.run({ kind: 'feature', feature: 'voicemail', id: '3' });
    expect(w.actions.log[1]).toEqual({ action: 'play', file: '/prompts/7/12.wav' });
  });

  it('a message under 1 s (hung up at the beep) is not kept', async () => {
    const vm = port();
    const w = flowWorld({ configs: { '7/voicemail/3': box } });
    w.deps.voicemail = vm.p;
    w.actions.recordOutcome = { kind: 'recorded', audio: { law: 'alaw', payload: Buffer.alloc(4000, 0xd5) }, endedBy: 'hangup' };
    await w.run({ kind: 'feature', feature: 'voicemail', id: '3' });
    expect(vm.saved).toEqual([]);
    expect(vm.changed).toEqual([]);
  });

  it('a full box refuses the caller 480 voicemail-box-full without answering', async () => {
    const vm = port(2);
    const w = flowWorld({ configs: { '7/voicemail/3': box } });
    w.deps.voicemail = vm.p;
    await w.run({ kind: 'feature', feature: 'voicemail', id: '3' });
    expect(w.actions.log).toEqual([]);
    expect(w.a.sent).toEqual(['480']);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', sipStatus: 480, reason: 'voicemail-box-full' });
  });

  it('a box that does not exist is destination-not-found (404)', async () => {
    const w = flowWorld({ configs: {} });
    w.deps.voicemail = port().p;
    await w.run({ kind: 'feature', feature: 'voicemail', id: '99' });
    expect(w.a.sent).toEqual(['404']);
  });
});
