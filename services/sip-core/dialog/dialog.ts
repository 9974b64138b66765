// A SIP dialog as sip-core keeps it (RFC 3261 §12): identifiers, the route set,
// the remote target, sequence numbers, and which app connection owns it.
import type { AppConnection } from '../drachtio/app-connection';
import type { SipRequest } from '../sip/message';
import type { Destination, MessageSource } from '../sip/types';

export type DialogRole = 'uas' | 'uac';
export type DialogState = 'early' | 'confirmed' | 'terminated';
/** What created the dialog; SUBSCRIBE dialogs have no ACK or 2xx retransmission. */
export type DialogKind = 'invite' | 'subscribe';

/** notes A.6.6: `<Call-ID>;from-tag=<From tag of the dialog-creating request>`. */
export function dialogIdOf(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}

export interface DialogInit {
  role: DialogRole;
  kind: DialogKind;
  callId: string;
  localTag: string;
  remoteTag?: string;
  /** From (UAC) or To (UAS) of the creating request, without tag. */
  localAddr: string;
  /** To (UAC) or From (UAS) of the creating request, without tag. */
  remoteAddr: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq?: number;
  localContact: string;
  owner: AppConnection;
  /** UAS: where the creating request came from (connection reuse for TCP). */
  peer?: MessageSource;
  /** CSeq number of the INVITE that created the dialog (for the ACK). */
  inviteSeq: number;
}

export class Dialog {
  readonly id: string;
  readonly role: DialogRole;
  readonly kind: DialogKind;
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string | undefined;
  readonly localAddr: string;
  readonly remoteAddr: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  localContact: string;
  owner: AppConnection;
  peer: MessageSource | undefined;
  inviteSeq: number;
  state: DialogState = 'early';
  /** An INVITE transaction of this dialog is in progress in either direction (RFC 3261 §14.1/§14.2 glare ⇒ 491). */
  inviteInProgress = false;
  /** Set when a BYE was sent or received: the dialog only waits for the BYE transaction. */
  ending = false;
  /** UAC: CSeq of the INVITE whose 2xx the app still has to ACK. */
  ackableSeq: number | undefined;
  /** UAC: the ACK sent for the last 2xx, re-sent on 2xx retransmissions (§13.2.2.4). */
  lastAck: { req: SipRequest; dest: Destination; seq: number } | undefined;
  /** RFC 4028: stops the session timer (refresh or expiry). */
  stopSessionTimer: (() => void) | undefined;
  /** UAS: stops retransmitting our 2xx (on ACK, §13.3.1.4). */
  stopTwoHundred: (() => void) | undefined;
  /** UAC: the INVITE was CANCELed but a 2xx came anyway: ACK, then BYE (notes A.6.3). */
  ackBye = false;
  /** UAC: To tags of extra 2xx forks already ACKed and BYEd (§13.2.2.4); made on first use. */
  endedForks: Set<string> | undefined;
  /** Cleanup hooks (timers) run on termination. */
  private readonly disposers: Array<() => void> = [];

  constructor(init: DialogInit) {
    this.role = init.role;
    this.kind = init.kind;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localAddr = init.localAddr;
    this.remoteAddr = init.remoteAddr;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localContact = init.localContact;
    this.owner = init.owner;
    this.peer = init.peer;
    this.inviteSeq = init.inviteSeq;
    const fromTag = init.role === 'uac' ? init.localTag : (init.remoteTag ?? '');
    this.id = dialogIdOf(init.callId, fromTag);
  }

  /** From header value for requests we send in this dialog (§12.2.1.1). */
  get fromHeader(): string {
    return `${this.localAddr};tag=${this.localTag}`;
  }

  /** To header value for requests we send in this dialog (§12.2.1.1). */
  get toHeader(): string {
    return this.remoteTag ? `${this.remoteAddr};tag=${this.remoteTag}` : this.remoteAddr;
  }

  onEnd(fn: () => void): void {
    this.disposers.push(fn);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopTwoHundred?.();
    this.stopTwoHundred = undefined;
    for (const fn of this.disposers.splice(0)) fn();
  }
}
