// The new leg of a blind transfer, to where the dial plan sends the
// Refer-To number: every phone of the extension, or out through the route's
// trunks with failover (trunk-dialer.ts, the same as a dialled outbound
// call). Either way the target gets an offer for the transferee's media on
// the transfer's own rtpengine session, and rings for at most the ring
// timeout; a failure is the status the transferor's NOTIFY will carry.
import type { Logger } from '../../common/logger';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { RtpengineMedia } from '../media/rtpengine-media';
import type { Binding } from '../registrar/location-service';
import type { TrunkCallDeps } from '../trunks/outbound-call';
import { TrunkDialer } from '../trunks/trunk-dialer';
import { outboundCallerId } from '../trunks/trunk-request';
import { Fork } from './fork';
import { natProxy } from '../registrar/location-service';
import { MediaLegs } from './media-legs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for dialogs, requests and responses
type Loose = any;

export class TransferFailed extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status} ${reason}`);
  }
}

/** What placing the target's leg needs; `trunks` absent: external numbers cannot be transfer targets. */
export interface TargetDeps {
  srf: Loose;
  media: RtpengineMedia;
  recorder: CdrRecorder;
  ringTimeoutMs: number;
  trunks?: TrunkCallDeps;
  log: Logger;
}

/** Lets the transfer stop ringing the target (the transferee hung up). */
export interface Ringing {
  cancel?: () => void;
}

/** The answered target: its dialog, and the trunk channel it holds until the call ends (none for a phone). */
export interface TargetLeg {
  dialog: Loose;
  release(): void;
}

const noop = () => undefined;

/**
 * Every phone of the target extension rings at once (fork.ts, as for a
 * dialled call); the first to answer is the target, the others are
 * CANCELed. Unconditional forwarding was already applied by the router.
 */
export async function inviteExtension(deps: TargetDeps, bindings: readonly Binding[], sdp: string, callingNumber: string, ringing: Ringing, referredBy?: string): Promise<TargetLeg> {
  const fork = new Fork({
    srf: deps.srf,
    branches: bindings.map((b) => {
      const proxy = natProxy(b.contact, b.source);
      return { contact: b.contact, ...(proxy ? { proxy } : {}) };
    }),
    sdp,
    ...(referredBy ? { headers: { 'Referred-By': referredBy } } : {}),
    callingNumber,
    ringMs: deps.ringTimeoutMs,
    onProvisional: noop,
    log: deps.log,
  });
  ringing.cancel = () => fork.abort();
  try {
    const o = await fork.outcome;
    if (o.kind === 'answered') return { dialog: o.uac, release: noop };
    if (o.kind === 'aborted') throw new TransferFailed(487, 'Request Terminated');
    if (o.kind === 'no-answer') throw new TransferFailed(480, 'Temporarily Unavailable');
    throw new TransferFailed(o.status, o.reason ?? (o.kind === 'busy' ? 'Busy Here' : 'Temporarily Unavailable'));
  } finally {
    ringing.cancel = undefined;
  }
}

export interface TrunkTarget {
  /** The call's CDR id (trunk-dialer reports its progress there; after the answer it is ignored). */
  callId: string;
  tenantId: number;
  /** The transferor: its outbound caller ID is what the operator sees. */
  extension: string;
  route: { dialNumber: string; trunks: readonly string[] };
  mediaId: string;
  /** The transferee's tag and SIP source on the transfer's session. */
  transfereeTag: string;
  transfereeSource?: string;
  sdp: string;
}

export async function dialTrunk(deps: TargetDeps, t: TrunkTarget, ringing: Ringing): Promise<TargetLeg> {
  const trunks = deps.trunks;
  if (!trunks) throw new TransferFailed(404, 'Not Found');
  const legs = new MediaLegs(deps.media, t.mediaId, t.transfereeTag, t.transfereeSource ?? '');
  const features = trunks.features(t.tenantId, t.extension);
  const dialer = new TrunkDialer(
    { srf: deps.srf, directory: trunks.directory, channels: trunks.channels, ...(trunks.usable ? { usable: trunks.usable } : {}), recorder: deps.recorder, log: deps.log },
    {
      id: t.callId,
      tenantId: t.tenantId,
      // No caller INVITE to relay provisional responses to: the transferor hears 100 and the outcome by NOTIFY.
      req: undefined,
      res: { finalResponseSent: true, send: noop },
      legs,
      offerSdp: t.sdp,
      dialNumber: t.route.dialNumber,
      trunks: t.route.trunks,
      callerId: (trunk) => outboundCallerId(t.extension, features, trunk),
      failoverMs: trunks.failoverMs,
      ringTimeoutMs: deps.ringTimeoutMs,
    },
  );
  ringing.cancel = () => dialer.cancel();
  try {
    const result = await dialer.dial();
    if (!result.ok) throw new TransferFailed(result.status, result.reason);
    // The dialer holds the trunk's requests until the caller has its answer; here the join follows at once.
    result.uac.queueRequests = false;
    return { dialog: result.uac, release: () => result.lease.release() };
  } finally {
    ringing.cancel = undefined;
  }
}
