// Call transfer through the B2BUA (RFC 3515 REFER, RFC 3891 Replaces, flows
// of RFC 5589). Either party of an answered call may transfer the other:
// - blind: REFER with Refer-To naming a number → 202, NOTIFY 100, a new
//   leg to the target; at its answer the transferee is re-INVITEd onto a new
//   rtpengine session shared with the target, NOTIFY 200, the transferor's
//   leg ends. A target that fails leaves the call as it was (the transferee
//   resumed if it was held);
// - attended: REFER whose Refer-To carries Replaces naming the transferor's
//   other call → the two far parties are re-INVITEd onto one new session,
//   NOTIFY 200, both of the transferor's legs end;
// - INVITE with Replaces (RFC 3891 §3) from a phone: it takes the named
//   leg's place, the leg's partner is re-INVITEd onto the phone's media.
// The call keeps its id, CDR row and licence slot; the target's leg takes
// the transferor's place in LiveCalls. From the first accepted REFER on,
// this module handles the call's BYEs and re-INVITEs (bridge-call's only
// know one fixed pair of legs), so a transferor that hangs up while the
// target rings does not end the transferee's call (RFC 5589 §6.1).
import type { Logger } from '../../common/logger';
import type { Call } from '../call/call';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { HangupSide } from '../cdr/cdr-record';
import { initialOfferPolicy, voiceCodecs } from '../media/codec-policy';
import type { RtpengineMedia } from '../media/rtpengine-media';
import type { TrunkCallDeps } from '../trunks/outbound-call';
import { reInvite } from './bridge-call';
import { routeCall, type RouteDecision, type RouterStores } from './call-router';
import type { LiveCall, LiveCalls } from './live-calls';
import { MediaLegs } from './media-legs';
import { joinSession, resumeTransferee } from './transfer-media';
import { continueOrigin, sendrecv } from './transfer-sdp';
import { errText, mediaSide, numberOf, other, sideOf, slotOf, sourceOf, type Slot } from './transfer-slots';
import { dialTrunk, inviteExtension, TransferFailed, type TargetLeg } from './transfer-target';
import { parseReferTo, parseReplaces, ReferError, referNotify, wantsNoSubscription, type ReferTarget, type ReplacesTarget } from './transfer-refer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for dialogs, requests and responses
type Loose = any;

/** What bridge-call calls once a call is answered and in LiveCalls. */
export interface TransferHook {
  attach(call: Call): void;
  /** A phone's INVITE with a Replaces header (RFC 3891 §3); the phone is authenticated already. */
  replaces(req: Loose, res: Loose, phone: { tenantId: number; extension: string }): Promise<void>;
}

export interface TransferDeps {
  srf: Loose;
  live: LiveCalls;
  router: RouterStores;
  media: RtpengineMedia;
  recorder: CdrRecorder;
  ringTimeoutMs: number;
  /** Outbound routes' trunks, for transfers to external numbers. */
  trunks?: TrunkCallDeps;
  /** After NOTIFY 200 the transferor should hang up itself (RFC 5589 §6.1); after this long we do. */
  byeWaitMs?: number;
  log: Logger;
}

type Report = (status: number, reason: string) => void;

interface Pending {
  transferor: Loose;
  transferorGone: boolean;
  /** The transferee hung up: stop, its call has ended. */
  aborted: boolean;
  cancel?: () => void;
  report: Report;
}

interface CallState {
  /** rtpengine sessions this call moved to; deleted when it ends. */
  media: Set<string>;
  seq: number;
  pending?: Pending;
  /** Trunk channels held by target legs, freed when the leg leaves the call or the call ends. */
  leases: Map<object, () => void>;
}

const noop = () => undefined;

export class Transfers implements TransferHook {
  private readonly states = new Map<string, CallState>();
  /** REFERs received per dialog: NOTIFYs of the second and later carry `id` (RFC 3515 §2.4.6). */
  private readonly refers = new WeakMap<object, number>();

  constructor(private readonly deps: TransferDeps) {}

  attach(c: Call): void {
    const { id } = c;
    const call = this.deps.live.get(id);
    if (!call) return;
    // What transfers take (target legs' trunk channels, the sessions the call moved to) ends with the call.
    c.defer('transfers', async () => {
      const st = this.states.get(id);
      this.states.delete(id);
      for (const release of st?.leases.values() ?? []) release();
      for (const m of st?.media ?? []) await this.deleteMedia(id, m);
    });
    for (const d of [call.uas, call.uac]) d.on('refer', (req: Loose, res: Loose) => this.refer(id, d, req, res));
  }

  /**
   * RFC 3891 §3: the INVITE's sender takes the place of the party on the
   * named leg (a phone completing a transfer, a pickup of an answered call).
   * Knowing the dialog's Call-ID and both tags is the authorisation, as §6
   * allows inside one administrative domain: only a phone of the same tenant
   * gets here. The sender's offer goes to the partner on a new session, the
   * partner's answer back in our 200, and the replaced leg gets a BYE.
   */
  async replaces(req: Loose, res: Loose, phone: { tenantId: number; extension: string }): Promise<void> {
    let r: ReplacesTarget;
    try {
      r = parseReplaces(String(req.get('Replaces')));
    } catch (err) {
      if (!(err instanceof ReferError)) throw err;
      return void res.send(400, 'Bad Replaces Header', {});
    }
    const found = this.deps.live.byDialog(r.callId, r.toTag, r.fromTag);
    if (!found || found.call.tenantId !== phone.tenantId) return void res.send(481, 'Call/Transaction Does Not Exist', {});
    // §3: early-only names a dialog still ringing; ours are answered.
    if (r.earlyOnly) return void res.send(486, 'Busy Here', {});
    if (!req.body) return void res.send(488, 'Offer Required', {});
    const { call, leg: slot } = found;
    if (this.states.get(call.id)?.pending) return void res.send(491, 'Request Pending', {});
    const log = this.deps.log.child({ callId: call.id });
    const st = this.adopt(call);
    const replaced = call[slot];
    st.pending = { transferor: replaced, transferorGone: false, aborted: false, report: noop };
    try {
      const partner = call[other(slot)];
      const tag: string = req.getParsedHeader('From').params.tag ?? '';
      const mediaId = this.newMediaId(call, st);
      const toPartner = await this.deps.media.offer({ callId: mediaId, fromTag: tag, sdp: req.body, codecs: initialOfferPolicy(req.body), ...(req.source_address ? { sipSourceAddress: req.source_address } : {}) });
      const answer: string = await partner.modify(continueOrigin(partner.local.sdp, toPartner.sdp));
      const toPhone = await this.deps.media.answer({ callId: mediaId, fromTag: tag, toTag: partner.sip.remoteTag, sdp: answer, ...sourceOf(partner) });
      const dialog = await this.deps.srf.createUAS(req, res, { localSdp: toPhone.sdp });
      this.switchOver(call, slot, dialog, mediaId, 'attended', phone.extension, log);
      if (replaced.connected) replaced.destroy().catch(noop);
    } catch (err) {
      log.warn('replaces failed', { err: errText(err) });
      if (!res.finalResponseSent) res.send(503, 'Service Unavailable', {});
    } finally {
      st.pending = undefined;
      for (const m of st.media) if (m !== this.deps.live.get(call.id)?.legs.mediaId) void this.deleteMedia(call.id, m);
    }
  }

  private refer(id: string, d: Loose, req: Loose, res: Loose): void {
    this.onRefer(id, d, req, res).catch((err: unknown) => {
      this.deps.log.error('transfer failed', { callId: id, err: errText(err) });
      if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
    });
  }

  private async onRefer(id: string, d: Loose, req: Loose, res: Loose): Promise<void> {
    const call = this.deps.live.get(id);
    const slot = call && slotOf(call, d);
    if (!call || !slot) return void res.send(481, 'Call/Transaction Does Not Exist', {});
    const log = this.deps.log.child({ callId: id });
    // Only our own phones transfer: an operator's REFER (or an outside caller's) is refused.
    if (call.extensionParties && !call.extensionParties.includes(sideOf(slot))) return void res.send(403, 'Forbidden', {});
    // One transfer at a time per call; the phone may retry.
    if (this.states.get(id)?.pending) return void res.send(491, 'Request Pending', {});
    let target: ReferTarget;
    try {
      target = parseReferTo(req.get('Refer-To'));
    } catch (err) {
      if (!(err instanceof ReferError)) throw err;
      log.info('refer refused', { code: err.code, status: err.status, referTo: String(req.get('Refer-To')).slice(0, 200) });
      return void res.send(err.status, err.message.slice(0, 120), {});
    }
    let route: RouteDecision | undefined;
    if (!target.replaces) {
      // The transferor places this call: its own outbound permission applies (a 403 here, not a NOTIFY).
      route = routeCall(this.deps.router, call.tenantId, numberOf(call, slot), target.user);
      if (route.kind === 'refuse' && (route.status === 403 || route.status === 404 || route.status === 484)) {
        log.info('refer refused', { code: route.code, status: route.status, to: target.user });
        return void res.send(route.status, route.reason, {});
      }
    }
    const noSub = wantsNoSubscription(req.get('Refer-Sub'));
    // RFC 4488 §4: accepting "no subscription" is said with Refer-Sub: false in the 2xx.
    res.send(202, 'Accepted', noSub ? { headers: { 'Refer-Sub': 'false' } } : {});
    const st = this.adopt(call);
    const pending: Pending = { transferor: d, transferorGone: false, aborted: false, report: this.reporter(d, req, noSub, log) };
    st.pending = pending;
    pending.report(100, 'Trying');
    log.info('transfer accepted', { kind: target.replaces ? 'attended' : 'blind', by: sideOf(slot), to: target.user });
    try {
      if (target.replaces) await this.attended(call, slot, target, st, pending, log);
      else await this.blind(call, slot, target, route!, st, pending, log);
    } catch (err) {
      const f = err instanceof TransferFailed ? err : new TransferFailed(503, 'Service Unavailable');
      if (!(err instanceof TransferFailed)) log.warn('transfer failed', { err: errText(err) });
      await this.failed(call, slot, pending, f, log);
    } finally {
      if (st.pending === pending) st.pending = undefined;
      // Sessions a failed attempt opened; the one the call now uses stays.
      for (const m of st.media) if (m !== this.deps.live.get(id)?.legs.mediaId) void this.deleteMedia(id, m);
    }
  }

  /** From the first REFER on, the call's BYEs and re-INVITEs are handled here (see the file comment). */
  private adopt(call: LiveCall): CallState {
    let st = this.states.get(call.id);
    if (st) return st;
    st = { media: new Set(), seq: 0, leases: new Map() };
    this.states.set(call.id, st);
    this.wire(call.id, call.uas);
    this.wire(call.id, call.uac);
    return st;
  }

  private wire(id: string, d: Loose): void {
    // bridge-call's listeners (or another call's, for a leg moved by an attended transfer) go.
    for (const e of ['destroy', 'modify', 'refer']) d.removeAllListeners(e);
    d.on('destroy', () => void this.legGone(id, d).catch((err: unknown) => this.deps.log.error('transfer: hangup failed', { callId: id, err: errText(err) })));
    d.on('modify', (req: Loose, res: Loose) => void this.modify(id, d, req, res));
    d.on('refer', (req: Loose, res: Loose) => this.refer(id, d, req, res));
  }

  private async legGone(id: string, d: Loose): Promise<void> {
    const call = this.deps.live.get(id);
    const slot = call && slotOf(call, d);
    if (!call || !slot) return; // a transferor's leg that left after its transfer
    const p = this.states.get(id)?.pending;
    if (p && p.transferor === d) {
      // RFC 5589 §6.1: the transferor may hang up once the REFER is accepted; the transfer goes on.
      p.transferorGone = true;
      return;
    }
    if (p) {
      p.aborted = true;
      p.cancel?.();
      p.report(487, 'Request Terminated');
    }
    const o = call[other(slot)];
    if (o?.connected) o.destroy().catch(noop);
    await call.end?.(sideOf(slot), 200);
  }

  private async modify(id: string, d: Loose, req: Loose, res: Loose): Promise<void> {
    const call = this.deps.live.get(id);
    const slot = call && slotOf(call, d);
    const o = call && slot && call[other(slot)];
    // A leg already out of the call (or whose partner left while a transfer runs) keeps its session as it was.
    if (!call || !slot || !o?.connected) return void res.send(200, { body: d.local.sdp, headers: { 'Content-Type': 'application/sdp' } });
    await reInvite(call.legs, mediaSide(slot), req, res, o, this.deps.log.child({ callId: id }));
  }

  /** NOTIFYs on the transferor's dialog (RFC 3515 §2.4.4); one final status only, none with Refer-Sub: false. */
  private reporter(d: Loose, req: Loose, noSub: boolean, log: Logger): Report {
    const n = (this.refers.get(d) ?? 0) + 1;
    this.refers.set(d, n);
    const cseq = Number.parseInt(String(req.get('CSeq')), 10);
    const eventId = n > 1 && Number.isFinite(cseq) ? cseq : undefined;
    let done = false;
    return (status, reason) => {
      if (noSub || done || !d.connected) return;
      if (status >= 200) done = true;
      d.request(referNotify(status, reason, eventId)).catch((err: unknown) => log.info('refer notify failed', { status, err: errText(err) }));
    };
  }

  private async blind(call: LiveCall, slot: Slot, target: ReferTarget, route: RouteDecision, st: CallState, p: Pending, log: Logger): Promise<void> {
    // Target-state refusals (not registered, DND) are the referenced call's result: NOTIFY, not a REFER failure.
    if (route.kind === 'refuse') throw new TransferFailed(route.status, route.reason);
    if (route.kind !== 'extension' && route.kind !== 'trunk') throw new TransferFailed(404, 'Not Found');
    const transferee = call[other(slot)];
    const mediaId = this.newMediaId(call, st);
    const source = sourceOf(transferee);
    const sdpA = sendrecv(transferee.remote.sdp);
    // G.711 to the target, transcoded if the transferee has none (a GSM gateway's G.729), as for a dialled call.
    const offer = await this.deps.media.offer({ callId: mediaId, fromTag: transferee.sip.remoteTag, sdp: sdpA, codecs: initialOfferPolicy(sdpA), ...source });
    const referredBy: unknown = p.transferor.req?.get?.('Referred-By');
    const leg: TargetLeg =
      route.kind === 'extension'
        ? await inviteExtension(this.deps, route.hop.bindings, offer.sdp, numberOf(call, other(slot)), p, typeof referredBy === 'string' ? referredBy : undefined)
        : await dialTrunk(this.deps, { callId: call.id, tenantId: call.tenantId, extension: numberOf(call, slot), route: route.route, mediaId, transfereeTag: transferee.sip.remoteTag, ...(source.sipSourceAddress ? { transfereeSource: source.sipSourceAddress } : {}), sdp: offer.sdp }, p);
    const dialog = leg.dialog;
    if (p.aborted) {
      dialog.destroy().catch(noop);
      leg.release();
      return;
    }
    try {
      await joinSession(this.deps.media, call[other(slot)], dialog, mediaId);
    } catch (err) {
      dialog.destroy().catch(noop);
      leg.release();
      throw err;
    }
    st.leases.set(dialog, leg.release);
    this.switchOver(call, slot, dialog, mediaId, 'blind', route.number, log);
  }

  private async attended(call: LiveCall, slot: Slot, target: ReferTarget, st: CallState, p: Pending, log: Logger): Promise<void> {
    const r = target.replaces!;
    const found = this.deps.live.byDialog(r.callId, r.toTag, r.fromTag);
    // RFC 3891 §3: no such dialog → 481; the NOTIFY reports what an INVITE with Replaces would have got.
    if (!found || found.call.id === call.id || found.call.tenantId !== call.tenantId) throw new TransferFailed(481, 'Call/Transaction Does Not Exist');
    const call2 = found.call;
    // RFC 3891 §6: only a party of the replaced dialog may have it replaced.
    if (numberOf(call2, found.leg) !== numberOf(call, slot)) throw new TransferFailed(403, 'Forbidden');
    if (r.earlyOnly) throw new TransferFailed(486, 'Busy Here');
    if (this.states.get(call2.id)?.pending) throw new TransferFailed(491, 'Request Pending');
    const st2 = this.adopt(call2);
    const p2: Pending = { transferor: call2[found.leg], transferorGone: false, aborted: false, report: noop };
    st2.pending = p2;
    try {
      const cSlot = other(found.leg);
      const cDialog = call2[cSlot];
      const transferee = call[other(slot)];
      const mediaId = this.newMediaId(call, st);
      const sdpA = sendrecv(transferee.remote.sdp);
      const offer = await this.deps.media.offer({ callId: mediaId, fromTag: transferee.sip.remoteTag, sdp: sdpA, codecs: initialOfferPolicy(sdpA), ...sourceOf(transferee) });
      await cDialog.modify(continueOrigin(cDialog.local.sdp, offer.sdp));
      try {
        if (p.aborted || p2.aborted) throw new TransferFailed(487, 'Request Terminated');
        await joinSession(this.deps.media, call[other(slot)], cDialog, mediaId);
      } catch (err) {
        // The target already talks to the new session: the consultation call cannot go back; it ends.
        log.warn('attended transfer: the parties could not be joined; consultation call ended', { err: errText(err) });
        st2.pending = undefined;
        await this.hangUp(call2, 'system', 'transfer-failed');
        throw err;
      }
      this.switchOver(call, slot, cDialog, mediaId, 'attended', numberOf(call2, cSlot), log);
      // The consultation call is over for its CDR: the transferor left it, its far party went on in this call.
      st2.pending = undefined;
      const b2 = call2[found.leg];
      if (b2?.connected) b2.destroy().catch(noop);
      await call2.end?.(sideOf(found.leg), 200, 'transferred');
    } finally {
      if (st2.pending === p2) st2.pending = undefined;
    }
  }

  /** The target takes the transferor's place: LiveCalls, media, CDR; the transferor is told and let go. */
  private switchOver(call: LiveCall, slot: Slot, targetDialog: Loose, mediaId: string, kind: 'blind' | 'attended', to: string, log: Logger): void {
    const transferor = call[slot];
    const oldMedia = call.legs.mediaId;
    const uas = slot === 'uas' ? targetDialog : call.uas;
    const uac = slot === 'uac' ? targetDialog : call.uac;
    const legs = new MediaLegs(this.deps.media, mediaId, uas.sip.remoteTag, sourceOf(uas).sipSourceAddress ?? '');
    legs.tagB = uac.sip.remoteTag;
    // What each party was last given, for a restarted process that takes the call over (adopted-calls.ts).
    legs.sdpToA = uas.local.sdp;
    // The codecs each side settled on, which later re-offers (hold, resume) keep offering (codec-policy.ts).
    legs.negotiated.A = voiceCodecs(String(uas.local.sdp ?? ''));
    legs.negotiated.B = voiceCodecs(String(uac.remote.sdp ?? ''));
    this.deps.live.update(call.id, { uas, uac, legs, sdpToB: uac.local.sdp, ...(slot === 'uas' ? { caller: to } : { callee: to }) });
    this.wire(call.id, targetDialog);
    this.deps.recorder.event(call.id, { type: 'transfer', at: Date.now(), kind, to, by: sideOf(slot) });
    // The recording follows the call (recording.ts moveTo) before the old session, and its capture, goes.
    const moved = call.recording?.moveTo(legs, String(uac.local.sdp ?? '')) ?? Promise.resolve();
    void moved.then(() => this.deleteMedia(call.id, oldMedia));
    const st = this.states.get(call.id);
    st?.leases.get(transferor)?.();
    st?.leases.delete(transferor);
    const p = st?.pending;
    p?.report(200, 'OK');
    log.info('call transferred', { kind, by: sideOf(slot), to, media: mediaId });
    if (transferor.connected && !p?.transferorGone) {
      const t = setTimeout(() => {
        if (transferor.connected) transferor.destroy().catch(noop);
      }, this.deps.byeWaitMs ?? 5000);
      t.unref?.();
    }
  }

  /** The referenced call failed: the transferor hears why; the call goes on as it was, or ends if the transferor left. */
  private async failed(call: LiveCall, slot: Slot, p: Pending, f: TransferFailed, log: Logger): Promise<void> {
    log.info('transfer failed', { status: f.status, reason: f.reason });
    if (p.aborted) return;
    p.report(f.status, f.reason);
    if (p.transferorGone || !call[slot].connected) {
      await this.hangUp(call, sideOf(slot), 'transfer-failed');
      return;
    }
    await resumeTransferee(call, slot, log);
  }

  /** Both legs get a BYE (those still up) and the call ends. */
  private async hangUp(call: LiveCall, side: HangupSide, reason: string): Promise<void> {
    for (const d of [call.uas, call.uac]) if (d?.connected) d.destroy().catch(noop);
    await call.end?.(side, 200, reason);
  }

  private newMediaId(call: LiveCall, st: CallState): string {
    st.seq++;
    const id = `${call.id}~x${st.seq}`;
    st.media.add(id);
    return id;
  }

  private async deleteMedia(callId: string, mediaId: string): Promise<void> {
    this.states.get(callId)?.media.delete(mediaId);
    try {
      await this.deps.media.delete(mediaId);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'media-call-not-found') this.deps.log.warn('transfer: rtpengine delete failed', { callId, media: mediaId, err: errText(err) });
    }
  }
}
