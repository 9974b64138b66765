// The caller's digits of one call, kept in order from the moment the PBX
// answers it: a digit pressed during a prompt (barge-in) is the first one
// the following collection reads, and none is read twice.
import type { Call } from '../call/call';

const buffers = new WeakMap<Call, DigitBuffer>();

export class DigitBuffer {
  private readonly queue: string[] = [];
  private waiter: ((digit: string | undefined) => void) | undefined;
  private readonly listeners = new Set<(digit: string) => void>();

  private constructor(private readonly call: Call) {
    call.on('dtmf', (d, leg) => {
      if (leg !== call.a) return;
      for (const l of [...this.listeners]) l(d.digit);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(d.digit);
      } else this.queue.push(d.digit);
    });
    call.on('ended', () => this.waiter?.(undefined));
  }

  /** The caller's digit buffer of `call`, listening from the first time it is asked for. */
  static of(call: Call): DigitBuffer {
    let b = buffers.get(call);
    if (!b) buffers.set(call, (b = new DigitBuffer(call)));
    return b;
  }

  get pending(): string | undefined {
    return this.queue[0];
  }

  /** Called for each digit as it arrives (barge-in), queued or not. */
  onDigit(fn: (digit: string) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** The next digit, or undefined after `timeoutMs` without one or when the call ends. */
  next(timeoutMs: number): Promise<string | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.call.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (digit) => {
        clearTimeout(timer);
        resolve(digit);
      };
    });
  }
}
