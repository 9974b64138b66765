// One call from admission to its end: its legs (the caller's, and any number
// of legs we place; the PBX itself may answer the caller), its media
// session, the destinations it went through, and ONE ending. Everything the
// call holds (licence slot, trunk channel, rtpengine sessions, recording,
// live-calls entry) is registered with `defer(release)` as it is taken, and
// `end()` releases all of it exactly once, in reverse order — whichever way
// the call ends, an exception thrown by a feature included (the INVITE
// entry ends the call when a feature throws).
import type { Logger } from '../../common/logger';
import type { MediaLegs } from '../calls/media-legs';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { Direction, HangupSide, Party } from '../cdr/cdr-record';
import { Events } from './events';
import type { DtmfDigit, Leg } from './leg';

/** `routing`: features decide; `early`: a provisional reached the caller; `answered`: the caller got 200; `ended`. */
export type CallState = 'routing' | 'early' | 'answered' | 'ended';

export interface CallEnd {
  side: HangupSide;
  sipStatus?: number;
  /** The CDR's reason (a kebab code: ring-timeout, destination-loop, internal-error …). */
  reason?: string;
}

export interface CallEvents {
  /** The caller's leg was answered (by a phone, a trunk, or the PBX itself). */
  answered: [];
  'leg-added': [Leg];
  'leg-removed': [Leg];
  /** A digit from any leg of the call (rtpengine's RFC 4733 reports are routed here by the registry, SIP INFO by the leg). */
  dtmf: [DtmfDigit, Leg];
  ended: [CallEnd];
}

export interface CallInit {
  /** The CDR id, also rtpengine's call id and the licence ledger's key. */
  id: string;
  tenantId: number;
  direction: Direction;
  caller: Party;
  callee: Party;
  /** The caller's leg. */
  a: Leg;
  log: Logger;
  /** Screening at entry (features/screening.ts): the VIP mark and the list steps that start the path. */
  screened?: { vip: boolean; path: readonly string[] } | undefined;
}

export interface CallDeps {
  recorder: Pick<CdrRecorder, 'event'>;
}

type Release = () => unknown;

export class Call {
  readonly id: string;
  readonly tenantId: number;
  readonly direction: Direction;
  readonly caller: Party;
  readonly callee: Party;
  readonly a: Leg;
  readonly log: Logger;
  /** Destinations run, in order (describeDestination): the path the CDR and the dry run name. */
  readonly path: string[] = [];
  /** The caller is on a VIP allow list (screening at entry): schedules let them through at any hour. */
  vip = false;
  /** The call's rtpengine session, opened at admission (calls/admit-call.ts). */
  media: MediaLegs | undefined;
  /** What the CDR's hangup names besides side, status and path: the trunk tried last, who answered (calls/bridge-call.ts). */
  readonly cdr: { trunk?: string; answeredBy?: string } = {};
  private readonly legs: Leg[] = [];
  private readonly releases: Array<{ what: string; release: Release }> = [];
  private readonly events: Events<CallEvents>;
  private current: CallState = 'routing';
  private ending: Promise<void> | undefined;

  constructor(
    private readonly deps: CallDeps,
    init: CallInit,
  ) {
    this.id = init.id;
    this.tenantId = init.tenantId;
    this.direction = init.direction;
    this.caller = init.caller;
    this.callee = init.callee;
    this.a = init.a;
    this.log = init.log;
    this.vip = init.screened?.vip ?? false;
    this.path.push(...(init.screened?.path ?? []));
    this.events = new Events((event, err) => this.log.error('call listener failed', { event: String(event), err: errText(err) }));
  }

  get state(): CallState {
    return this.current;
  }

  get ended(): boolean {
    return this.current === 'ended';
  }

  /** The legs besides the caller's, ringing or answered. */
  get peers(): readonly Leg[] {
    return this.legs;
  }

  on<E extends keyof CallEvents>(event: E, fn: (...args: CallEvents[E]) => void): () => void {
    return this.events.on(event, fn);
  }

  emit<E extends keyof CallEvents>(event: E, ...args: CallEvents[E]): void {
    this.events.emit(event, ...args);
  }

  /** A provisional reached the caller, or it was answered: state only moves forward. */
  progress(state: 'early' | 'answered'): void {
    if (this.current === 'ended' || this.current === 'answered') return;
    this.current = state;
    if (state === 'answered') this.emit('answered');
  }

  addLeg(leg: Leg): void {
    this.legs.push(leg);
    this.emit('leg-added', leg);
  }

  removeLeg(leg: Leg): void {
    const i = this.legs.indexOf(leg);
    if (i < 0) return;
    this.legs.splice(i, 1);
    this.emit('leg-removed', leg);
  }

  /**
   * Registers what `end()` must free; released in reverse order of
   * registration. On a call already ended it is released at once (a trunk
   * lease that arrives after the caller left is not leaked).
   */
  defer(what: string, release: Release): void {
    if (this.ending) {
      void this.release(what, release);
      return;
    }
    this.releases.push({ what, release });
  }

  /**
   * The call's one ending: the CDR first, at the moment the call ended
   * (freeing media may take a round trip), then every leg still up gets a BYE
   * (or its INVITE a final response), then everything deferred. A second call
   * returns the first one's promise.
   */
  end(side: HangupSide, sipStatus?: number, reason?: string): Promise<void> {
    this.ending ??= this.finish({ side, ...(sipStatus !== undefined ? { sipStatus } : {}), ...(reason !== undefined ? { reason } : {}) });
    return this.ending;
  }

  private async finish(e: CallEnd): Promise<void> {
    this.current = 'ended';
    try {
      this.deps.recorder.event(this.id, {
        type: 'hangup',
        at: Date.now(),
        ...e,
        ...this.cdr,
        path: [...this.path],
      });
    } catch (err) {
      // The row stays in-progress (the recorder keeps it in memory); the slot and media must still be freed.
      this.log.error('cdr write failed', { err: errText(err) });
    }
    const final = e.sipStatus !== undefined && e.sipStatus >= 300 ? e.sipStatus : 480;
    for (const leg of [this.a, ...this.legs]) {
      if (leg.state === 'ended') continue;
      try {
        if (leg === this.a && leg.state !== 'answered') leg.reject(final, reasonPhrase(final));
        else await leg.hangup();
      } catch (err) {
        this.log.warn('leg hangup at call end failed', { leg: leg.id, err: errText(err) });
      }
    }
    for (const r of this.releases.splice(0).reverse()) await this.release(r.what, r.release);
    this.log.info('call ended', { ...e, path: this.path.join(' → ') });
    this.emit('ended', e);
    this.events.clear();
  }

  private async release(what: string, release: Release): Promise<void> {
    try {
      await release();
    } catch (err) {
      // One failed release (an rtpengine timeout) must not keep the others (the licence slot) held.
      this.log.error('call release failed', { what, err: errText(err) });
    }
  }
}

const PHRASES: Record<number, string> = {
  404: 'Not Found',
  480: 'Temporarily Unavailable',
  482: 'Loop Detected',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return PHRASES[status] ?? 'Call Failed';
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
