// Client transactions (RFC 3261 §17.1, RFC 6026 Accepted state): request
// retransmission over UDP (Timers A/E), timeouts (B/F), ACK for non-2xx
// finals (§17.1.1.3), absorption of retransmitted finals (D/K), CANCEL (§9.1).
import { EventEmitter } from 'node:events';
import { SipHeaders, SipRequest, type SipResponse } from '../message';
import { createResponse } from '../serializer';
import type { ClientTransaction, ClientTransactionState, Destination, MessageSource, SendRequestHandlers, SendRequestOptions } from '../types';
import type { TransactionContext } from './server-transaction';

export interface ClientContext extends TransactionContext {
  /** Start a CANCEL as its own non-INVITE transaction, keeping the INVITE's Via (§9.1). */
  startCancel(cancel: SipRequest, dest: Destination): void;
  /** Hand an extra 2xx to the TU as a stray response (§13.2.2.4). */
  stray(res: SipResponse, source: MessageSource): void;
}

export class ClientTxn extends EventEmitter implements ClientTransaction {
  private st: ClientTransactionState;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly reliable: boolean;
  private readonly isInvite: boolean;
  private ack: SipRequest | undefined;
  private cancelWanted: Array<[string, string]> | undefined;
  private cancelSent = false;
  private timerC: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    readonly destination: Destination,
    private readonly handlers: SendRequestHandlers,
    private readonly ctx: ClientContext,
    private readonly opts: SendRequestOptions = {},
  ) {
    super();
    this.isInvite = request.method === 'INVITE';
    this.st = this.isInvite ? 'calling' : 'trying';
    this.reliable = destination.transport !== 'udp';
  }

  get state(): ClientTransactionState {
    return this.st;
  }

  start(): void {
    const { t1, t2 } = this.ctx.timers;
    this.transmit(this.request);
    if (!this.reliable) {
      // Timer A (INVITE, doubling without cap while Calling) / Timer E (non-INVITE, capped at T2).
      const retransmit = (interval: number) =>
        this.after(interval, () => {
          if (!(this.st === 'calling' || this.st === 'trying' || this.st === 'proceeding')) return;
          if (this.st === 'proceeding' && this.isInvite) return;
          this.transmit(this.request);
          const next = this.isInvite ? 2 * interval : this.st === 'proceeding' ? t2 : Math.min(2 * interval, t2);
          retransmit(next);
        });
      retransmit(t1);
    }
    // Timer B / Timer F.
    this.after(64 * t1, () => {
      if (this.st === 'calling' || this.st === 'trying' || (this.st === 'proceeding' && !this.isInvite)) this.fail('timeout');
    });
    this.armTimerC();
  }

  /** §16.8: Timer C fires: 408 without a provisional, else CANCEL. */
  private armTimerC(): void {
    if (!this.isInvite || !this.opts.timerC) return;
    if (this.timerC) clearTimeout(this.timerC);
    this.timerC = setTimeout(() => {
      if (this.st === 'calling') this.fail('timeout');
      else if (this.st === 'proceeding') this.cancel([['Reason', 'SIP;cause=408;text="Timer C"']]);
    }, this.opts.timerC);
    this.timerC.unref?.();
  }

  cancel(headers?: Array<[string, string]>): void {
    if (!this.isInvite || this.cancelSent || this.cancelWanted) return;
    if (this.st === 'calling') this.cancelWanted = headers ?? [];
    else if (this.st === 'proceeding') this.sendCancel(headers ?? []);
  }

  /** A response whose branch and CSeq method match this transaction. */
  onResponse(res: SipResponse, source: MessageSource): void {
    const provisional = res.status < 200;
    switch (this.st) {
      case 'calling':
      case 'trying':
      case 'proceeding':
        if (provisional) {
          this.st = 'proceeding';
          if (res.status > 100) this.armTimerC();
          this.deliver(res, source);
          if (this.cancelWanted) this.sendCancel(this.cancelWanted);
          return;
        }
        if (this.isInvite && res.status < 300) this.accept(res, source);
        else this.complete(res, source);
        return;
      case 'accepted':
        // RFC 6026 §8.4: further 2xx (retransmissions, other forks) go to the TU as strays.
        if (res.status >= 200 && res.status < 300) this.ctx.stray(res, source);
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted final is answered with the same ACK, not passed up.
        if (this.ack && res.status >= 300) this.transmit(this.ack);
        return;
      default:
        return;
    }
  }

  terminate(): void {
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.clearTimers();
    this.ctx.forget(this.id);
    this.emit('terminated');
  }

  private accept(res: SipResponse, source: MessageSource): void {
    this.clearTimers();
    this.st = 'accepted';
    this.deliver(res, source);
    // Timer M: keep matching 2xx retransmissions to this transaction for 64*T1.
    this.after(64 * this.ctx.timers.t1, () => this.terminate());
  }

  private complete(res: SipResponse, source: MessageSource): void {
    this.clearTimers();
    this.st = 'completed';
    if (this.isInvite) {
      this.ack = this.buildAck(res);
      this.transmit(this.ack);
    }
    this.deliver(res, source);
    // Timer D (INVITE, 32 s = 64*T1 by default) / Timer K (T4): absorb retransmitted finals.
    const linger = this.reliable ? 0 : this.isInvite ? 64 * this.ctx.timers.t1 : this.ctx.timers.t4;
    this.after(linger, () => this.terminate());
  }

  /** §17.1.1.3: ACK for a non-2xx final, built from the INVITE and the response's To. */
  private buildAck(res: SipResponse): SipRequest {
    const req = this.request;
    const h = new SipHeaders();
    const topVia = req.headers.get('via');
    if (topVia !== undefined) h.append('Via', topVia);
    for (const r of req.headers.getAll('route')) h.append('Route', r);
    h.append('Max-Forwards', '70');
    h.append('From', req.headers.get('from') ?? '');
    h.append('To', res.headers.get('to') ?? req.headers.get('to') ?? '');
    h.append('Call-ID', req.headers.get('call-id') ?? '');
    h.append('CSeq', `${req.cseq.seq} ACK`);
    return new SipRequest('ACK', req.uri, h);
  }

  private sendCancel(extra: Array<[string, string]>): void {
    this.cancelSent = true;
    this.cancelWanted = undefined;
    const req = this.request;
    // §9.1: same Request-URI, Call-ID, To, From, CSeq number and top Via (branch) as the INVITE.
    const h = new SipHeaders();
    const topVia = req.headers.get('via');
    if (topVia !== undefined) h.append('Via', topVia);
    for (const r of req.headers.getAll('route')) h.append('Route', r);
    h.append('Max-Forwards', '70');
    h.append('From', req.headers.get('from') ?? '');
    h.append('To', req.headers.get('to') ?? '');
    h.append('Call-ID', req.headers.get('call-id') ?? '');
    h.append('CSeq', `${req.cseq.seq} CANCEL`);
    for (const [name, value] of extra) h.append(name, value);
    this.ctx.startCancel(new SipRequest('CANCEL', req.uri, h), this.destination);
    // §9.1: without a final response 64*T1 after the CANCEL, consider the INVITE cancelled.
    this.after(64 * this.ctx.timers.t1, () => {
      if (this.st === 'proceeding') this.fail('timeout');
    });
  }

  private deliver(res: SipResponse, source: MessageSource | undefined): void {
    try {
      this.handlers.onResponse(res, source);
    } catch (e) {
      this.ctx.log.error('sip response handler failed', { err: e, status: res.status });
    }
  }

  /** Timeout or transport error: the TU gets onTimeout, or a local 408/503 (§8.1.3.1). */
  private fail(kind: 'timeout' | 'transport-error'): void {
    if (this.st === 'terminated') return;
    this.terminate();
    if (this.handlers.onTimeout) {
      this.handlers.onTimeout(kind);
      return;
    }
    const status = kind === 'timeout' ? 408 : 503;
    this.deliver(createResponse(this.request, status), undefined);
  }

  private transmit(msg: SipRequest): void {
    this.ctx.send(msg, this.destination).catch((e: unknown) => {
      this.ctx.log.debug('sip request send failed', { err: e, method: msg.method });
      if (msg === this.request) this.fail('transport-error');
    });
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.timerC) clearTimeout(this.timerC);
    this.timerC = undefined;
  }
}
