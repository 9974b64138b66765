// Digits from the caller: up to `max`, the first within `timeoutMs`, each
// next within `interDigitMs`, ended early by the terminator; a prompt first,
// which the first digit interrupts (and counts).
import type { Call } from '../call/call';
import type { CollectOptions, Digits } from './actions';
import type { ActionDeps } from './answer';
import { DigitBuffer } from './digit-buffer';
import { play } from './play';

export async function collectDigits(deps: ActionDeps, call: Call, opts: CollectOptions): Promise<Digits> {
  const buffer = DigitBuffer.of(call);
  if (opts.prompt) {
    const p = await play(deps, call, opts.prompt, { bargeIn: true });
    if (p.kind === 'ended') return { kind: 'ended' };
  }
  let digits = '';
  for (;;) {
    const d = await buffer.next(digits === '' ? opts.timeoutMs : opts.interDigitMs);
    if (call.ended) return { kind: 'ended' };
    if (d === undefined) return digits === '' ? { kind: 'timeout', digits: '' } : { kind: 'digits', digits };
    if (opts.terminator !== undefined && d === opts.terminator) return { kind: 'digits', digits };
    digits += d;
    if (digits.length >= opts.max) return { kind: 'digits', digits };
  }
}
