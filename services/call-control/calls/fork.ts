// Parallel ringing of every phone of one extension: the B2BUA forks the
// call itself (RFC 3261 §16.7 as a proxy would, but each branch is its own
// UAC transaction, srf.createUAC). Each branch gets its own rtpengine offer
// of A's SDP (ng via-branch: same session, its own ports; one shared offer
// leaves the answering phone without media once another phone's early media
// was answered, tried on rtpengine 10.5). The first 2xx wins and the others are CANCELed (§9.1) with
// `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326) so the
// phones do not show a missed call. A 2xx arriving after the winner is ACKed
// and hung up at once (§13.2.2.4). One busy phone while others still ring
// changes nothing; the outcome is decided when every branch has answered or
// when our ring timer fires.
import type { Logger } from '../../common/logger';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and dialogs
type Loose = any;

export interface ForkBranch {
  /** Request-URI: the phone's Contact. */
  contact: string;
  /** Next hop for a phone behind NAT (its REGISTER's source). */
  proxy?: string;
  /** Sent this long after the others (an FMC mobile rung N seconds after the desk phones); not sent if the fork ends first. */
  delayMs?: number;
  /**
   * This branch failed with `status` (undefined: no response at all): a target
   * to try in its place (a GSM gateway's next free port after a 503), or none.
   * Asked only while the fork still rings.
   */
  retry?(status: number | undefined): ForkBranch | undefined;
  /** This target answered first: the call is its. */
  answered?(): void;
  /** Once, when this target is done without winning (failed, CANCELed, never sent, late answer hung up): frees what it held. */
  ended?(): void;
}

export type ForkOutcome =
  /** `target`: the branch as finally sent (a retry's replacement). */
  | { kind: 'answered'; uac: Loose; branch: number; target: ForkBranch }
  /** Every branch failed; `busy` when a user refused (486/600/603), `unreachable` when no phone could be reached. */
  | { kind: 'busy' | 'unreachable' | 'failed'; status: number; reason?: string }
  /** Our ring timer fired; `anyResponse` says whether any phone answered the INVITE at all. */
  | { kind: 'no-answer'; anyResponse: boolean }
  | { kind: 'aborted' };

export interface ForkRequest {
  srf: Loose;
  branches: readonly ForkBranch[];
  /**
   * rtpengine's SDP for branch `i` (its own offer, ng via-branch); a rejection
   * fails that branch only. Without it every branch gets `sdp` (enough when no
   * early media is answered before the final answer, as for a transfer target).
   */
  sdpFor?(branch: number): Promise<string>;
  sdp?: string;
  /** Headers every branch's INVITE carries (Diversion for a forwarded call). */
  headers?: Record<string, string>;
  callingNumber?: string;
  callingName?: string;
  ringMs: number;
  /** Each 1xx from any branch, with the branch's index. */
  onProvisional(res: Loose, branch: number): void;
  log: Logger;
}

export const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';
const noop = () => undefined;

/** RFC 3261 §21: what the failed branches together say about the callee. */
export function classifyFailures(statuses: readonly (number | undefined)[]): { kind: 'busy' | 'unreachable' | 'failed'; status: number } {
  // §16.7 step 6: a 6xx ends the search; 600 Busy Everywhere and 603 Decline mean the user said no.
  const sixxx = statuses.find((s) => s !== undefined && s >= 600);
  if (sixxx !== undefined) return { kind: sixxx === 600 || sixxx === 603 ? 'busy' : 'failed', status: sixxx };
  if (statuses.includes(486)) return { kind: 'busy', status: 486 };
  // No status: the request never got out or sip-core gave up on the transport.
  const unreachable = (s: number | undefined) => s === undefined || s === 408 || s === 480 || s === 503;
  // Every phone answered 503 itself (not a timeout): it says it cannot take calls now, and the caller and the CDR hear that, not 480.
  if (statuses.every(unreachable))
    return { kind: 'unreachable', status: statuses.length > 0 && statuses.every((s) => s === 503) ? 503 : 480 };
  // §16.7 step 6 otherwise: the lowest class wins (4xx before 5xx); a challenge is ours, not the caller's.
  const real = statuses.filter((s): s is number => s !== undefined && s !== 401 && s !== 407 && !unreachable(s)).sort((a, b) => a - b);
  return { kind: 'failed', status: real[0] ?? 480 };
}

interface BranchState {
  target: ForkBranch;
  /** rtpengine's offer for this branch, kept for a retry on the same ng via-branch. */
  sdp?: string;
  delay?: NodeJS.Timeout;
  req?: Loose;
  cancelWith?: string | null;
  done: boolean;
  status?: number;
}

/** One forked INVITE; `outcome` settles once, `abort()` CANCELs what still rings. */
export class Fork {
  readonly outcome: Promise<ForkOutcome>;
  private settle: (o: ForkOutcome) => void = noop;
  private settled = false;
  private anyResponse = false;
  private readonly states: BranchState[];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly r: ForkRequest) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.states = r.branches.map((target) => ({ target, done: false }));
    this.timer = setTimeout(() => this.finish({ kind: 'no-answer', anyResponse: this.anyResponse }, null), r.ringMs);
    if (r.branches.length === 0) this.finish({ kind: 'unreachable', status: 480 }, null);
    r.branches.forEach((b, i) => this.launch(b, i));
  }

  /** The caller went away (A's CANCEL) or the call is being forwarded elsewhere. */
  abort(reason: string | null = null): void {
    this.finish({ kind: 'aborted' }, reason);
  }

  private launch(b: ForkBranch, i: number): void {
    const st = this.states[i]!;
    if (b.delayMs && b.delayMs > 0) {
      st.delay = setTimeout(() => {
        st.delay = undefined;
        this.launch({ ...b, delayMs: 0 }, i);
      }, b.delayMs);
      return;
    }
    const offered = st.sdp !== undefined ? Promise.resolve(st.sdp) : this.r.sdpFor ? this.r.sdpFor(i) : Promise.resolve(this.r.sdp ?? '');
    offered.then(
      (sdp) => {
        st.sdp = sdp;
        if (this.settled) return this.failed(i, new Error('fork ended before the branch was offered'));
        this.send(b, i, sdp);
      },
      (err: unknown) => {
        this.r.log.warn('fork branch offer failed', { branch: i, err: err instanceof Error ? err.message : String(err) });
        this.failed(i, err);
      },
    );
  }

  private send(b: ForkBranch, i: number, sdp: string): void {
    const st = this.states[i]!;
    const opts: Record<string, unknown> = { localSdp: sdp, headers: { ...(this.r.headers ?? {}) } };
    if (b.proxy) opts.proxy = b.proxy;
    if (this.r.callingNumber) opts.callingNumber = this.r.callingNumber;
    if (this.r.callingName) opts.callingName = this.r.callingName;
    let uac: Promise<Loose>;
    try {
      uac = this.r.srf.createUAC(b.contact, opts, {
        cbRequest: (err: unknown, req: Loose) => {
          if (err) return;
          st.req = req;
          // The fork ended before this INVITE went out: CANCEL it now (sip-core sends it after the first 1xx).
          if (st.cancelWith !== undefined) this.cancel(st);
        },
        cbProvisional: (res: Loose) => {
          this.anyResponse = true;
          if (!this.settled && res.status > 100) this.r.onProvisional(res, i);
        },
      });
    } catch (err) {
      // A Contact srf cannot parse: that phone is unreachable, the others still ring.
      this.r.log.warn('fork branch not sent', { contact: b.contact, err: err instanceof Error ? err.message : String(err) });
      uac = Promise.reject(err);
    }
    uac.then(
      (dialog) => this.answered(i, dialog),
      (err: unknown) => this.failed(i, err),
    );
  }

  private answered(i: number, dialog: Loose): void {
    const st = this.states[i]!;
    st.done = true;
    st.status = 200;
    if (this.settled) {
      // §13.2.2.4: a second 2xx (or one after our CANCEL crossed it) is ACKed by srf; we hang it up.
      this.r.log.info('late answer hung up', { branch: i });
      dialog.destroy({ headers: { Reason: COMPLETED_ELSEWHERE } }).catch(noop);
      st.target.ended?.();
      return;
    }
    st.target.answered?.();
    this.finish({ kind: 'answered', uac: dialog, branch: i, target: st.target }, COMPLETED_ELSEWHERE);
  }

  private failed(i: number, err: unknown): void {
    const st = this.states[i]!;
    const s = (err as { status?: unknown }).status;
    const status = typeof s === 'number' ? s : undefined;
    st.target.ended?.();
    const next = this.settled ? undefined : st.target.retry?.(status);
    if (next) {
      // Another target in this branch's place (the gateway's next port): same offer, same rtpengine branch.
      this.r.log.info('fork branch retried', { branch: i, status, contact: next.contact });
      if (status !== undefined) this.anyResponse = true;
      this.states[i] = { target: next, ...(st.sdp !== undefined ? { sdp: st.sdp } : {}), done: false };
      this.launch({ ...next, delayMs: 0 }, i);
      return;
    }
    st.done = true;
    st.status = status;
    if (this.settled) return;
    if (st.status !== undefined) this.anyResponse = true;
    if (this.states.some((x) => !x.done)) return; // others still ring (a busy phone does not end the fork)
    const c = classifyFailures(this.states.map((x) => x.status));
    const reason = (err as { reason?: unknown }).reason;
    this.finish({ ...c, ...(c.status === st.status && typeof reason === 'string' ? { reason } : {}) }, null);
  }

  /** Settles once and CANCELs every branch still ringing, with `reason` as the Reason header (null: none). */
  private finish(o: ForkOutcome, reason: string | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    for (const st of this.states) {
      if (st.done || st.cancelWith !== undefined) continue;
      if (st.delay) {
        // Never sent: nothing to CANCEL, only its hold to free.
        clearTimeout(st.delay);
        st.delay = undefined;
        st.done = true;
        st.target.ended?.();
        continue;
      }
      st.cancelWith = reason;
      if (st.req) this.cancel(st);
    }
    this.settle(o);
  }

  private cancel(st: BranchState): void {
    try {
      st.req.cancel(st.cancelWith ? { headers: { Reason: st.cancelWith } } : {}, noop);
    } catch (err) {
      this.r.log.warn('fork cancel failed', { err: err instanceof Error ? err.message : String(err) });
    }
  }
}
