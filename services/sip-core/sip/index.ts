/**
 * sip-core's SIP stack (RFC 3261 §7, §17, §18, §20; RFC 3581). Public API:
 *
 * Messages (message.ts, types.ts)
 *   - `SipRequest(method, uri, headers?, body?)`, `SipResponse(status, reason, headers?, body?)`,
 *     `SipHeaders` (ordered; get/getAll/set/append/prepend/remove/removeFirst; names are
 *     case-insensitive and compact forms are expanded: `h.get('v')` is the first Via).
 *   - parsed views on every message: `callId`, `cseq` {seq, method}, `from`/`to` (NameAddr
 *     with `tag`), `vias`, `topVia` (Via with branch/received/rport), `contacts`,
 *     `maxForwards`, `contentType`. Bodies are Buffers.
 *   - header value helpers (header-values.ts): parseUri/formatUri, parseNameAddr/
 *     formatNameAddr, parseVia/formatVia, parseCSeq, parseParams, splitList.
 *
 * Wire format (parser.ts, serializer.ts)
 *   - `parseMessage(buf, {maxMessageBytes?}) → SipMessage`, throws `ParseError {code, message}`;
 *     the message text is fit for `400 <message>`.
 *   - `serializeMessage(msg) → Buffer`: canonical header names, Content-Length recomputed in bytes.
 *   - `createResponse(req, status, reason?)`: copies Via/From/To/Call-ID/CSeq (§8.2.6.2).
 *
 * Transports (transport/transport-layer.ts)
 *   - `new TransportLayer({listen, publicAddress, maxMessageBytes, log, rateLimit?, exemptLoopback?,
 *     tcpIdleTimeoutMs?, tcpMessageTimeoutMs?, maxTcpConnections?, maxTcpConnectionsPerSource?})`,
 *     `start()`, `stop()`, `listenerInfos(): ListenerInfo[]`,
 *     `localFor(transport, family?) → ListenerInfo` (what to put in Via/Contact),
 *     `send(msg, destination) → Promise<SendResult>`, `responseDestination(msg, source?)`,
 *     `counters()` (parsed, malformed, rejected, dropped, rateLimited, sent, sendErrors, tcpConnections).
 *     Emits `message(msg, source: MessageSource)` for every well-formed message; malformed
 *     requests are answered 400 or dropped, and counted. rport/received are added to the
 *     top Via of incoming requests (RFC 3581); responses follow §18.2.2.
 *
 * Transactions (transaction/transaction-layer.ts), on top of a TransportLayer
 *   - `new TransactionLayer(transport, {timers?: Partial<TransactionTimers>, log})`
 *   - events (see TransactionLayerEvents): `request(req, serverTxn)`, `ack(req, source)`,
 *     `cancel(cancelReq, inviteServerTxn)`, `strayResponse(res, source)`.
 *   - `sendRequest(req, destination, handlers, {timerC?}) → ClientTransaction`: pushes its own
 *     Via (fresh z9hG4bK branch, rport) synchronously and runs timers A/B/D or E/F/K; ACK for
 *     a non-2xx is generated here; `clientTxn.cancel(headers?)` sends CANCEL per §9.1.
 *   - CANCEL (§9.2) and merged requests (§8.2.2.2, 482) are answered by the layer.
 *   - `size`, `counters()`, `stop()`.
 *   - `serverTxn.respond(res)`: 100 Trying is sent automatically for INVITE; retransmissions
 *     are absorbed; 483 when Max-Forwards is 0.
 *   - `sendStateless(msg, destination, {addVia?})`: ACK for 2xx, 2xx retransmissions,
 *     stateless replies. With addVia a new top Via with a fresh branch is pushed.
 *   - `localFor(transport)`: the listener (advertised host/port) used for Via/Contact.
 */
export * from './types';
export { SipHeaders, SipRequest, SipResponse, isRequest, isResponse } from './message';
export type { HeaderEntry } from './message';
export { ParseError, isParseError } from './parse-error';
export { parseMessage, findHeaderEnd, leadingBlankBytes } from './parser';
export type { ParseOptions } from './parser';
export { serializeMessage, createResponse, reasonPhrase, reasonPhrases } from './serializer';
export { headerKey, canonicalHeaderName, isListHeader } from './header-names';
export {
  splitList,
  parseParams,
  formatParams,
  parseHostPort,
  formatHost,
  parseUri,
  formatUri,
  parseNameAddr,
  parseNameAddrList,
  formatNameAddr,
  parseVia,
  parseViaList,
  formatVia,
  parseCSeq,
} from './header-values';
export { TransportLayer, TransportUnavailableError } from './transport/transport-layer';
export type { ListenSpec, TransportLayerOptions, TransportEvents } from './transport/transport-layer';
export type { RateLimit } from './transport/rate-limiter';
export { TransactionLayer, viaFor, newBranch } from './transaction/transaction-layer';
export type { TransactionLayerOptions } from './transaction/transaction-layer';
export { TransactionStateError } from './transaction/server-transaction';
export { MAGIC_COOKIE, defaultTimers } from './transaction/transaction-keys';
