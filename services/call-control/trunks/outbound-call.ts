// An admitted outbound call: the B leg through the route's trunks
// (trunk-dialer.ts), then A answered with rtpengine's SDP and both legs
// joined as any bridged call is (bridge-call.ts joinLegs: BYE either way,
// hold by re-INVITE, live registry, recording). The trunk's channel, the
// licence slot and the media session are freed by the Call's one end().
import type { UnconfirmedInbound } from './unconfirmed-inbound';
import { watchFirstAudio } from '../fmc/first-audio';
import type { Call } from '../call/call';
import { joinLegs, type BridgeDeps, type CallParties } from '../calls/bridge-call';
import type { MediaLegs } from '../calls/media-legs';
import type { CallRecording } from '../calls/recording';
import type { TrunkChannels } from './trunk-channels';
import { TrunkDialer, type DialWay } from './trunk-dialer';
import type { TrunkDirectory } from './trunk-directory';
import { outboundCallerId } from './trunk-request';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and dialogs
type Loose = any;

/** What call-control gives the trunk call flows (service.ts). */
export interface TrunkCallDeps {
  directory: TrunkDirectory;
  channels: TrunkChannels;
  /** The extension's caller ID settings (extension_features), if any. */
  features(tenantId: number, extension: string): { callerIdNumber: string; callerIdName: string } | undefined;
  failoverMs: number;
  /** Trunk signalling's verdict per trunk (trunk-status.ts isUsable). */
  usable?: (trunkId: number) => boolean;
  /** The cap on inbound trunk calls not yet answered (unconfirmed-inbound.ts); without it only the licence counts. */
  unconfirmed?: Pick<UnconfirmedInbound, 'take'>;
  /** FMC least-cost routing: ways through corporate SIMs tried before the route's trunks (fmc/lcr.ts); `number` is E.164. */
  lcr?: (tenantId: number, number: string, callId: string) => DialWay[];
}

export interface OutboundCall {
  call: Call;
  tenantId: number;
  /** The calling extension. */
  extension: string;
  req: Loose;
  res: Loose;
  legs: MediaLegs;
  offerSdp: string;
  route: { dialNumber: string; trunks: readonly string[] };
  /** The callee in E.164 (the dial plan's decision), for least-cost routing; without it only the route's trunks are tried. */
  number?: string;
  ringTimeoutMs: number;
  /** True once A's CANCEL arrived (the INVITE handler listens from the first moment). */
  cancelled(): boolean;
  onAnswered(): void;
  recording?: CallRecording;
  parties: CallParties;
  /**
   * Runs once the trunk and the caller have both answered, before they hear
   * each other (an outbound route's recording notice: features/external.ts).
   */
  beforeJoin?: () => Promise<unknown>;
}

const noop = () => undefined;

export async function placeOutboundCall(deps: BridgeDeps & { trunks: TrunkCallDeps }, call: OutboundCall): Promise<void> {
  const { res } = call;
  const c = call.call;
  const id = c.id;
  const log = c.log;

  const features = deps.trunks.features(call.tenantId, call.extension);
  const first = call.number && deps.trunks.lcr ? deps.trunks.lcr(call.tenantId, call.number, id) : [];
  const dialer = new TrunkDialer(
    { srf: deps.srf, directory: deps.trunks.directory, channels: deps.trunks.channels, ...(deps.trunks.usable ? { usable: deps.trunks.usable } : {}), recorder: deps.recorder, log: deps.log },
    {
      id,
      tenantId: call.tenantId,
      req: call.req,
      res,
      legs: call.legs,
      offerSdp: call.offerSdp,
      dialNumber: call.route.dialNumber,
      trunks: call.route.trunks,
      callerId: (t) => outboundCallerId(call.extension, features, t),
      failoverMs: deps.trunks.failoverMs,
      ringTimeoutMs: call.ringTimeoutMs,
      ...(first.length ? { first } : {}),
      ...(call.recording ? { recording: call.recording } : {}),
    },
  );
  call.req.on('cancel', () => dialer.cancel());
  if (call.cancelled()) dialer.cancel();
  const result = await dialer.dial();
  // The CDR's hangup names the trunk tried last, answered or not.
  if (result.trunk) c.cdr.trunk = result.trunk.name;
  if (!result.ok) {
    if (!res.finalResponseSent) res.send(result.status, result.reason, result.headers ? { headers: result.headers } : {});
    log.info('outbound call not connected', { status: result.status, why: result.cdrReason, trunkId: result.trunk?.id });
    return c.end(result.side, result.status, result.cdrReason);
  }
  const lease = result.lease;
  c.defer('trunk channel', () => lease.release());
  const { uac } = result;
  const answeredBy = result.trunk;
  if (result.quirks?.answerUnreliable) {
    // A GSM gateway's 200 may precede the callee's answer: the CDR says so and bills from the first audio.
    deps.recorder.event(id, { type: 'answer-unreliable', at: Date.now() });
    const tag: string = uac.sip.remoteTag;
    c.defer('first-audio watch', watchFirstAudio({ packets: () => call.legs.packetsFrom(tag), onAudio: (at) => deps.recorder.event(id, { type: 'audio', at }), log }));
  }
  let uas: Loose;
  try {
    uas = await deps.srf.createUAS(call.req, res, { localSdp: result.sdpToA });
  } catch (err) {
    // A went away between the trunk's 200 and ours (CANCEL crossing it, §9.2).
    log.info('caller gone before the answer reached it', { err: err instanceof Error ? err.message : String(err) });
    uac.destroy().catch(noop);
    return c.end('caller', 487);
  }
  uas.once('ack', () => (uac.queueRequests = false));
  uac.other = uas;
  uas.other = uac;
  log.info('outbound call answered', { trunkId: answeredBy.id });
  // A hang-up meanwhile is found by joinLegs (a dialog no longer connected).
  if (call.beforeJoin) await call.beforeJoin().catch((err: unknown) => log.error('before the parties were joined', { err: err instanceof Error ? err.message : String(err) }));
  await joinLegs(deps, { call: c, legs: call.legs, offerSdp: call.offerSdp, onAnswered: call.onAnswered, parties: call.parties, trunk: answeredBy.name, ...(call.recording ? { recording: call.recording } : {}) }, { uas, uac });
}
