// The answered calls this process holds, by CDR id and by SIP dialog. One
// registry serves everything that acts on a call in progress: transfers
// (REFER with Replaces names the other call by its dialog, RFC 3891 §3),
// on-demand recording (a feature code arrives with rtpengine's call id, the
// API names the CDR id) and the live view for the dashboard and supervisors.
import type { HangupSide } from '../cdr/cdr-record';
import type { MediaLegs } from './media-legs';
import type { CallRecording } from './recording';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf dialogs have no typings
type SrfDialog = any;

export interface LiveCall {
  /** The CDR id, which is also rtpengine's call id. */
  id: string;
  tenantId: number;
  /** The caller's extension (or number, for calls from a trunk). */
  caller: string;
  /** The number the callee was reached at. */
  callee: string;
  answeredAt: number;
  /**
   * A's leg (we are its UAS) and B's leg (we are its UAC). After a transfer
   * the target's leg takes the transferor's place, so `uas` is "the caller's
   * side" and may then be a dialog we started (transfer.ts).
   */
  uas: SrfDialog;
  uac: SrfDialog;
  /** rtpengine's session of the call; a transfer moves the call to a new one. */
  legs: MediaLegs;
  /** The SDP B was last given (A's side is legs.sdpToA): kept for a restarted process (adopted-calls.ts). */
  sdpToB?: string;
  recording?: CallRecording;
  /**
   * Which parties are this tenant's extensions: feature codes are honoured
   * only from them, never from an outside caller. Absent: both (an internal call).
   */
  extensionParties?: ReadonlyArray<'caller' | 'callee'>;
  /** Ends the call exactly once (CDR, media, licence slot); set when the call can be transferred. */
  end?: (side: HangupSide, sipStatus?: number, reason?: string) => Promise<void>;
}

/** Where answered calls are written for a restarted process to take over (store `call_legs`). */
export interface LiveCallsPersistence {
  save(call: LiveCall): void;
  remove(id: string): void;
}

/** What the live view shows of a call: no dialogs, no media handles. */
export interface LiveCallSummary {
  id: string;
  tenantId: number;
  caller: string;
  callee: string;
  answeredAt: number;
}

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  /** rtpengine session → call id, for calls a transfer moved to a new session (DTMF reports name the session). */
  private readonly moved = new Map<string, string>();

  constructor(private readonly persistence?: LiveCallsPersistence, private readonly onError: (what: string, err: unknown) => void = () => undefined) {}

  add(call: LiveCall): void {
    this.calls.set(call.id, call);
    try {
      this.persistence?.save(call);
    } catch (err) {
      // The call goes on; only a restart of this process would lose it.
      this.onError('save', err);
    }
  }

  /** Changes a live call in place (a transfer swaps a leg, the media and a party's number). */
  update(id: string, patch: Partial<Omit<LiveCall, 'id'>>): LiveCall | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    Object.assign(call, patch);
    if (patch.legs && patch.legs.mediaId !== id) this.moved.set(patch.legs.mediaId, id);
    try {
      this.persistence?.save(call);
    } catch (err) {
      this.onError('save', err);
    }
    return call;
  }

  remove(id: string): void {
    if (!this.calls.delete(id)) return;
    for (const [media, callId] of this.moved) if (callId === id) this.moved.delete(media);
    try {
      this.persistence?.remove(id);
    } catch (err) {
      this.onError('remove', err);
    }
  }

  /** By CDR id, or by the rtpengine session a transfer moved the call to. */
  get(id: string): LiveCall | undefined {
    const moved = this.moved.get(id);
    return this.calls.get(id) ?? (moved === undefined ? undefined : this.calls.get(moved));
  }

  get size(): number {
    return this.calls.size;
  }

  /**
   * The call one of whose legs is the dialog `Call-ID` + tags (either order:
   * a Replaces header names the dialog as its sender sees it, RFC 3891 §3).
   */
  byDialog(callId: string, tagA: string, tagB: string): { call: LiveCall; leg: 'uas' | 'uac' } | undefined {
    for (const call of this.calls.values()) {
      for (const leg of ['uas', 'uac'] as const) {
        const d = call[leg];
        if (d?.sip?.callId !== callId) continue;
        const tags = [d.sip.localTag, d.sip.remoteTag];
        if (tags.includes(tagA) && tags.includes(tagB)) return { call, leg };
      }
    }
    return undefined;
  }

  list(tenantId?: number): LiveCallSummary[] {
    const out: LiveCallSummary[] = [];
    for (const c of this.calls.values()) {
      if (tenantId !== undefined && c.tenantId !== tenantId) continue;
      out.push({ id: c.id, tenantId: c.tenantId, caller: c.caller, callee: c.callee, answeredAt: c.answeredAt });
    }
    return out;
  }
}
