// The transaction layer (RFC 3261 §17) on top of a TransportLayer: matches
// incoming messages to transactions, creates server transactions for new
// requests, answers CANCEL (§9.2) and Max-Forwards 0 (483) itself, and
// starts client transactions for requests the TU sends.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/logger';
import type { SipMessage, SipRequest, SipResponse } from '../message';
import { createResponse } from '../serializer';
import { familyOf, randomToken } from '../transport/addresses';
import type { TransportLayer } from '../transport/transport-layer';
import { TransportUnavailableError } from '../transport/transport-unavailable-error';
import type {
  Destination,
  ListenerInfo,
  MessageSource,
  SendRequestHandlers,
  SendRequestOptions,
  SendResult,
  TransactionLayerEvents,
  TransactionTimers,
  Transport,
} from '../types';
import { formatHost } from '../header-values';
import { ClientTxn, type ClientContext } from './client-transaction';
import { ServerTxn } from './server-transaction';
import { LingerTable, type Lingering } from './linger-table';
import { MAGIC_COOKIE, clientKey, clientKeyOfResponse, defaultTimers, serverKey } from './transaction-keys';

export interface TransactionLayerOptions {
  timers?: Partial<TransactionTimers>;
  /**
   * Server transactions waiting for a final response (or the ACK of one), in
   * all and per source address (trusted sources count only toward the global
   * bound). Over the global bound new requests get a stateless 503; over its
   * own bound a source's new requests are dropped. Default: unbounded.
   */
  limits?: { maxServer: number; maxServerPerSource: number; isTrusted(address: string): boolean };
  log: Logger;
}

export class TransactionLayer extends EventEmitter<TransactionLayerEvents> {
  readonly timers: TransactionTimers;
  private readonly server = new Map<string, ServerTxn>();
  /** Live server transactions per source address (the per-source bound). */
  private readonly serverPerSource = new Map<string, number>();
  private readonly limits: NonNullable<TransactionLayerOptions['limits']>;
  readonly overload = { dropped: 0, refused: 0 };
  private readonly client = new Map<string, ClientTxn>();
  /** Ongoing server transactions of requests without To tag: Call-ID, From tag, CSeq → transaction key (§8.2.2.2). */
  private readonly merged = new Map<string, string>();
  /** Keys of settled transactions, 64×T1 (Timers J, L, M, D). */
  private readonly lingerLong: LingerTable;
  /** Keys of settled client non-INVITE transactions, T4 (Timer K). */
  private readonly lingerShort: LingerTable;
  private readonly log: Logger;
  private readonly onMessage = (msg: SipMessage, source: MessageSource) => this.receive(msg, source);
  private readonly ctx: ClientContext;

  constructor(
    readonly transport: TransportLayer,
    opts: TransactionLayerOptions,
  ) {
    super();
    this.timers = { ...defaultTimers, ...opts.timers };
    this.limits = opts.limits ?? { maxServer: Number.MAX_SAFE_INTEGER, maxServerPerSource: Number.MAX_SAFE_INTEGER, isTrusted: () => true };
    this.log = opts.log;
    transport.on('message', this.onMessage);
    const expire = (key: string, entry: Lingering) => this.dropMergeKey(entry.mergeKey, key);
    this.lingerLong = new LingerTable(64 * this.timers.t1, expire);
    this.lingerShort = new LingerTable(this.timers.t4, expire);
    this.ctx = {
      timers: this.timers,
      log: this.log,
      send: (msg, dest) => this.transport.send(msg, dest),
      sendRaw: (raw, dest, msg) => this.transport.sendBytes(raw, dest, msg),
      responseDestination: (msg, source) => this.transport.responseDestination(msg, source),
      forget: (key, txn) => {
        if (this.server.get(key) === txn) {
          this.deleteServer(key, txn as ServerTxn);
          this.dropMergeKey((txn as ServerTxn).mergeKey, key);
        }
        if (this.client.get(key) === txn) this.client.delete(key);
      },
      retire: (key, txn, entry, duration) => {
        if (this.server.get(key) === txn) this.deleteServer(key, txn as ServerTxn);
        else if (this.client.get(key) === txn) this.client.delete(key);
        else return;
        (duration === 'long' ? this.lingerLong : this.lingerShort).add(key, entry);
      },
      startCancel: (cancel, dest) => this.startClient(cancel, dest, { onResponse: () => undefined }),
      stray: (res, source) => this.emit('strayResponse', res, source),
    };
  }

  /** Detach from the transport and drop every transaction (their timers stop). */
  stop(): void {
    this.transport.off('message', this.onMessage);
    for (const t of [...this.server.values(), ...this.client.values()]) t.terminate();
    this.lingerLong.clear();
    this.lingerShort.clear();
    this.merged.clear();
    this.serverPerSource.clear();
  }

  private deleteServer(key: string, txn: ServerTxn): void {
    this.server.delete(key);
    const a = txn.source.address;
    const n = (this.serverPerSource.get(a) ?? 1) - 1;
    if (n <= 0) this.serverPerSource.delete(a);
    else this.serverPerSource.set(a, n);
  }

  /**
   * Issue 16 item 7: pending transactions are bounded, so a flood cannot hold
   * the heap. Over its own bound a source is ignored (its retransmission is
   * its retry); over the global bound we say 503 without keeping state.
   */
  private overBudget(req: SipRequest, source: MessageSource): boolean {
    if (this.server.size >= this.limits.maxServer) {
      this.overload.refused++;
      const res = createResponse(req, 503, 'Service Unavailable', randomToken());
      res.headers.set('Retry-After', '5');
      this.transport.send(res, this.transport.responseDestination(res, source)).catch((e: unknown) => this.log.debug('sip 503 not sent', { err: e }));
      return true;
    }
    if (!this.limits.isTrusted(source.address) && (this.serverPerSource.get(source.address) ?? 0) >= this.limits.maxServerPerSource) {
      this.overload.dropped++;
      return true;
    }
    return false;
  }

  /** Live transactions, server and client (not the lingering keys of settled ones). */
  get size(): number {
    return this.server.size + this.client.size;
  }

  counters(): { serverTransactions: number; clientTransactions: number; lingering: number; overloadDropped: number; overloadRefused: number } {
    return {
      serverTransactions: this.server.size,
      clientTransactions: this.client.size,
      lingering: this.lingerLong.size + this.lingerShort.size,
      overloadDropped: this.overload.dropped,
      overloadRefused: this.overload.refused,
    };
  }

  /** A settled transaction's key, while it still absorbs retransmissions. */
  private lingering(key: string): Lingering | undefined {
    return this.lingerLong.get(key) ?? this.lingerShort.get(key);
  }

  private dropMergeKey(mergeKey: string | undefined, key: string): void {
    if (mergeKey !== undefined && this.merged.get(mergeKey) === key) this.merged.delete(mergeKey);
  }

  /** The listener whose advertised address belongs in Via/Contact for this transport. */
  localFor(transport: Transport, family: 4 | 6 = 4): ListenerInfo | undefined {
    return this.transport.localFor(transport, family);
  }

  /**
   * Send a request statefully. A new top Via (our advertised address, a fresh
   * z9hG4bK branch, rport) is pushed synchronously, so `txn.request` is what
   * goes on the wire. Max-Forwards 70 is added when absent.
   */
  sendRequest(req: SipRequest, destination: Destination, handlers: SendRequestHandlers, opts: SendRequestOptions = {}): ClientTxn {
    if (req.method === 'ACK') throw new Error('ACK is not sent in a transaction: use sendStateless');
    const local = this.transport.localFor(destination.transport, familyOf(destination.address));
    if (local) req.headers.prepend('Via', viaFor(destination.transport, local));
    if (!req.headers.has('max-forwards')) req.headers.set('Max-Forwards', '70');
    if (!local) {
      const txn = new ClientTxn(`unsent-${randomToken()}`, req, destination, handlers, this.ctx);
      const err = new TransportUnavailableError(`no ${destination.transport} listener`);
      queueMicrotask(() => this.failUnsent(txn, handlers, err));
      return txn;
    }
    return this.startClient(req, destination, handlers, opts);
  }

  /**
   * Send without a transaction: ACK for a 2xx, 2xx retransmissions, stateless
   * replies. With addVia a request gets a new top Via with a fresh branch.
   */
  async sendStateless(msg: SipMessage, destination: Destination, opts: { addVia?: boolean } = {}): Promise<SendResult> {
    if (opts.addVia && msg.kind === 'request') {
      const local = this.transport.localFor(destination.transport, familyOf(destination.address));
      if (!local) throw new TransportUnavailableError(`no ${destination.transport} listener`);
      msg.headers.prepend('Via', viaFor(destination.transport, local));
    }
    return this.transport.send(msg, destination);
  }

  /** Bytes already serialized (a kept ACK for a 2xx), without a transaction. */
  sendBytes(raw: Buffer, destination: Destination): Promise<SendResult> {
    return this.transport.sendBytes(raw, destination);
  }

  private startClient(req: SipRequest, destination: Destination, handlers: SendRequestHandlers, opts: SendRequestOptions = {}): ClientTxn {
    const branch = req.topVia.branch ?? '';
    const key = clientKey(branch, req.method);
    const txn = new ClientTxn(key, req, destination, handlers, this.ctx, opts);
    this.client.set(key, txn);
    txn.start();
    return txn;
  }

  private failUnsent(txn: ClientTxn, handlers: SendRequestHandlers, err: Error): void {
    this.log.debug('sip request not sent', { err, method: txn.request.method });
    txn.terminate();
    if (handlers.onTimeout) handlers.onTimeout('transport-error');
    else handlers.onResponse(createResponse(txn.request, 503), undefined);
  }

  private receive(msg: SipMessage, source: MessageSource): void {
    if (msg.kind === 'response') this.receiveResponse(msg, source);
    else this.receiveRequest(msg, source);
  }

  private receiveResponse(res: SipResponse, source: MessageSource): void {
    const key = clientKeyOfResponse(res);
    const txn = key === undefined ? undefined : this.client.get(key);
    if (txn) return txn.onResponse(res, source);
    const settled = key === undefined ? undefined : this.lingering(key);
    if (!settled) return void this.emit('strayResponse', res, source);
    const twoHundred = res.status >= 200 && res.status < 300;
    // RFC 6026 §8.4 (Accepted): further 2xx go to the TU; anything else is absorbed.
    if (settled.kind === 'client-accepted' && twoHundred) this.emit('strayResponse', res, source);
    // §17.1.1.2 (Completed): a retransmitted non-2xx final gets the same ACK again.
    else if (settled.kind === 'client-completed' && res.status >= 300 && settled.resend) this.resend(settled.resend);
  }

  private resend(what: NonNullable<Lingering['resend']>): void {
    this.transport.sendBytes(what.raw, what.dest).catch((e: unknown) => this.log.debug('sip retransmission failed', { err: e }));
  }

  private receiveRequest(req: SipRequest, source: MessageSource): void {
    const key = serverKey(req);
    if (req.method === 'ACK') return this.receiveAck(req, key, source);
    const existing = this.server.get(key);
    if (existing) {
      existing.onRetransmission();
      return;
    }
    const settled = this.lingering(key);
    if (settled) {
      // §17.2.2 Timer J: the same final again; RFC 6026 §7.1 Timer L: absorbed.
      if (settled.resend) this.resend(settled.resend);
      return;
    }
    if (this.overBudget(req, source)) return;
    const txn = new ServerTxn(key, req, source, this.ctx);
    this.server.set(key, txn);
    this.serverPerSource.set(source.address, (this.serverPerSource.get(source.address) ?? 0) + 1);
    if (this.isMerged(req, txn)) {
      this.reply(txn, 482);
      return;
    }
    // §16.3 step 3 / §8.2: no hops left.
    if (req.maxForwards === 0) {
      this.reply(txn, 483);
      return;
    }
    if (req.method === 'INVITE') {
      // §17.2.1: answer 100 Trying at once, so the UAC stops retransmitting.
      const trying = createResponse(req, 100);
      const ts = req.headers.get('timestamp');
      if (ts !== undefined) trying.headers.append('Timestamp', ts); // §8.2.6.1
      this.reply(txn, trying);
    }
    if (req.method === 'CANCEL' && this.matchCancel(req, txn)) return;
    this.emit('request', req, txn);
  }

  /**
   * RFC 3261 §8.2.2.2: a request without To tag whose From tag, Call-ID and
   * CSeq equal those of an ongoing transaction it does not match arrived twice
   * by different paths (forked and merged, or looped): answer 482.
   */
  private isMerged(req: SipRequest, txn: ServerTxn): boolean {
    if (req.to.tag || req.method === 'CANCEL') return false;
    const k = `${req.callId}|${req.from.tag ?? ''}|${req.cseq.seq}|${req.method}`;
    const ongoing = this.merged.get(k);
    if (ongoing !== undefined && ongoing !== txn.id && (this.server.has(ongoing) || this.lingering(ongoing))) return true;
    this.merged.set(k, txn.id);
    txn.mergeKey = k;
    return false;
  }

  /** §17.2.1 / RFC 6026: ACK for our non-2xx is absorbed; anything else is the TU's (ACK for 2xx). */
  private receiveAck(req: SipRequest, key: string, source: MessageSource): void {
    const invite = this.server.get(key);
    if (invite && !invite.onAck()) return;
    // Accepted (lingering) or no transaction at all: the ACK for a 2xx belongs to the TU.
    this.emit('ack', req, source);
  }

  /**
   * §9.2: CANCEL for an INVITE still in Proceeding: 200 to the CANCEL, the TU
   * sends 487. After the final response it gets 200 and changes nothing.
   */
  private matchCancel(cancel: SipRequest, cancelTxn: ServerTxn): boolean {
    const inviteKey = serverKey(cancel, 'INVITE');
    const invite = this.server.get(inviteKey);
    if (!invite || invite.state === 'terminated') {
      if (!this.lingering(inviteKey)) return false;
      this.reply(cancelTxn, 200); // the INVITE already has its final response: nothing to cancel
      return true;
    }
    this.reply(cancelTxn, 200);
    if (invite.state !== 'proceeding') return true;
    invite.markCancelled(cancel);
    this.emit('cancel', cancel, invite);
    return true;
  }

  private reply(txn: ServerTxn, res: number | SipResponse): void {
    const response = typeof res === 'number' ? createResponse(txn.request, res, undefined, res > 100 ? randomToken() : undefined) : res;
    txn.respond(response).catch((e: unknown) => this.log.debug('sip reply failed', { err: e, status: response.status }));
  }
}

/** Top Via for a request we send (RFC 3261 §8.1.1.7, RFC 3581 rport). */
export function viaFor(transport: Transport, local: ListenerInfo): string {
  return `SIP/2.0/${transport.toUpperCase()} ${formatHost(local.advertisedHost)}:${local.advertisedPort};branch=${newBranch()};rport`;
}

export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomToken()}`;
}

