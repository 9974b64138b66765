// The SIP stack's data model and the contracts between its layers and the
// rest of sip-core (drachtio server, dialogs, proxy). Messages themselves are
// classes in message.ts; this file holds the shapes everybody codes against.
import type { EventEmitter } from 'node:events';
import type { SipMessage, SipRequest, SipResponse } from './message';

/** Transports as they appear in Via (upper case on the wire) and config (lower case). */
export type Transport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Generic parameters (`;name=value`, `;lr`). Keys are lower case; a valueless parameter maps to null. */
export type SipParams = Map<string, string | null>;

/** RFC 3261 §19.1 SIP/SIPS URI, or a tel: URI (RFC 3966, host empty, number in `user`). */
export interface SipUri {
  scheme: string; // lower case: 'sip' | 'sips' | 'tel' (other schemes are rejected by parseUri)
  user?: string;
  password?: string;
  /** Host without brackets for IPv6 (`::1`); empty for tel: URIs. */
  host: string;
  port?: number;
  params: SipParams;
  /** URI headers (`?Subject=x&Priority=urgent`), names as given. */
  headers: Map<string, string>;
}

/** From, To, Contact, Route, Record-Route, Refer-To, P-Asserted-Identity … (RFC 3261 §20.10). */
export interface NameAddr {
  displayName?: string;
  /** The URI text exactly as written between <> (or the addr-spec). */
  uriText: string;
  /** Parsed URI; undefined when the scheme is not sip/sips/tel (e.g. `mailto:`). */
  uri?: SipUri;
  /** Header parameters after the address (`;tag=…`, `;expires=…`, `;q=…`). */
  params: SipParams;
  /** Convenience copy of params.get('tag'). */
  tag?: string;
  /** `Contact: *` (REGISTER removal). */
  wildcard?: boolean;
}

/** One Via value (RFC 3261 §20.42, §18.2.1, RFC 3581). */
export interface Via {
  /** 'SIP/2.0' normally. */
  protocol: string;
  /** Upper case as on the wire: 'UDP', 'TCP', 'TLS', 'WS', 'WSS', or anything else a peer sent. */
  transport: string;
  host: string;
  port?: number;
  params: SipParams;
  branch?: string;
  received?: string;
  /** RFC 3581: null = `;rport` without value (request asks for it), number = filled in. */
  rport?: number | null;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** A listening socket of the stack; what Via/Contact should name when we send through it. */
export interface ListenerInfo {
  /** Stable id, e.g. `udp:127.0.0.1:5060`. */
  id: string;
  transport: Transport;
  /** Bound address (may be 0.0.0.0 or ::). */
  host: string;
  port: number;
  /** 4 or 6. */
  family: 4 | 6;
  /** What goes into Via sent-by, Contact and Record-Route: config.sip.publicAddress, or a usable local address. */
  advertisedHost: string;
  advertisedPort: number;
}

/** Where a message came from (and through which of our listeners). */
export interface MessageSource {
  transport: Transport;
  /** Remote IP address (no brackets). */
  address: string;
  port: number;
  local: ListenerInfo;
  /** Stream transports: the connection it arrived on (responses reuse it, RFC 3261 §18.2.2). */
  connectionId?: string;
  /** Time of receipt, Date.now(). */
  receivedAt: number;
}

/** Where to send a message. An IP address, not a host name (resolve with resolveDestination first). */
export interface Destination {
  transport: Transport;
  address: string;
  port: number;
  /** Stream transports: prefer this existing connection. */
  connectionId?: string;
}

/** What the transport actually did with a message. */
export interface SendResult {
  /** Listener whose socket sent it (for meta: protocol/address/port). */
  local: ListenerInfo;
  destination: Destination;
  /** The exact bytes written to the wire. */
  raw: Buffer;
}

/** Health counters of the transport layer. */
export interface TransportCounters {
  /** Messages received and parsed successfully. */
  parsed: number;
  /** Messages that failed to parse (answered 400 when possible, else dropped). */
  malformed: number;
  /** Answered 400 among the malformed. */
  rejected: number;
  /** Dropped for other reasons (oversize TCP frame, response to nobody, unknown connection …). */
  dropped: number;
  /** Dropped because the source exceeded its rate limit. */
  rateLimited: number;
  sent: number;
  sendErrors: number;
  /** TLS handshakes that failed (not TLS, a refused certificate): the socket closed, nothing else touched. */
  tlsHandshakeErrors: number;
  tcpConnections: number;
  /** Flood defences (source-policy.ts): what was shed or silenced, and how many addresses each table holds. */
  policy: { shedBeforeParse: number; silenced: number; unauthenticatedShed: number; globalShed: number; silencedSources: number; shedSources: number; knownSources: number };
}

// --------------------------------------------------------------------------
// Transaction layer contracts (RFC 3261 §17). Implemented by TransactionLayer.

export type ServerTransactionState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';
export type ClientTransactionState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ServerTransaction extends EventEmitter {
  /** Transaction key (branch-based, or RFC 2543 fallback). */
  readonly id: string;
  readonly request: SipRequest;
  readonly source: MessageSource;
  readonly method: string;
  readonly state: ServerTransactionState;
  /** True once a CANCEL matched this INVITE transaction (the TU then sends 487). */
  readonly cancelled: boolean;
  /** Last response sent (provisional or final). */
  readonly lastResponse: SipResponse | undefined;
  /**
   * Send a response (provisional or final). Goes back per RFC 3261 §18.2.2 / RFC 3581.
   * Throws TransactionStateError after a final response was sent.
   * Resolves with what was written (or rejects on transport failure).
   */
  respond(res: SipResponse): Promise<SendResult>;
  /** Send a final response once and end the transaction at once: no retransmissions, no state (stateless challenges). */
  respondStateless(res: SipResponse): Promise<SendResult>;
  /** End the transaction without sending anything. */
  abandon(): void;
  // events: 'cancel' (cancel: SipRequest), 'terminated' (), 'transportError' (err: Error)
}

export type TimeoutKind = 'timeout' | 'transport-error';

export interface ClientTransaction extends EventEmitter {
  readonly id: string;
  /** The request as sent (with our Via on top). */
  readonly request: SipRequest;
  readonly destination: Destination;
  readonly state: ClientTransactionState;
  /**
   * RFC 3261 §9.1: CANCEL this INVITE. Sent as its own non-INVITE transaction once a
   * provisional response has arrived (deferred until then). No-op after a final response.
   * `headers` are added to the CANCEL (e.g. Reason).
   */
  cancel(headers?: Array<[string, string]>): void;
  // events: 'terminated' ()
}

export interface SendRequestHandlers {
  /**
   * Every provisional response and the first final response. For INVITE, extra 2xx
   * (retransmissions, other forks) go to the layer's 'strayResponse' event instead.
   * On Timer B/F or a transport error without onTimeout, receives a locally made
   * 408 / 503 with `source` undefined (RFC 3261 §8.1.3.1).
   */
  onResponse(res: SipResponse, source: MessageSource | undefined): void;
  /** If given, called instead of the synthesized 408/503. */
  onTimeout?(kind: TimeoutKind): void;
}

export interface SendRequestOptions {
  /**
   * RFC 3261 §16.6 step 11 / §16.8 Timer C for INVITE (proxies use > 3 min),
   * restarted by every provisional other than 100. When it fires before any
   * provisional the TU gets a timeout (408); after one, the layer CANCELs the
   * INVITE and the TU gets its final response (487, or 408 64*T1 later).
   */
  timerC?: number;
}

export interface TransactionLayerEvents {
  /** A new request (not a retransmission, not an ACK for 2xx). CANCEL arrives here only when it matches no INVITE server transaction in Proceeding: answer 481. */
  request: [req: SipRequest, txn: ServerTransaction];
  /** ACK that matches no INVITE server transaction in Completed state (i.e. ACK for a 2xx, §13.3.1.4/§17.2.1). */
  ack: [req: SipRequest, source: MessageSource];
  /**
   * CANCEL matched an INVITE server transaction in Proceeding; 200 to the CANCEL was already sent. The TU sends 487 (§9.2).
   * A CANCEL for an INVITE that already has its final response is answered 200 by the layer and not reported.
   */
  cancel: [cancel: SipRequest, txn: ServerTransaction];
  /** A response that matches no client transaction, or an extra 2xx to an INVITE (§13.2.2.4, RFC 6026). */
  strayResponse: [res: SipResponse, source: MessageSource];
}

export interface TransactionTimers {
  /** RFC 3261 T1, ms (500). Timers A, B, E, F, G, H, J, D derive from it. */
  t1: number;
  /** T2, ms (4000). */
  t2: number;
  /** T4, ms (5000). Timers I, K. */
  t4: number;
}

export type { SipMessage, SipRequest, SipResponse };
