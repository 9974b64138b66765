// Dialogs by drachtio id and by the RFC 3261 §12.2.2 match of an incoming
// request (Call-ID + our tag, checked against the remote tag).
import { detach, type Dialog } from './dialog';

export class DialogStore {
  private readonly byId = new Map<string, Dialog>();
  private readonly byLocal = new Map<string, Dialog>();

  /** `onRemove` drops what others keep about a dialog (its session-timer deadline). */
  constructor(private readonly onRemove: (d: Dialog) => void = () => undefined) {}

  add(d: Dialog): void {
    this.byId.set(d.id, d);
    // A flat key: a concatenation would hold on to the strings it was made of.
    this.byLocal.set(detach(localKey(d.callId, d.localTag)), d);
  }

  get(id: string): Dialog | undefined {
    return this.byId.get(id);
  }

  /** An incoming in-dialog request: its To tag is our tag, its From tag the remote one. */
  matchIncoming(callId: string, toTag: string, fromTag: string | undefined): Dialog | undefined {
    const d = this.byLocal.get(localKey(callId, toTag));
    if (!d) return undefined;
    if (d.remoteTag !== undefined && fromTag !== undefined && d.remoteTag !== fromTag) return undefined;
    return d;
  }

  remove(d: Dialog): void {
    if (this.byId.get(d.id) === d) this.byId.delete(d.id);
    const k = localKey(d.callId, d.localTag);
    if (this.byLocal.get(k) === d) this.byLocal.delete(k);
    this.onRemove(d);
    d.terminate();
  }

  get size(): number {
    return this.byId.size;
  }

  all(): Dialog[] {
    return [...this.byId.values()];
  }
}

const localKey = (callId: string, localTag: string) => `${callId}\u0000${localTag}`;
