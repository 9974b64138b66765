// Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state for
// INVITE): absorb retransmitted requests, resend the last response, retransmit
// a non-2xx final over UDP until the ACK (Timer G/H/I), linger after a
// non-INVITE final (Timer J).
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/logger';
import type { SipMessage, SipRequest, SipResponse } from '../message';
import { serializeMessage } from '../serializer';
import type { Destination, MessageSource, SendResult, ServerTransaction, ServerTransactionState, TransactionTimers } from '../types';
import type { LingerKind, Lingering } from './linger-table';
import { TimerSet } from './timer-set';

export interface TransactionContext {
  timers: TransactionTimers;
  log: Logger;
  send(msg: SipMessage, dest: Destination): Promise<SendResult>;
  /** Bytes already serialized (a retained final response or ACK). */
  sendRaw(raw: Buffer, dest: Destination, msg?: SipMessage): Promise<SendResult>;
  /** Where responses to this request go (§18.2.2, RFC 3581). */
  responseDestination(msg: SipMessage, source: MessageSource): Destination;
  /** The transaction ended: drop it from the tables (only if `txn` is still the one under `key`). */
  forget(key: string, txn: object): void;
  /**
   * The transaction's final response is settled: the layer drops the object and
   * keeps only its key (and `resend`) for 64×T1 (`long`) or T4 (`short`).
   */
  retire(key: string, txn: object, entry: { kind: LingerKind; resend?: Lingering['resend']; mergeKey?: string }, duration: 'long' | 'short'): void;
}

/**
 * A copy of `raw` in its own allocation: a slice of Node's shared 8 KB Buffer
 * pool kept for 32 s would keep the whole slab (and everything else in it) alive.
 */
export function ownBytes(raw: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(raw.length);
  raw.copy(copy);
  return copy;
}

export class TransactionStateError extends Error {
  readonly code = 'transaction-state';
}

/** How long a server transaction waits for its TU before giving up (the UAC has given up too). */
const INVITE_TU_LIMIT_MS = 300_000;

export class ServerTxn extends EventEmitter implements ServerTransaction {
  readonly method: string;
  private st: ServerTransactionState;
  private last: SipResponse | undefined;
  private lastRaw: { res: SipResponse; dest: Destination } | undefined;
  private isCancelled = false;
  private readonly timers = new TimerSet();
  private readonly reliable: boolean;
  private readonly dest: Destination;
  /** Forget a request the TU never answers; an INVITE the TU answered provisionally may ring as long as it likes. */
  private tuLimit: NodeJS.Timeout | undefined;
  /** Key of the §8.2.2.2 merged-request check, set by the layer. */
  mergeKey: string | undefined;

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    readonly source: MessageSource,
    private readonly ctx: TransactionContext,
  ) {
    super();
    this.method = request.method;
    this.st = request.method === 'INVITE' ? 'proceeding' : 'trying';
    this.reliable = source.transport !== 'udp';
    this.dest = ctx.responseDestination(request, source);
    this.tuLimit = setTimeout(() => {
      if (this.st === 'trying' || this.st === 'proceeding') this.terminate();
    }, request.method === 'INVITE' ? INVITE_TU_LIMIT_MS : 64 * ctx.timers.t1);
    this.tuLimit.unref?.();
  }

  get state(): ServerTransactionState {
    return this.st;
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  async respond(res: SipResponse): Promise<SendResult> {
    const final = res.status >= 200;
    const inviteTwoHundred = this.method === 'INVITE' && final && res.status < 300;
    // RFC 6026 §7.1: the TU may pass 2xx retransmissions through the Accepted state.
    if (!(this.st === 'trying' || this.st === 'proceeding' || (this.st === 'accepted' && inviteTwoHundred))) {
      throw new TransactionStateError(`cannot send ${res.status} in state ${this.st}`);
    }
    this.last = res;
    this.lastRaw = { res, dest: this.dest };
    if (this.method === 'INVITE' && res.status > 100) this.clearTuLimit();
    if (!final) this.st = 'proceeding';
    else if (this.st !== 'accepted') return this.onFinal(res);
    return this.transmit(res);
  }

  /**
   * A final response sent once, keeping nothing (issue 16 item 7, as
   * Kamailio's stateless replies): the transaction ends now, so no Timer G
   * retransmissions, no 32 s wait for an ACK, no memory per request. A
   * retransmitted request is then new and is answered anew; the ACK of an
   * INVITE finds no transaction and no dialog and is dropped. For digest
   * challenges, where each answer is a fresh nonce anyway.
   */
  async respondStateless(res: SipResponse): Promise<SendResult> {
    if (res.status < 200) throw new TransactionStateError('a stateless response must be final');
    if (!(this.st === 'trying' || this.st === 'proceeding')) throw new TransactionStateError(`cannot send ${res.status} in state ${this.st}`);
    this.last = res;
    this.terminate();
    return this.ctx.send(res, this.dest);
  }

  /** Ends the transaction without answering (a silenced source: not even a 403). */
  abandon(): void {
    this.terminate();
  }

  private async transmit(res: SipResponse, raw?: Buffer): Promise<SendResult> {
    try {
      return await (raw ? this.ctx.sendRaw(raw, this.dest, res) : this.ctx.send(res, this.dest));
    } catch (e) {
      // §17.2.4: a transport failure ends the transaction; the TU is told.
      this.emit('transportError', e as Error);
      this.terminate();
      throw e;
    }
  }

  /** A retransmission of the request that created this transaction (§17.2.1, §17.2.2). */
  onRetransmission(): void {
    if (this.st === 'proceeding' || this.st === 'completed') this.resend();
  }

  /** ACK matched this INVITE transaction. Returns true when the ACK belongs to the TU (2xx case). */
  onAck(): boolean {
    if (this.st === 'accepted') return true;
    if (this.st === 'completed') {
      // §17.2.1: ACK for our non-2xx final; linger Timer I to absorb ACK retransmissions.
      this.st = 'confirmed';
      this.clearTimers();
      this.after(this.reliable ? 0 : this.ctx.timers.t4, () => this.terminate());
    }
    return false;
  }

  /** §9.2: a CANCEL matched while no final response was sent. */
  markCancelled(cancel: SipRequest): void {
    this.isCancelled = true;
    this.emit('cancel', cancel);
  }

  terminate(): void {
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.clearTimers();
    this.clearTuLimit();
    this.ctx.forget(this.id, this);
    this.emit('terminated');
  }

  private onFinal(res: SipResponse): Promise<SendResult> {
    const { t1, t2 } = this.ctx.timers;
    this.clearTimers();
    this.clearTuLimit();
    if (this.method !== 'INVITE') {
      // §17.2.2 Timer J: for 64*T1 over UDP a retransmitted request gets the
      // same final response again. Only the bytes are kept, not this object.
      this.st = 'completed';
      const raw = serializeMessage(res);
      if (this.reliable) this.terminate();
      else this.retire({ kind: 'server-completed', resend: { raw: ownBytes(raw), dest: this.dest } });
      return this.transmit(res, raw);
    }
    if (res.status < 300) {
      // RFC 6026 §7.1 Timer L: retransmitted INVITEs are absorbed; the dialog
      // layer resends the 2xx. The layer keeps the key, not this object (which
      // the TU may still use to pass further 2xx, §7.1).
      this.st = 'accepted';
      this.retire({ kind: 'server-accepted' });
      return this.transmit(res);
    }
    this.st = 'completed';
    if (!this.reliable) {
      // §17.2.1 Timer G: retransmit the final response, T1 doubling up to T2.
      const retransmit = (interval: number) =>
        this.after(interval, () => {
          if (this.st !== 'completed') return;
          this.resend();
          retransmit(Math.min(2 * interval, t2));
        });
      retransmit(t1);
    }
    // Timer H: give up waiting for the ACK.
    this.after(64 * t1, () => {
      if (this.st === 'completed') {
        this.ctx.log.debug('sip ack timeout for final response', { status: res.status, callId: this.request.headers.get('call-id') });
        this.terminate();
      }
    });
    return this.transmit(res);
  }

  /** Hands matching over to the layer's lingering keys; this object keeps no timers and the layer no reference. */
  private retire(entry: { kind: LingerKind; resend?: Lingering['resend'] }): void {
    this.ctx.retire(this.id, this, { ...entry, mergeKey: this.mergeKey }, 'long');
  }

  private clearTuLimit(): void {
    if (this.tuLimit) clearTimeout(this.tuLimit);
    this.tuLimit = undefined;
  }

  private resend(): void {
    if (!this.lastRaw) return;
    this.ctx.send(this.lastRaw.res, this.lastRaw.dest).catch((e: unknown) => this.ctx.log.debug('sip response retransmission failed', { err: e }));
  }

  private after(ms: number, fn: () => void): void {
    this.timers.after(ms, fn);
  }

  private clearTimers(): void {
    this.timers.clear();
  }
}
