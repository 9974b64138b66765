// What a call must get before any feature runs, in the order that keeps
// refusals cheap: an SDP offer, the inbound trunk's channel, the licence's
// slot (503 with a Q.850 Reason), then the rtpengine session. Each is
// deferred on the Call as it is taken, so a refusal at any step — or any
// later failure — frees exactly what was taken, once.
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { CallLedger } from '../../../licensing/admission';
import type { Limits } from '../../../licensing/profiles';
import type { Call } from '../call/call';
import type { SrfCallerLeg } from '../call/srf-legs';
import { SYSTEM_REASONS } from '../cdr/cdr-machine';
import { codecRefusalHeaders } from '../media/codec-policy';
import type { RtpengineMedia } from '../media/rtpengine-media';
import type { Origin } from '../trunks/inbound-origin';
import type { TrunkChannels } from '../trunks/trunk-channels';
import type { UnconfirmedInbound } from '../trunks/unconfirmed-inbound';
import { MediaLegs } from './media-legs';

export interface CallCounters {
  attempts: number;
  answered: number;
  refusedByLicence: number;
  refused: number;
}

export interface AdmitDeps {
  media: RtpengineMedia;
  ledger: CallLedger;
  limits: () => Pick<Limits, 'concurrentCalls'>;
  counters: CallCounters;
  channels?: Pick<TrunkChannels, 'take'>;
  /** InviteDeps' trunks: the cap on unanswered inbound trunk calls lives there. */
  trunks?: { unconfirmed?: Pick<UnconfirmedInbound, 'take'> | undefined };
}

const DELETE_RETRIES_MS = [1000, 5000, 20000];

/**
 * Frees the call's media ports. Under load rtpengine may miss an ng reply;
 * an undeleted session would hold its ports until rtpengine's own timeout
 * and starve new calls ("Ran out of ports"), so a timed-out delete is retried.
 */
export async function deleteMedia(media: RtpengineMedia, id: string, log: Logger, attempt = 0): Promise<void> {
  try {
    await media.delete(id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'media-call-not-found') return;
    const retryIn = err instanceof AppError && err.code === 'rtpengine-timeout' ? DELETE_RETRIES_MS[attempt] : undefined;
    log.warn('rtpengine delete failed', { attempt, retryInMs: retryIn, err: err instanceof Error ? err.message : String(err) });
    if (retryIn !== undefined) setTimeout(() => void deleteMedia(media, id, log, attempt + 1), retryIn).unref();
  }
}

/** Refuses the caller's INVITE and ends the call (counted in health's calls.refused). */
export function refuse(deps: Pick<AdmitDeps, 'counters'>, call: Call, a: SrfCallerLeg, status: number, reason: string, code: string, headers: Record<string, string> = {}): Promise<void> {
  deps.counters.refused++;
  a.reject(status, reason, headers);
  return call.end('system', status, code);
}

/** The media session with rtpengine's offer for the called side, or undefined when the call was refused or cancelled (ended). */
export async function admitCall(deps: AdmitDeps, call: Call, a: SrfCallerLeg, origin: Origin): Promise<{ legs: MediaLegs; offerSdp: string } | undefined> {
  const { req } = a;
  const log = call.log;
  if (!req.body) return void (await refuse(deps, call, a, 488, 'Offer Required', 'no-sdp-offer'));
  // An inbound call holds one of its trunk's channels (RFC 3326 Reason: Q.850 34, no circuit available).
  if (origin.trunk && deps.channels) {
    const lease = deps.channels.take(origin.trunk);
    if (!lease) {
      log.warn('inbound call over the trunk channel limit', { trunkId: origin.trunk.id, channelLimit: origin.trunk.channelLimit });
      return void (await refuse(deps, call, a, 503, 'All Trunk Channels Busy', 'trunk-channels-busy', { Reason: 'Q.850;cause=34;text="trunk channel limit"' }));
    }
    call.defer('trunk channel', () => lease.release());
  }
  // Unanswered trunk calls are vouched for only by a forgeable UDP source: their own cap, before the licence (issue 16 item 4).
  if (origin.trunk && deps.trunks?.unconfirmed && !deps.trunks.unconfirmed.take(call)) {
    log.warn('inbound trunk call over the cap of unanswered trunk calls', { trunkId: origin.trunk.id });
    return void (await refuse(deps, call, a, 503, 'Too Many Unanswered Trunk Calls', 'trunk-unconfirmed-limit', { Reason: 'Q.850;cause=34;text="unanswered trunk calls"' }));
  }
  // Licence admission before any port is taken (ARCHITECTURE.md: refused with a clear SIP response).
  const decision = deps.ledger.admit(deps.limits(), call.id);
  if (!decision.admit) {
    deps.counters.refusedByLicence++;
    log.warn('call refused by the licence limit', { activeCalls: decision.activeCalls, limit: decision.limit });
    return void (await refuse(deps, call, a, decision.sip.status, decision.sip.reasonPhrase, SYSTEM_REASONS.licenceCapacity, decision.sip.headers));
  }
  call.defer('licence slot', () => deps.ledger.release(call.id));
  const legs = new MediaLegs(deps.media, call.id, a.mediaTag, req.source_address);
  // Not awaited at the end: the slot is free at once, a timed-out delete retries on its own (deleteMedia).
  call.defer('media session', () => void deleteMedia(deps.media, call.id, log));
  let offerSdp: string;
  try {
    offerSdp = await legs.offerFromA(req.body);
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'rtpengine-error';
    log.error('rtpengine offer failed', { code, reason: err instanceof Error ? err.message : String(err) });
    const bad = code === 'invalid-media-request' || code === 'incompatible-codecs';
    return void (await refuse(deps, call, a, bad ? 488 : 503, bad ? 'Not Acceptable Here' : 'Media Unavailable', code, codecRefusalHeaders(err)));
  }
  if (a.cancelled) {
    // CANCEL arrived while rtpengine answered: RFC 3261 §9.2, the INVITE ends with 487.
    a.reject(487, 'Request Terminated');
    return void (await call.end('caller', 487));
  }
  call.media = legs;
  return { legs, offerSdp };
}
