// A SIP dialog as sip-core keeps it (RFC 3261 §12): identifiers, the route set,
// the remote target, sequence numbers, and which app connection owns it.
import type { AppConnection } from '../drachtio/app-connection';
import type { MessageSource } from '../sip/types';

export type DialogRole = 'uas' | 'uac';
export type DialogState = 'early' | 'confirmed' | 'terminated';
/** What created the dialog; SUBSCRIBE dialogs have no ACK or 2xx retransmission. */
export type DialogKind = 'invite' | 'subscribe';

/** notes A.6.6: `<Call-ID>;from-tag=<From tag of the dialog-creating request>`. */
export function dialogIdOf(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}

/**
 * A copy of `text` that holds on to nothing else. Header values are cut out of
 * the whole message's text, and V8 keeps such a substring as a view on its
 * parent: a dialog storing the Call-ID would keep the entire INVITE (and the
 * app's 200 OK frame) alive for the length of the call. JSON.parse always
 * builds a fresh string.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
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
  routeSet: readonly string[];
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
  readonly localAddr: string;
  readonly remoteAddr: string;
  localSeq: number;
  remoteSeq: number | undefined;
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
  /** RFC 4028: the negotiated session interval, seconds, once a 2xx named one. */
  sessionSeconds: number | undefined;
  /** RFC 4028: we refresh (else the peer must, and we end the call when it does not). */
  sessionWeRefresh = false;
  /** UAS: stops retransmitting our 2xx (on ACK, §13.3.1.4). */
  stopTwoHundred: (() => void) | undefined;
  /** UAC: the INVITE was CANCELed but a 2xx came anyway: ACK, then BYE (notes A.6.3). */
  ackBye = false;
  /** UAC: To tags of extra 2xx forks already ACKed and BYEd (§13.2.2.4); made on first use. */
  endedForks: Set<string> | undefined;
  /** Cleanup hooks (timers) run on termination; made on first use. */
  private disposers: Array<() => void> | undefined;
  // Kept detached (see detach()): these outlive the messages they came from.
  private remoteTagText: string | undefined;
  private remoteTargetText: string;
  private routes: readonly string[];
  private localContactText: string;

  constructor(init: DialogInit) {
    this.role = init.role;
    this.kind = init.kind;
    this.callId = detach(init.callId);
    this.localTag = detach(init.localTag);
    this.remoteTagText = init.remoteTag === undefined ? undefined : detach(init.remoteTag);
    this.localAddr = detach(init.localAddr);
    this.remoteAddr = detach(init.remoteAddr);
    this.remoteTargetText = detach(init.remoteTarget);
    this.routes = init.routeSet.length === 0 ? EMPTY_ROUTES : init.routeSet.map(detach);
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localContactText = detach(init.localContact);
    this.owner = init.owner;
    this.peer = init.peer && { ...init.peer, address: detach(init.peer.address) };
    this.inviteSeq = init.inviteSeq;
    const fromTag = init.role === 'uac' ? this.localTag : (this.remoteTagText ?? '');
    this.id = detach(dialogIdOf(this.callId, fromTag));
  }

  get remoteTag(): string | undefined {
    return this.remoteTagText;
  }

  set remoteTag(tag: string | undefined) {
    this.remoteTagText = tag === undefined ? undefined : detach(tag);
  }

  /** §12.2.1.1: Request-URI of requests we send, refreshed by target refresh requests (§12.2). */
  get remoteTarget(): string {
    return this.remoteTargetText;
  }

  set remoteTarget(uri: string) {
    this.remoteTargetText = detach(uri);
  }

  /** §12.1.1/§12.1.2: Route headers of requests we send, in order. */
  get routeSet(): readonly string[] {
    return this.routes;
  }

  set routeSet(routes: readonly string[]) {
    this.routes = routes.length === 0 ? EMPTY_ROUTES : routes.map(detach);
  }

  get localContact(): string {
    return this.localContactText;
  }

  set localContact(contact: string) {
    this.localContactText = detach(contact);
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
    (this.disposers ??= []).push(fn);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopTwoHundred?.();
    this.stopTwoHundred = undefined;
    const fns = this.disposers ?? [];
    this.disposers = undefined;
    for (const fn of fns) fn();
  }
}

const EMPTY_ROUTES: readonly string[] = Object.freeze([]);
