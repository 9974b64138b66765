// What a queued caller hears while waiting: the queue's music on hold (a
// prompt, looped by rtpengine's repeat-times) broken every `announceEvery`
// seconds by "your position in the queue is N" and, if the queue says so,
// "the expected wait is about M minutes" (picker.ts expectedWaitMs), spoken
// by espeak-ng and cached (services/prompts SpeechCache). The first
// announcement comes at once when someone is ahead. Runs until stop(): an
// agent answered, the caller left or hung up.
import type { QueueConfig } from '../../../call-flows';
import type { CallActions, Prompt } from '../../actions/actions';
import type { Call } from '../../call/call';

export interface HoldContext {
  call: Call;
  config: QueueConfig;
  actions: CallActions;
  music: Prompt | undefined;
  /** Position now (1 = next) and the expected wait in whole minutes. */
  standing(): { position: number; waitMinutes: number };
  speak(text: string, language: 'ru' | 'en'): Promise<Prompt | undefined>;
  announced(position: number, waitMinutes: number): void;
}

function minutesRu(m: number): string {
  const d = m % 10;
  const dd = m % 100;
  if (d === 1 && dd !== 11) return 'минута';
  if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return 'минуты';
  return 'минут';
}

export function positionText(language: 'ru' | 'en', position: number, waitMinutes: number | undefined): string {
  if (language === 'ru') {
    const wait = waitMinutes === undefined ? '' : ` Ожидаемое время ожидания — около ${waitMinutes} ${minutesRu(waitMinutes)}.`;
    return `Ваша позиция в очереди: ${position}.${wait}`;
  }
  const wait = waitMinutes === undefined ? '' : ` The expected wait is about ${waitMinutes} minute${waitMinutes === 1 ? '' : 's'}.`;
  return `Your position in the queue is ${position}.${wait}`;
}

export class Hold {
  private readonly stopper = new AbortController();
  private done: Promise<void> | undefined;

  constructor(private readonly ctx: HoldContext) {}

  start(): void {
    this.done ??= this.loop().catch((err: unknown) =>
      this.ctx.call.log.warn('queue hold failed', { err: err instanceof Error ? err.message : String(err) }),
    );
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done;
  }

  private async loop(): Promise<void> {
    const { call, config, actions } = this.ctx;
    const every = config.announceEvery * 1000;
    let nextAnnounce = every > 0 ? (this.ctx.standing().position > 1 ? Date.now() : Date.now() + every) : Infinity;
    while (!this.stopper.signal.aborted && !call.ended) {
      if (Date.now() >= nextAnnounce) {
        nextAnnounce = Date.now() + every;
        const { position, waitMinutes } = this.ctx.standing();
        const prompt = await this.ctx.speak(
          positionText(config.language, position, config.announceWait ? waitMinutes : undefined),
          config.language,
        );
        if (!prompt || this.stopper.signal.aborted) continue;
        this.ctx.announced(position, waitMinutes);
        const r = await actions.play(call, prompt, { signal: this.stopper.signal });
        if (r.kind === 'ended') return;
        continue;
      }
      // Music (or silence) until the next announcement is due or the hold stops.
      const slice = new AbortController();
      const untilMs = Math.max(0, nextAnnounce - Date.now());
      const timer = Number.isFinite(untilMs) ? setTimeout(() => slice.abort(), untilMs) : undefined;
      const onStop = () => slice.abort();
      this.stopper.signal.addEventListener('abort', onStop, { once: true });
      try {
        const wait = () =>
          new Promise<void>((resolve) =>
            slice.signal.aborted ? resolve() : slice.signal.addEventListener('abort', () => resolve(), { once: true }),
          );
        const began = Date.now();
        if (this.ctx.music) {
          const r = await actions.play(call, this.ctx.music, { repeat: 1000, signal: slice.signal });
          if (r.kind === 'ended') return;
          // A prompt that played in no time (a broken file) must not spin: wait out the slice.
          if (r.kind === 'played' && Date.now() - began < 200) await wait();
        } else {
          await wait();
        }
      } finally {
        if (timer) clearTimeout(timer);
        this.stopper.signal.removeEventListener('abort', onStop);
      }
    }
  }
}
