// CallActions without rtpengine or SIP: each call is recorded, and a test
// scripts what the caller does (keys pressed, members answering).
import type { AudioPrompt, CallActions, CollectOptions, Digits, PlayOptions, PlayOutcome, Prompt, RecordOptions, RecordOutcome, RingOptions, RingOutcome, RingTarget } from '../../../services/call-control/actions/actions';
import type { Call } from '../../../services/call-control/call/call';
import { FakeLeg } from './fake-leg';

export type ActionLog =
  | { action: 'answer' }
  | { action: 'play'; file: string; opts?: PlayOptions }
  | { action: 'collect'; opts: CollectOptions }
  | { action: 'ring'; targets: RingTarget[]; opts: RingOptions }
  | { action: 'record'; opts: RecordOptions }
  | { action: 'announce'; file: string; toCallee: boolean };

export class FakeActions implements CallActions {
  readonly log: ActionLog[] = [];
  /** What collectDigits answers, in order; when empty, a timeout. */
  readonly digits: Digits[] = [];
  /** What ring answers, in order; when empty, nobody answered. */
  readonly rings: Array<RingOutcome | ((targets: RingTarget[]) => RingOutcome)> = [];
  playOutcome: PlayOutcome = { kind: 'played', durationMs: 1000 };
  /** What record answers: by default 2 s of A-law, ended by '#'. */
  recordOutcome: RecordOutcome = { kind: 'recorded', audio: { law: 'alaw', payload: Buffer.alloc(16000, 0xd5) }, endedBy: 'terminator' };

  async answer(call: Call): Promise<void> {
    this.log.push({ action: 'answer' });
    if (call.a.state !== 'answered') await call.a.answer('v=0\r\n');
    call.progress('answered');
  }

  /** Audio played from memory is logged as `audio:<first byte>:<length>` (its content is wiped after playing). */
  async play(_call: Call, prompt: Prompt | AudioPrompt, opts?: PlayOptions): Promise<PlayOutcome> {
    const file = 'audio' in prompt ? `audio:${prompt.audio[0] ?? 0}:${prompt.audio.length}` : prompt.file;
    this.log.push({ action: 'play', file, ...(opts ? { opts } : {}) });
    return this.playOutcome;
  }

  async collectDigits(_call: Call, opts: CollectOptions): Promise<Digits> {
    this.log.push({ action: 'collect', opts });
    return this.digits.shift() ?? { kind: 'timeout', digits: '' };
  }

  async record(_call: Call, opts: RecordOptions): Promise<RecordOutcome> {
    this.log.push({ action: 'record', opts });
    return this.recordOutcome;
  }

  async ring(call: Call, targets: readonly RingTarget[], opts: RingOptions): Promise<RingOutcome> {
    this.log.push({ action: 'ring', targets: [...targets], opts });
    const next = this.rings.shift();
    const out = typeof next === 'function' ? next([...targets]) : next;
    if (out?.kind === 'answered') {
      await this.answer(call);
      call.addLeg(out.leg);
    }
    return out ?? { kind: 'not-answered', tried: targets.map((t) => ({ extension: t.extension, why: 'no-answer' as const })) };
  }

  async announce(_call: Call, prompt: Prompt, opts: { toCallee: boolean }): Promise<PlayOutcome> {
    this.log.push({ action: 'announce', file: prompt.file, toCallee: opts.toCallee });
    return this.playOutcome;
  }
}

/** A member answering: the leg the ring action connected. */
export function answeredBy(extension: string): RingOutcome {
  const leg = new FakeLeg(`b-${extension}`, 'callee', extension);
  leg.state = 'answered';
  return { kind: 'answered', extension, leg };
}
