// OPTIONS keepalive for one trunk: an OPTIONS to the operator every
// interval. RFC 3261 §11: any final response — even 404 or 405 — shows the
// far end is up and answering SIP; only silence counts as a miss, and two
// misses in a row mark the trunk down until the next answer.
import type { Logger } from '../../common/logger';
import { SipRequestError, trunkUri, type Clock, type SendRequest, type TimerHandle } from './trunk-registration-transport';

export interface KeepaliveTarget {
  id: number;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  intervalSeconds: number;
}

export const REACHABILITY_STATES = ['unknown', 'reachable', 'down'] as const;
export type Reachability = (typeof REACHABILITY_STATES)[number];

export interface KeepaliveStatus {
  state: Reachability;
  lastError: string | null;
  changedAt: number;
  /** Status code of the last answer (any code means reachable). */
  lastStatus: number | null;
  misses: number;
}

export interface KeepaliveDeps {
  send: SendRequest;
  clock: Clock;
  log: Logger;
  onChange: (status: KeepaliveStatus) => void;
  /** Misses in a row that mark the trunk down; default 2. */
  missesToDown?: number;
}

/** Below Timer F (32 s), so the stack's own 408 never decides. */
const MAX_WAIT_MS = 30_000;

export class OptionsKeepalive {
  private timer: TimerHandle | undefined;
  private running = false;
  private current: KeepaliveStatus;
  private readonly missesToDown: number;

  constructor(
    readonly target: KeepaliveTarget,
    private readonly deps: KeepaliveDeps,
  ) {
    this.missesToDown = deps.missesToDown ?? 2;
    this.current = { state: 'unknown', lastError: null, changedAt: deps.clock.now(), lastStatus: null, misses: 0 };
  }

  get status(): KeepaliveStatus {
    return { ...this.current };
  }

  start(): void {
    if (this.running || this.target.intervalSeconds <= 0) return;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Sends one OPTIONS now and the next one an interval later, whatever this one's fate. */
  private tick(): void {
    if (!this.running) return;
    const intervalMs = this.target.intervalSeconds * 1000;
    this.timer = this.deps.clock.setTimer(() => this.tick(), intervalMs);
    void this.probe(Math.min(intervalMs, MAX_WAIT_MS));
  }

  private async probe(waitMs: number): Promise<void> {
    const uri = trunkUri(this.target);
    try {
      const reply = await this.deps.send({ method: 'OPTIONS', uri, headers: { To: `<${uri}>`, Accept: 'application/sdp' } }, waitMs);
      if (!this.running) return;
      this.update({ state: 'reachable', lastError: null, lastStatus: reply.status, misses: 0 });
    } catch (e) {
      if (!(e instanceof SipRequestError)) {
        this.deps.log.error('trunk keepalive failed unexpectedly', { trunkId: this.target.id, err: e });
        return;
      }
      if (!this.running) return;
      const misses = this.current.misses + 1;
      const error = e.code === 'sip-timeout' ? 'no answer to OPTIONS' : e.message;
      if (misses >= this.missesToDown) this.update({ state: 'down', lastError: error, misses });
      else this.update({ misses });
    }
  }

  private update(patch: Partial<KeepaliveStatus>): void {
    const next = { ...this.current, ...patch };
    const changed = next.state !== this.current.state || next.lastError !== this.current.lastError;
    if (changed) next.changedAt = this.deps.clock.now();
    this.current = next;
    if (changed) {
      this.deps.log.info('trunk reachability changed', { trunkId: this.target.id, state: next.state, error: next.lastError });
      this.deps.onChange(this.status);
    }
  }
}
