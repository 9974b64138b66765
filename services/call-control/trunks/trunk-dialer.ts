// An outbound call's B leg through the route's trunks, in order (srf
// createUAC per attempt, so an attempt can be abandoned without touching
// the caller's leg). Failover to the next trunk on a 5xx, a 408, no
// response within `failoverMs` (a short Timer B, RFC 3261 §17.1.1.2: a dead
// trunk would otherwise hold the caller for 32 s), or the operator refusing
// our credentials; any other final response (486, 404, 403 …) is the
// callee's answer and goes back to the caller. A trunk at its channel limit
// is skipped. Provisional responses reach the caller as they come: 180, and
// 183 with early media through rtpengine (RFC 3960).
import type { Logger } from '../../common/logger';
import type { GatewayQuirks } from '../../fmc';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { MediaLegs } from '../calls/media-legs';
import type { CallRecording } from '../calls/recording';
import type { ChannelLease, TrunkChannels } from './trunk-channels';
import type { DirectoryTrunk, TrunkDirectory } from './trunk-directory';
import { callerIdHeaders, trunkUri, type CallerId } from './trunk-request';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and dialogs
type Loose = any;

export interface DialerDeps {
  srf: Loose;
  directory: Pick<TrunkDirectory, 'byRef'>;
  channels: TrunkChannels;
  /** Trunk signalling's verdict (registration failed, OPTIONS unanswered); absent: every trunk is usable. */
  usable?: (trunkId: number) => boolean;
  recorder: CdrRecorder;
  log: Logger;
}

export interface TrunkDial {
  id: string;
  tenantId: number;
  /** A's INVITE and its response, for the provisional responses A hears while trunks are tried. */
  req: Loose;
  res: Loose;
  legs: MediaLegs;
  offerSdp: string;
  dialNumber: string;
  /** Trunk references in failover order (ids or names, TrunkDirectory.byRef). */
  trunks: readonly string[];
  callerId(trunk: DirectoryTrunk): CallerId;
  failoverMs: number;
  ringTimeoutMs: number;
  recording?: CallRecording;
  /** Ways tried before the route's trunks (FMC least-cost routing through a SIM's GSM port, fmc/lcr.ts). */
  first?: readonly DialWay[];
}

/** One way out: a trunk (or a gateway port dressed as one), the number as it must be dialled there, and its channel. */
export interface DialWay {
  trunk: DirectoryTrunk;
  dialNumber: string;
  /** A channel for this attempt, or undefined when none is free. */
  take(): ChannelLease | undefined;
  /** Final statuses that mean "this way cannot", not the callee's answer (a GoIP's 404: no routing prefix). */
  failoverOn?: readonly number[];
  /** This way answered the call. */
  onAnswered?(): void;
  /** A GSM gateway's behaviour to absorb (fmc templates): provisional responses and the answer. */
  quirks?: GatewayQuirks;
}

export type DialResult =
  | { ok: true; uac: Loose; trunk: DirectoryTrunk; lease: ChannelLease; /** rtpengine's SDP for A from the trunk's answer. */ sdpToA: string; quirks?: GatewayQuirks }
  | { ok: false; status: number; reason: string; headers?: Record<string, string>; side: 'caller' | 'callee' | 'system'; cdrReason?: string; trunk?: DirectoryTrunk };

/** Why an attempt ended, as the failover loop sees it. */
type Attempt =
  | { kind: 'answered'; uac: Loose }
  | { kind: 'failover'; status: number; reason: string; cdrReason?: string; responded: boolean }
  | { kind: 'final'; status: number; reason: string }
  | { kind: 'stopped' };

export const TRUNK_REASONS = { timeout: 'trunk-timeout', unreachable: 'trunk-unreachable', authRefused: 'trunk-auth-refused', channelsBusy: 'trunk-channels-busy', noTrunk: 'no-trunk-available', media: 'media-error' } as const;

const noop = () => undefined;

/** RFC 3261 §21.5 / §21.4.9: server trouble, a timeout, or our credentials refused means "try the next trunk". */
function classify(err: unknown): Attempt {
  const status = (err as { status?: unknown }).status;
  const reason = typeof (err as { reason?: unknown }).reason === 'string' ? (err as { reason: string }).reason : '';
  if (typeof status !== 'number') return { kind: 'failover', status: 503, reason: 'Service Unavailable', cdrReason: TRUNK_REASONS.unreachable, responded: false };
  if (status === 401 || status === 407) return { kind: 'failover', status: 503, reason: 'Service Unavailable', cdrReason: TRUNK_REASONS.authRefused, responded: true };
  if (status === 408) return { kind: 'failover', status, reason: reason || 'Request Timeout', cdrReason: TRUNK_REASONS.timeout, responded: true };
  if (status >= 500 && status < 600) return { kind: 'failover', status, reason: reason || 'Service Unavailable', responded: true };
  return { kind: 'final', status, reason };
}

export class TrunkDialer {
  private stopWith: { status: number; reason: string; side: 'caller' | 'system'; cdrReason?: string; headers?: Record<string, string> } | undefined;
  private stopCurrent: () => void = noop;
  /** Provisional SDP answers and the final one go to rtpengine in order. */
  private media: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: DialerDeps,
    private readonly call: TrunkDial,
  ) {}

  /** A's CANCEL (RFC 3261 §9.2): the current attempt is cancelled and no further trunk is tried. */
  cancel(): void {
    this.stop({ status: 487, reason: 'Request Terminated', side: 'caller' });
  }

  async dial(): Promise<DialResult> {
    const { call, deps } = this;
    const log = deps.log.child({ callId: call.id });
    const ring = setTimeout(() => this.stop({ status: 480, reason: 'Temporarily Unavailable', side: 'system', cdrReason: 'ring-timeout', headers: { Reason: 'SIP;cause=480;text="ring timeout"' } }), call.ringTimeoutMs);
    let last: { status: number; reason: string; cdrReason?: string; trunk: DirectoryTrunk; responded: boolean } | undefined;
    let busySkipped: DirectoryTrunk | undefined;
    try {
      const routeWays = this.order(log).map((trunk): DialWay => ({ trunk, dialNumber: call.dialNumber, take: () => deps.channels.take(trunk) }));
      for (const way of [...(call.first ?? []), ...routeWays]) {
        const { trunk } = way;
        if (this.stopWith) break;
        const lease = way.take();
        if (!lease) {
          log.info('trunk skipped at its channel limit', { trunkId: trunk.id, channelLimit: trunk.channelLimit });
          busySkipped ??= trunk;
          continue;
        }
        const outcome = await this.attempt(way, lease, log);
        if (outcome.kind === 'answered') {
          const result = await this.answered(outcome.uac, trunk, lease, log);
          if (!result.ok) return result;
          way.onAnswered?.();
          return way.quirks ? { ...result, quirks: way.quirks } : result;
        }
        if (outcome.kind === 'stopped') break;
        if (outcome.kind === 'final') return { ok: false, status: outcome.status, reason: outcome.reason, side: 'callee', trunk };
        log.info('trunk failed, trying the next', { trunkId: trunk.id, status: outcome.status, why: outcome.cdrReason });
        last = { ...outcome, trunk };
      }
    } finally {
      clearTimeout(ring);
    }
    if (this.stopWith) return { ok: false, ...this.stopWith, ...(last ? { trunk: last.trunk } : {}) };
    if (last) return { ok: false, status: last.status, reason: last.reason, side: last.responded ? 'callee' : 'system', ...(last.cdrReason ? { cdrReason: last.cdrReason } : {}), trunk: last.trunk };
    // RFC 3326 / Q.850 cause 34 "no circuit/channel available": every trunk is full, which a caller may retry.
    if (busySkipped) return { ok: false, status: 503, reason: 'All Trunks Busy', headers: { Reason: 'Q.850;cause=34;text="trunk channel limit"' }, side: 'system', cdrReason: TRUNK_REASONS.channelsBusy, trunk: busySkipped };
    return { ok: false, status: 503, reason: 'No Trunk Available', headers: { Reason: 'Q.850;cause=3;text="no trunk available"' }, side: 'system', cdrReason: TRUNK_REASONS.noTrunk };
  }

  /**
   * The route's trunks in order, those signalling reports down moved to the
   * end: tried only when every other one failed, since the verdict may be
   * stale and an emergency call must not be refused for a keepalive.
   */
  private order(log: Logger): DirectoryTrunk[] {
    const { call, deps } = this;
    const found: DirectoryTrunk[] = [];
    for (const ref of call.trunks) {
      const trunk = deps.directory.byRef(call.tenantId, ref);
      if (!trunk || trunk.host === null) log.warn('route names no usable trunk', { trunk: ref });
      else if (!found.includes(trunk)) found.push(trunk);
    }
    const up = found.filter((t) => deps.usable?.(t.id) ?? true);
    const down = found.filter((t) => !up.includes(t));
    if (down.length > 0) log.info('trunks reported down are tried last', { trunkIds: down.map((t) => t.id) });
    return [...up, ...down];
  }

  private stop(why: NonNullable<TrunkDialer['stopWith']>): void {
    if (this.stopWith) return;
    this.stopWith = why;
    this.stopCurrent();
  }

  /**
   * One INVITE to one trunk. The lease is released here unless the attempt
   * is answered, and as soon as the attempt is given up: a trunk that never
   * answered holds no channel of ours while its transaction runs out.
   */
  private attempt(way: DialWay, lease: ChannelLease, log: Logger): Promise<Attempt> {
    const { call, deps } = this;
    const { trunk } = way;
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      let uacReq: Loose;
      const cancelUac = () => {
        try {
          // RFC 3261 §9.1: the stack sends the CANCEL once a provisional response has arrived.
          uacReq?.cancel(noop);
        } catch {
          // the transaction is already over
        }
      };
      const finish = (a: Attempt) => {
        if (settled) return;
        settled = true;
        if (a.kind !== 'answered') lease.release();
        clearTimeout(timer);
        this.stopCurrent = noop;
        resolve(a);
      };
      const timer = setTimeout(() => {
        log.warn('trunk did not answer the INVITE in time', { trunkId: trunk.id, failoverMs: call.failoverMs });
        cancelUac();
        finish({ kind: 'failover', status: 408, reason: 'Request Timeout', cdrReason: TRUNK_REASONS.timeout, responded: false });
      }, call.failoverMs);
      this.stopCurrent = () => {
        cancelUac();
        finish({ kind: 'stopped' });
      };
      const headers = { ...callerIdHeaders(trunk, call.callerId(trunk)), 'X-Korobka-Trunk': String(trunk.id) };
      deps.srf
        .createUAC(
          trunkUri(trunk, way.dialNumber),
          { localSdp: call.offerSdp, headers, ...(trunk.username && trunk.password !== undefined ? { auth: { username: trunk.username, password: trunk.password } } : {}) },
          {
            cbRequest: (err: unknown, r: Loose) => {
              if (err) return;
              uacReq = r;
              if (settled) cancelUac();
            },
            cbProvisional: (r: Loose) => {
              if (settled) return;
              clearTimeout(timer); // the trunk is alive: from here only the ring timeout applies
              this.provisional(r, way, log);
            },
          },
        )
        .then(
          (uac: Loose) => {
            if (settled) {
              // Answered after we gave up on it (CANCEL crossed the 200, §9.1): hang it up.
              uac.destroy().catch(noop);
              lease.release();
              return;
            }
            uac.queueRequests = true; // B's requests wait until A has its answer (as srf's createB2BUA does)
            finish({ kind: 'answered', uac });
          },
          (err: unknown) => {
            lease.release();
            const a = classify(err);
            finish(a.kind === 'final' && way.failoverOn?.includes(a.status) ? { kind: 'failover', status: 503, reason: 'Service Unavailable', cdrReason: TRUNK_REASONS.unreachable, responded: true } : a);
          },
        );
    });
  }

  /** 180 to A; 183 (or 180) with SDP through rtpengine so A hears the operator's announcements. */
  private provisional(r: Loose, way: DialWay, log: Logger): void {
    const { call, deps } = this;
    const { trunk, quirks } = way;
    let status: number = r.status;
    let reason: string = r.reason;
    if (status <= 100 || status >= 200) return;
    const at = Date.now();
    let body: string | undefined = r.body || undefined;
    // A GSM gateway's 183 without SDP (or with SDP but only silence) carries no ringback: RFC 3960 §3.2 leaves
    // the caller's phone to make its own, so it gets 180 Ringing, not a 183 that would keep it quiet.
    if (quirks && ((status === 183 && !body && (quirks.early183NoSdp || quirks.no180)) || (body && quirks.silent183))) {
      status = 180;
      reason = 'Ringing';
      body = undefined;
    }
    if (status === 183 || body) deps.recorder.event(call.id, { type: 'early-media', at, trunk: trunk.name });
    else deps.recorder.event(call.id, { type: 'ringing', at, trunk: trunk.name });
    this.media = this.media.then(async () => {
      if (call.res.finalResponseSent || this.stopWith) return;
      if (!body) return call.res.send(status, reason, {});
      try {
        const sdp = await call.legs.answerFromB(body, r.getParsedHeader('To').params.tag, r.source_address);
        if (!call.res.finalResponseSent && !this.stopWith) call.res.send(status, reason, { body: sdp, headers: { 'Content-Type': 'application/sdp' } });
      } catch (err) {
        log.warn('early media from the trunk not relayed', { trunkId: trunk.id, err: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** The trunk answered: its SDP through rtpengine; the call keeps the lease. */
  private async answered(uac: Loose, trunk: DirectoryTrunk, lease: ChannelLease, log: Logger): Promise<DialResult> {
    const { call } = this;
    await this.media;
    let sdpToA: string;
    // The trunk level of the recording policy applies to the trunk that answered.
    call.recording?.setTrunk(trunk.name);
    try {
      sdpToA = await call.legs.answerFromB(uac.remote.sdp, uac.sip.remoteTag, uac.res?.source_address, call.recording?.answerOptions());
    } catch (err) {
      log.error('rtpengine answer for the trunk failed', { trunkId: trunk.id, err: err instanceof Error ? err.message : String(err) });
      uac.destroy().catch(noop);
      lease.release();
      return { ok: false, status: 503, reason: 'Media Unavailable', side: 'system', cdrReason: TRUNK_REASONS.media, trunk };
    }
    if (this.stopWith) {
      // A cancelled (or the ring timer fired) while the 200 was on its way.
      uac.destroy().catch(noop);
      lease.release();
      return { ok: false, ...this.stopWith, trunk };
    }
    return { ok: true, uac, trunk, lease, sdpToA };
  }
}
