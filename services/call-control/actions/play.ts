// A prompt to the caller through rtpengine's `play media`. rtpengine 10.5
// sends no end-of-playback event (notes B.4): the prompt's length it answers
// with is the timer; a digit (barge-in) stops it with `stop media`.
import type { Call } from '../call/call';
import type { AudioPrompt, PlayOptions, PlayOutcome, Prompt } from './actions';
import type { ActionDeps } from './answer';
import { DigitBuffer } from './digit-buffer';

export async function play(deps: ActionDeps, call: Call, prompt: Prompt | AudioPrompt, opts: PlayOptions = {}): Promise<PlayOutcome> {
  if (call.ended) return { kind: 'ended' };
  const legs = call.media;
  if (!legs) throw new Error('play before the media session was opened');
  const digits = DigitBuffer.of(call);
  const early = opts.bargeIn ? digits.pending : undefined;
  if (early !== undefined) return { kind: 'interrupted', digit: early };
  if (opts.signal?.aborted) return { kind: 'stopped' };
  // Audio from memory plays once (a message is repeated by playing it again).
  const repeat = 'audio' in prompt ? 1 : (opts.repeat ?? 1);
  const played =
    'audio' in prompt
      ? await deps.media.playBlob(legs.mediaId, call.a.mediaTag, prompt.audio)
      : await deps.media.playMedia(legs.mediaId, call.a.mediaTag, prompt.file, { repeatTimes: repeat });
  // rtpengine's measure when it has one, else the prompt's stored length.
  const lengthMs = played.durationMs ?? prompt.durationMs;
  const ms = (lengthMs ?? 0) * repeat;
  return new Promise<PlayOutcome>((resolve) => {
    const offs: Array<() => void> = [];
    const finish = (o: PlayOutcome) => {
      clearTimeout(timer);
      for (const off of offs) off();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'played', ...(lengthMs !== undefined ? { durationMs: ms } : {}) }), ms);
    offs.push(call.on('ended', () => finish({ kind: 'ended' })));
    const signal = opts.signal;
    if (signal) {
      const onAbort = () => {
        // The caller may have moved to another session (an agent answered): the old one, and its prompt, are gone already.
        if (call.media?.mediaId === legs.mediaId && !call.ended)
          deps.media.stopMedia(legs.mediaId, call.a.mediaTag).catch((err: unknown) => call.log.warn('stop media failed', { err: err instanceof Error ? err.message : String(err) }));
        finish({ kind: 'stopped' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      offs.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (opts.bargeIn) {
      offs.push(
        digits.onDigit((digit) => {
          deps.media.stopMedia(legs.mediaId, call.a.mediaTag).catch((err: unknown) => call.log.warn('stop media failed', { err: err instanceof Error ? err.message : String(err) }));
          finish({ kind: 'interrupted', digit });
        }),
      );
    }
  });
}
