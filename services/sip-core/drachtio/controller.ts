// The glue between drachtio-srf apps and the SIP stack (notes A.6): which app
// owns which transaction and dialog, and what happens when an app goes away.
import { networkInterfaces } from 'node:os';
import type { Logger } from '../../common/logger';
import type { SipMessage, SipRequest } from '../sip/message';
import type { ClientTransaction, Destination, ListenerInfo, MessageSource, ServerTransaction, SipResponse, Transport } from '../sip/types';
import { LingerTable } from '../sip/transaction/linger-table';
import { Dialog } from '../dialog/dialog';
import { DialogStore } from '../dialog/dialog-store';
import { NextHopError } from '../dialog/next-hop';
import type { AppConnection } from './app-connection';
import type { AppRegistry } from './app-registry';
import type { AppCommandHandler } from './wire-server';
import type { WireMessage } from './leader';
import { CdrEmitter } from './cdr';
import type { SipStack, SipTransports } from './sip-stack';
import { onNetworkAck, onNetworkCancel, onNetworkRequest, onStrayResponse } from './network-requests';
import { onAppSip } from './app-commands';
import { onAppProxy } from '../proxy/proxy-command';
import { sendByeInDialog } from '../dialog/dialog-requests';
import { DeadlineWheel } from '../dialog/deadline-wheel';
import { onSessionDeadline } from '../dialog/session-timer';
import { replyNok, responseFor, withTag } from './sip-build';
import { OrphanDialogs } from './orphan-dialogs';

/** A network request handed to an app, waiting for the app's response. */
export interface InboundTxn {
  txnId: string;
  conn: AppConnection;
  req: SipRequest;
  txn: ServerTransaction;
  /** In-dialog request: its dialog. INVITE/SUBSCRIBE: the UAS dialog once created. */
  dialog?: Dialog;
  /** To tag for responses to an out-of-dialog request (RFC 3261 §8.2.6.2). */
  localTag: string;
  finalSent: boolean;
  /** Out of dialog (no To tag): an initial INVITE, REGISTER, OPTIONS … */
  initial: boolean;
  /** RFC 3262: last RSeq used for a reliable provisional. */
  rseq?: number;
  /** Stops retransmission of the outstanding reliable provisional. */
  stopReliable?: () => void;
  /** The app is proxying this request (A.8): no response expected from it. */
  proxied?: boolean;
  /** The proxy core's reaction to an upstream CANCEL (§16.10). */
  onCancel?: () => void;
  /** Non-INVITE: answers 408 when the app never does (cleared once the entry is forgotten). */
  deadline?: NodeJS.Timeout;
}

/** An app request sent to the network, waiting for responses. */
export interface OutboundTxn {
  txnId: string;
  conn: AppConnection;
  ctxn: ClientTransaction;
  method: string;
  /** UAC dialog of an INVITE/SUBSCRIBE, or the dialog of an in-dialog request. */
  dialog?: Dialog;
  /** The request created the dialog (initial INVITE/SUBSCRIBE). */
  creating: boolean;
  canceled: boolean;
}

/** The ACK sent for a 2xx (§13.2.2.4), as sent, to answer retransmissions of that 2xx. */
export interface SentAck {
  raw: Buffer;
  dest: Destination;
  /** CSeq number of the INVITE it acknowledges. */
  seq: number;
  expiresAt: number;
}

export interface ControllerOptions {
  stack: SipStack;
  transports: SipTransports;
  registry: AppRegistry;
  serialize(msg: SipMessage): Buffer;
  log: Logger;
  /** RFC 3261 T1 in ms (2xx and reliable-1xx retransmission, ACK timeout = 64×T1). */
  t1Ms: number;
  t2Ms: number;
  /** RFC 4028 §4 Min-SE floor, seconds (90; only tests lower it: sip.timers.testOnlyMinSessionExpiresS). */
  minSessionExpiresS?: number;
  /** How long a vanished app's calls wait for it to come back (orphan-dialogs.ts); 0 hangs them up at once. */
  orphanGraceMs?: number;
}

/** Granularity of session-timer deadlines (RFC 4028 intervals are 90 s and up). */
const SESSION_TIMER_TICK_MS = 250;

export class Controller implements AppCommandHandler {
  /** RFC 4028 refresh and expiry deadlines of every dialog, on one timer. */
  readonly sessionTimers = new DeadlineWheel<Dialog>(SESSION_TIMER_TICK_MS, (d) => onSessionDeadline(this, d));
  readonly dialogs = new DialogStore((d) => this.sessionTimers.cancel(d));
  readonly inbound = new Map<string, InboundTxn>();
  readonly inboundByTxn = new WeakMap<ServerTransaction, InboundTxn>();
  readonly outbound = new Map<string, OutboundTxn>();
  readonly cdr: CdrEmitter;
  /** ACKs for 2xx by dialog id, kept 64×T1 (sendAckForTwoHundred). */
  readonly sentAcks: LingerTable<SentAck>;
  readonly orphans: OrphanDialogs;
  readonly stack: SipStack;
  readonly log: Logger;
  counters = { requestsIn: 0, requestsOut: 0, noApp: 0, ackTimeouts: 0, appTeardowns: 0, proxiedInDialog: 0, extraForksEnded: 0, sessionRefreshes: 0 };

  constructor(readonly opts: ControllerOptions) {
    this.stack = opts.stack;
    this.log = opts.log;
    this.cdr = new CdrEmitter(opts.registry);
    this.sentAcks = new LingerTable<SentAck>(64 * opts.t1Ms);
    this.orphans = new OrphanDialogs({ graceMs: opts.orphanGraceMs ?? 0, expire: (d) => this.hangUpOrphan(d), log: opts.log });
    this.stack.on('request', (req: SipRequest, txn: ServerTransaction) => this.safely('request', () => onNetworkRequest(this, req, txn)));
    this.stack.on('ack', (req: SipRequest, src: MessageSource) => this.safely('ack', () => onNetworkAck(this, req, src)));
    this.stack.on('cancel', (req: SipRequest, txn: ServerTransaction) => this.safely('cancel', () => onNetworkCancel(this, req, txn)));
    this.stack.on('strayResponse', (res: SipResponse, src: MessageSource) => this.safely('stray', () => onStrayResponse(this, res, src)));
  }

  get registry(): AppRegistry {
    return this.opts.registry;
  }

  serialize(msg: SipMessage): Buffer {
    return this.opts.serialize(msg);
  }

  availableTransports(): Set<Transport> {
    return new Set(this.opts.transports.listenerInfos().map((l) => l.transport));
  }

  /** An app asked us to stop answering `address` (a banned source): see app-responses.ts. */
  silence(address: string, ms: number): boolean {
    return this.opts.transports.silence?.(address, ms) ?? false;
  }

  /** Our listener for sending to `address` over `transport` (Via, Contact, meta). */
  localFor(transport: Transport, address: string): ListenerInfo {
    const local = this.opts.transports.localFor(transport, address.includes(':') ? 6 : 4);
    if (!local) throw new NextHopError('next-hop-transport-unavailable', 'requested protocol/transport not available');
    return local;
  }

  /** True when host:port names one of our own listeners (notes A.6.3: no requests to ourselves). */
  isOwnAddress(address: string, port: number): boolean {
    return this.opts.transports
      .listenerInfos()
      .some((l) => l.port === port && (l.host === address || l.advertisedHost === address || (isAny(l.host) && isLocalInterface(address))));
  }

  onSip(conn: AppConnection, msg: WireMessage): void {
    onAppSip(this, conn, msg).catch((e: unknown) => {
      this.log.error('app sip command failed', { err: e });
      replyNok(conn, msg.id, e instanceof Error ? e.message : 'internal error');
    });
  }

  onProxy(conn: AppConnection, msg: WireMessage): void {
    onAppProxy(this, conn, msg).catch((e: unknown) => {
      this.log.error('app proxy command failed', { err: e });
      replyNok(conn, msg.id, e instanceof Error ? e.message : 'internal error');
    });
  }

  /** Forget an inbound transaction once answered or gone. */
  forgetInbound(entry: InboundTxn): void {
    entry.stopReliable?.();
    if (entry.deadline) clearTimeout(entry.deadline);
    if (this.inbound.get(entry.txnId) === entry) this.inbound.delete(entry.txnId);
  }

  /**
   * An app connection closed: end what it owned so no call is left half-open,
   * except answered calls, which wait `orphanGraceMs` for the app's restart
   * (orphan-dialogs.ts) before they are hung up.
   */
  onDisconnect(conn: AppConnection): void {
    for (const entry of [...this.inbound.values()]) {
      if (entry.conn !== conn) continue;
      this.forgetInbound(entry);
      if (!entry.finalSent && !entry.proxied && entry.req.method !== 'ACK') {
        entry.finalSent = true;
        this.counters.appTeardowns++;
        void this.respondLocally(entry, 503, 'Service Unavailable', 'application disconnected');
      }
    }
    for (const entry of [...this.outbound.values()]) {
      if (entry.conn !== conn) continue;
      this.outbound.delete(entry.txnId);
      if (entry.method === 'INVITE' && entry.creating && !entry.canceled) {
        entry.canceled = true;
        entry.ctxn.cancel([['Reason', 'SIP;cause=503;text="application disconnected"']]);
      }
    }
    for (const dialog of this.dialogs.all()) {
      if (dialog.owner !== conn) continue;
      if (dialog.kind === 'invite' && dialog.state === 'confirmed' && !dialog.ending) {
        if (this.orphans.hold(dialog)) continue;
        this.hangUpOrphan(dialog);
        continue;
      } else if (dialog.role === 'uac' && dialog.state === 'early') {
        // the CANCEL above ends it; keep it until the final response arrives.
        continue;
      }
      this.dialogs.remove(dialog);
    }
  }

  /** An app routed a verb: an app that handles `invite` takes over the calls its predecessor left. */
  onRoute(conn: AppConnection, verb: string): void {
    if (verb === 'invite') this.orphans.adopt(conn);
  }

  /** BYE for a confirmed dialog whose app is gone for good. */
  private hangUpOrphan(dialog: Dialog): void {
    this.counters.appTeardowns++;
    void sendByeInDialog(this, dialog, 'application disconnected').catch((e: unknown) =>
      this.log.warn('bye after app disconnect failed', { dialogId: dialog.id, err: e }),
    );
    this.dialogs.remove(dialog);
  }

  /** A response the server makes itself for an inbound request (app gone, CANCEL …). */
  async respondLocally(entry: InboundTxn, status: number, reason: string, why: string): Promise<void> {
    const res = responseFor(entry.req, status, reason);
    const to = res.get('to');
    if (to !== undefined && !/;\s*tag=/i.test(to)) res.headers.set('To', withTag(to, entry.localTag));
    res.headers.append('Reason', `SIP;cause=${status};text="${why}"`);
    try {
      await entry.txn.respond(res);
    } catch (e) {
      this.log.debug('local response not sent', { status, err: e });
    }
    if (entry.req.method === 'INVITE' && entry.initial) {
      this.cdr.stop('application', status === 487 ? 'call-canceled' : 'call-rejected', this.serialize(res).toString('utf8'));
    }
    if (entry.dialog && entry.dialog.state === 'early') this.dialogs.remove(entry.dialog);
  }

  health(): Record<string, unknown> {
    return {
      dialogs: this.dialogs.size,
      pendingInbound: this.inbound.size,
      pendingOutbound: this.outbound.size,
      orphanDialogs: this.orphans.size,
      orphanRequestsParked: this.orphans.parkedRequests,
      orphansAdopted: this.orphans.adopted,
      orphansExpired: this.orphans.expired,
      cdr: this.cdr.counters,
      ...this.counters,
    };
  }

  private safely(what: string, fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((e: unknown) => this.log.error('sip event handler failed', { what, err: e }));
    } catch (e) {
      this.log.error('sip event handler failed', { what, err: e });
    }
  }
}

const isAny = (h: string) => h === '0.0.0.0' || h === '::';

/** A listener bound to 0.0.0.0/:: answers on every local address: a request to any of them would loop. */
function isLocalInterface(address: string): boolean {
  if (address.startsWith('127.') || address === '::1') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}

export { Dialog };
