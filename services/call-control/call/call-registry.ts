// The calls this process carries, from admission to their end, by id (the
// CDR's, also rtpengine's call id). rtpengine reports a digit with its call
// id and the sending party's tag (media/dtmf-listener.ts); the registry
// hands it to that call as a `dtmf` event from the leg with that tag, so an
// IVR waiting on one call never sees another call's digits.
import type { Call } from './call';

export class CallRegistry {
  private readonly calls = new Map<string, Call>();

  /** Registers the call until it ends (deferred on the call itself). */
  add(call: Call): void {
    this.calls.set(call.id, call);
    call.defer('call registry', () => {
      if (this.calls.get(call.id) === call) this.calls.delete(call.id);
    });
  }

  has(id: string): boolean {
    return this.calls.has(id);
  }

  get(id: string): Call | undefined {
    return this.calls.get(id);
  }

  get size(): number {
    return this.calls.size;
  }

  /** Routes an RFC 4733 digit to its call; false when no call of ours has that session or party. */
  dtmf(d: { callId: string; sourceTag: string; digit: string; durationMs?: number }): boolean {
    const call = this.calls.get(d.callId);
    if (!call || call.ended) return false;
    const leg = [call.a, ...call.peers].find((l) => l.mediaTag === d.sourceTag);
    if (!leg) return false;
    call.emit('dtmf', { digit: d.digit, source: 'rfc4733', ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}) }, leg);
    return true;
  }
}
