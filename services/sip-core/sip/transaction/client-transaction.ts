// Client transactions (RFC 3261 §17.1, RFC 6026 Accepted state): request
// retransmission over UDP (Timers A/E), timeouts (B/F), ACK for non-2xx
// finals (§17.1.1.3), absorption of retransmitted finals (D/K), CANCEL (§9.1).
import { EventEmitter } from 'node:events';
import { SipHeaders, SipRequest, type SipResponse } from '../message';
import { createResponse, serializeMessage } from '../serializer';
import type { ClientTransaction, ClientTransactionState, Destination, MessageSource, SendRequestHandlers, SendRequestOptions } from '../types';
import { ownBytes, type TransactionContext } from './server-transaction';
import { TimerSet } from './timer-set';

export interface ClientContext extends TransactionContext {
  /** Start a CANCEL as its own non-INVITE transaction, keeping the INVITE's Via (§9.1). */
  startCancel(cancel: SipRequest, dest: Destination): void;
  /** Hand an extra 2xx to the TU as a stray response (§13.2.2.4). */
  stray(res: SipResponse, source: MessageSource): void;
}

export class ClientTxn extends EventEmitter implements ClientTransaction {
  private st: ClientTransactionState;
  private readonly timers = new TimerSet();
  private readonly reliable: boolean;
  private readonly isInvite: boolean;
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
      default:
        return;
    }
  }

  terminate(): void {
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.clearTimers();
    this.ctx.forget(this.id, this);
    this.emit('terminated');
  }

  private accept(res: SipResponse, source: MessageSource): void {
    this.clearTimers();
    this.st = 'accepted';
    // RFC 6026 Timer M: 2xx retransmissions and other forks' 2xx still match
    // for 64*T1 and go to the TU as strays; the layer keeps only the key.
    this.ctx.retire(this.id, this, { kind: 'client-accepted' }, 'long');
    this.deliver(res, source);
  }

  private complete(res: SipResponse, source: MessageSource): void {
    this.clearTimers();
    this.st = 'completed';
    let ackRaw: Buffer | undefined;
    if (this.isInvite) {
      ackRaw = serializeMessage(this.buildAck(res));
      this.ctx.sendRaw(ackRaw, this.destination).catch((e: unknown) => this.ctx.log.debug('sip ack send failed', { err: e }));
    }
    // Timer D (INVITE, 64*T1: a retransmitted final gets the same ACK) / Timer K
    // (T4: retransmitted finals are absorbed); none over reliable transports.
    if (this.reliable) this.terminate();
    else if (ackRaw) this.ctx.retire(this.id, this, { kind: 'client-completed', resend: { raw: ownBytes(ackRaw), dest: this.destination } }, 'long');
    else this.ctx.retire(this.id, this, { kind: 'client-completed' }, 'short');
    this.deliver(res, source);
  }

  /** §17.1.1.3: ACK for a non-2xx final, built from the INVITE and the response's To. */
  private buildAck(res: SipResponse): SipRequest {
    return sameTransaction(this.request, 'ACK', res.headers.get('to') ?? this.request.headers.get('to') ?? '', []);
  }

  private sendCancel(extra: Array<[string, string]>): void {
    this.cancelSent = true;
    this.cancelWanted = undefined;
    // §9.1: same Request-URI, Call-ID, To, From, CSeq number and top Via (branch) as the INVITE.
    const cancel = sameTransaction(this.request, 'CANCEL', this.request.headers.get('to') ?? '', extra);
    this.ctx.startCancel(cancel, this.destination);
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
    this.timers.after(ms, fn);
  }

  private clearTimers(): void {
    this.timers.clear();
    if (this.timerC) clearTimeout(this.timerC);
    this.timerC = undefined;
  }
}

/**
 * ACK (non-2xx) and CANCEL share the INVITE's transaction: its top Via (branch),
 * Route set, Request-URI, From, Call-ID and CSeq number (§9.1, §17.1.1.3).
 */
function sameTransaction(invite: SipRequest, method: 'ACK' | 'CANCEL', to: string, extra: Array<[string, string]>): SipRequest {
  const h = new SipHeaders();
  const topVia = invite.headers.get('via');
  if (topVia !== undefined) h.append('Via', topVia);
  for (const r of invite.headers.getAll('route')) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('from') ?? '');
  h.append('To', to);
  h.append('Call-ID', invite.headers.get('call-id') ?? '');
  h.append('CSeq', `${invite.cseq.seq} ${method}`);
  for (const [name, value] of extra) h.append(name, value);
  return new SipRequest(method, invite.uri, h);
}
