// Calls taken over after a restart. A killed call-control leaves answered
// calls behind: rtpengine keeps relaying their media and sip-core keeps their
// dialogs for `drachtio.orphanGraceSeconds`, then hands them to us when we
// route `invite` again (sip-core/drachtio/orphan-dialogs.ts). drachtio-srf
// knows nothing of dialogs it did not create, so their in-dialog requests
// reach this middleware by drachtio dialog id, matched against the legs the
// previous process stored at answer (store `call_legs`):
// - BYE from either side: 200, BYE to the other side by dialog id, media
//   deleted, licence slot freed, CDR completed with the real end time;
// - re-INVITE / UPDATE (session refresh, hold): answered with the SDP that
//   side was last given, so the session goes on unchanged (a hold after a
//   restart is therefore not re-negotiated through rtpengine);
// - REFER: 403 (a transfer needs the live legs this process does not have);
// - anything else in the dialog (INFO, NOTIFY, OPTIONS): 200.
// A call whose dialogs sip-core no longer has (it restarted too, or the
// grace period ran out) never sends us a BYE: CDR recovery still watches its
// media and ends it (`forget`).
import type { Logger } from '../../common/logger';
import type { CallLedger } from '../../../licensing/admission';
import { close } from '../cdr/cdr-machine';
import type { CdrRecord, HangupSide } from '../cdr/cdr-record';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf requests and responses have no typings
type Loose = any;

export interface AdoptedLegs {
  cdrId: string;
  aDialog: string;
  bDialog: string;
  mediaId: string;
  sdpToA: string;
  sdpToB: string;
}

export interface AdoptedCallsDeps {
  srf: Loose;
  legs: {
    foreign(owner: string): AdoptedLegs[];
    adopt(owner: string, cdrIds: readonly string[]): void;
    remove(cdrId: string): void;
  };
  cdrs: { get(id: string): CdrRecord | undefined; close(cdr: CdrRecord): unknown };
  /** Deletes the call's rtpengine session (retrying as the invite handler does). */
  deleteMedia(mediaId: string): Promise<void>;
  ledger: CallLedger;
  owner: string;
  now: () => number;
  log: Logger;
}

export class AdoptedCalls {
  private readonly byDialog = new Map<string, { legs: AdoptedLegs; side: 'A' | 'B' }>();
  private readonly byCdr = new Map<string, AdoptedLegs>();

  constructor(private readonly deps: AdoptedCallsDeps) {}

  get size(): number {
    return this.byCdr.size;
  }

  /** Takes over the calls a previous process stored whose CDR is still open; returns how many. */
  load(): number {
    const taken: string[] = [];
    for (const legs of this.deps.legs.foreign(this.deps.owner)) {
      const cdr = this.deps.cdrs.get(legs.cdrId);
      if (cdr && cdr.status !== 'in-progress') {
        this.deps.legs.remove(legs.cdrId); // ended meanwhile (recovery closed it): nothing to carry
        continue;
      }
      // Killed within the CDR batch window after the answer: the call still needs its BYEs carried across.
      if (!cdr) this.deps.log.error('taken-over call has no cdr row', { callId: legs.cdrId });
      this.byCdr.set(legs.cdrId, legs);
      this.byDialog.set(legs.aDialog, { legs, side: 'A' });
      this.byDialog.set(legs.bDialog, { legs, side: 'B' });
      this.deps.ledger.hold(legs.cdrId);
      taken.push(legs.cdrId);
    }
    this.deps.legs.adopt(this.deps.owner, taken);
    if (taken.length > 0) this.deps.log.info('calls taken over from the previous process', { calls: taken.length });
    return taken.length;
  }

  /** srf middleware: requests in the dialogs of taken-over calls; everything else goes on. */
  middleware() {
    return (req: Loose, res: Loose, next: () => void): void => {
      const hit = req.stackDialogId ? this.byDialog.get(req.stackDialogId) : undefined;
      if (!hit) return next();
      try {
        this.handle(hit.legs, hit.side, req, res);
      } catch (err) {
        this.deps.log.error('request in a taken-over call failed', { callId: hit.legs.cdrId, method: req.method, err: err instanceof Error ? err.message : String(err) });
        if (!res.finalResponseSent) res.send(500);
      }
    };
  }

  /** CDR recovery ended the call (its media went silent): stop carrying it. */
  forget(cdrId: string): void {
    const legs = this.byCdr.get(cdrId);
    if (!legs) return;
    this.drop(legs);
    for (const dialogId of [legs.aDialog, legs.bDialog]) this.bye(dialogId, legs.cdrId);
  }

  private handle(legs: AdoptedLegs, side: 'A' | 'B', req: Loose, res: Loose): void {
    switch (req.method) {
      case 'BYE':
        res.send(200);
        this.end(legs, side === 'A' ? 'caller' : 'callee');
        return;
      case 'INVITE':
      case 'UPDATE': {
        const sdp = side === 'A' ? legs.sdpToA : legs.sdpToB;
        // RFC 3261 §14.2 / RFC 3311 §5.2: an offer gets an answer; the session as it was is the answer we can give.
        if (req.body && sdp) res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } });
        else res.send(200);
        return;
      }
      case 'ACK':
        return;
      case 'REFER':
        // RFC 3515 §2.4.2: a REFER we will not act on is refused, never accepted; transfer needs the call's live legs.
        res.send(403, 'Transfer Not Available After Restart');
        return;
      default:
        res.send(200);
    }
  }

  private end(legs: AdoptedLegs, side: HangupSide): void {
    if (!this.byCdr.has(legs.cdrId)) return;
    this.drop(legs);
    this.bye(side === 'caller' ? legs.bDialog : legs.aDialog, legs.cdrId);
    const cdr = this.deps.cdrs.get(legs.cdrId);
    if (cdr?.status === 'in-progress') {
      try {
        this.deps.cdrs.close(close(cdr, this.deps.now(), side, 200, undefined, 'completed'));
      } catch (err) {
        // Left in-progress: CDR recovery completes it from the media's last packet.
        this.deps.log.error('cdr write failed', { callId: legs.cdrId, err: err instanceof Error ? err.message : String(err) });
      }
    }
    void this.deps.deleteMedia(legs.mediaId);
    this.deps.log.info('taken-over call ended', { callId: legs.cdrId, side });
  }

  private drop(legs: AdoptedLegs): void {
    this.byCdr.delete(legs.cdrId);
    this.byDialog.delete(legs.aDialog);
    this.byDialog.delete(legs.bDialog);
    this.deps.ledger.release(legs.cdrId);
    this.deps.legs.remove(legs.cdrId);
  }

  private bye(dialogId: string, cdrId: string): void {
    // srf's own Dialog sends in-dialog requests this way: sip-core finds the dialog by id; the URI is a placeholder.
    Promise.resolve(this.deps.srf.request('sip:placeholder', { method: 'BYE', stackDialogId: dialogId })).catch((err: unknown) =>
      this.deps.log.warn('bye in a taken-over call failed', { callId: cdrId, err: err instanceof Error ? err.message : String(err) }),
    );
  }
}
