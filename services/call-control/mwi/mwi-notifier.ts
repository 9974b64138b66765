// Message-waiting indication for phones: SUBSCRIBE Event: message-summary
// (RFC 3842 over RFC 6665). A phone subscribes to its own extension's box —
// digest-authenticated like a call, and only its own: the From identity
// the credentials prove must be the extension in the Request-URI, so no
// phone learns another's (or another tenant's) voicemail. The PBX answers
// 202, NOTIFYs the counts at once, on every change, on each refresh, and
// ends the subscription with a terminated NOTIFY when it expires or the
// phone unsubscribes (Expires: 0).
//
// Changes arrive two ways: call-control's own voicemail destination calls
// changed() when it saves a message; a message read or deleted through the
// api (another process) is seen by check(), which compares each subscribed
// box's counts with what was last sent (cheap: one indexed count per box
// that has subscribers).
import type { Logger } from '../../common/logger';
import { authenticateRequest, type RequestAuthDeps } from '../auth/request-auth';
import { uriParts } from '../registrar/sip-address';
import { CONTENT_TYPE, decideExpires, EVENT, eventPackage, summaryBody, type Summary } from './message-summary';

/** drachtio-srf's request/response/dialog, as far as this module uses them. */
export interface SubscribeRequest {
  method: string;
  uri: string;
  source_address: string;
  get(name: string): string | undefined;
}
export interface SubscribeResponse {
  send(status: number, reason: string, opts: { headers: Record<string, string> }): void;
  send(status: number, opts?: { headers: Record<string, string> }): void;
}
export interface SubscriptionDialog {
  id: string;
  request(opts: { method: 'NOTIFY'; headers: Record<string, string>; body: string }): Promise<{ status: number }>;
  on(event: 'subscribe', fn: (req: SubscribeRequest, res: SubscribeResponse) => void): void;
  on(event: 'unsubscribe' | 'destroy', fn: () => void): void;
}

export interface MwiDeps {
  createUAS(req: SubscribeRequest, res: SubscribeResponse, opts: { headers: Record<string, string> }): Promise<SubscriptionDialog>;
  auth: RequestAuthDeps;
  /** The box of an extension within its tenant. */
  boxOf(tenantId: number, extension: string): { id: number } | undefined;
  counts(boxId: number): { new: number; saved: number };
  /** Every box's counts at once (a box without messages absent): check() reads them with one query, not one per phone. */
  countsByBox?(): Map<number, { new: number; saved: number }>;
  log: Logger;
  now?: () => number;
}

interface Subscription {
  dialog: SubscriptionDialog;
  tenantId: number;
  boxId: number;
  account: string;
  expiresAt: number;
  timer: NodeJS.Timeout;
  /** The body last sent: a change is a different body. */
  sent: string;
  ended: boolean;
}

export class MessageWaiting {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly deps: MwiDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  get size(): number {
    return this.subs.size;
  }

  /** srf.subscribe's handler: new subscriptions (refreshes arrive on the dialog). */
  handler(): (req: SubscribeRequest, res: SubscribeResponse) => void {
    return (req, res) => {
      this.subscribe(req, res).catch((err: unknown) => this.deps.log.error('mwi subscribe failed', { err }));
    };
  }

  private async subscribe(req: SubscribeRequest, res: SubscribeResponse): Promise<void> {
    const { log } = this.deps;
    if (eventPackage(req.get('Event')) !== EVENT) {
      // RFC 6665 §4.2.1.1: an unknown package is 489 with the ones we know.
      res.send(489, 'Bad Event', { headers: { 'Allow-Events': EVENT } });
      return;
    }
    const expires = decideExpires(req.get('Expires'));
    if ('bad' in expires) return res.send(400, expires.bad, { headers: {} });
    if ('tooBrief' in expires) return res.send(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(expires.min) } });
    const caller = authenticateRequest(this.deps.auth, req, res);
    if (!caller) return;
    const target = uriParts(req.uri).user;
    if (target !== caller.extension) {
      log.warn('mwi subscription to a foreign box refused', { source: req.source_address, extension: caller.extension, target, tenantId: caller.tenant.id });
      return res.send(403, 'Forbidden', { headers: { Reason: 'SIP;cause=403;text="not-your-mailbox"' } });
    }
    const box = this.deps.boxOf(caller.tenant.id, caller.extension);
    if (!box) return res.send(404, 'Not Found', { headers: { Reason: 'SIP;cause=404;text="no-voicemail-box"' } });
    const grant = 'grant' in expires ? expires.grant : 0;
    const dialog = await this.deps.createUAS(req, res, { headers: { Expires: String(grant) } });
    const account = `sip:${caller.extension}@${caller.tenant.sipDomain}`;
    if (grant === 0) {
      // Expires: 0 on a new subscription is a fetch (RFC 6665 §4.1.2.4): one NOTIFY, terminated.
      await this.sendNotify(dialog, 'terminated;reason=timeout', summaryBody(this.summary(box.id), account)).catch(() => undefined);
      return;
    }
    const sub: Subscription = { dialog, tenantId: caller.tenant.id, boxId: box.id, account, expiresAt: 0, timer: setTimeout(() => undefined, 0), sent: '', ended: false };
    this.subs.set(dialog.id, sub);
    this.arm(sub, grant);
    log.info('mwi subscription', { extension: caller.extension, tenantId: caller.tenant.id, expires: grant });
    dialog.on('subscribe', (r, s) => this.refresh(sub, r, s));
    dialog.on('unsubscribe', () => void this.end(sub, 'terminated;reason=timeout'));
    dialog.on('destroy', () => this.forget(sub));
    await this.notify(sub);
  }

  /** A refresh in the dialog (RFC 6665 §4.2.1.2): new duration, and a NOTIFY with the state. */
  private refresh(sub: Subscription, req: SubscribeRequest, res: SubscribeResponse): void {
    const expires = decideExpires(req.get('Expires'));
    if ('bad' in expires) return res.send(400, expires.bad, { headers: {} });
    if ('tooBrief' in expires) return res.send(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(expires.min) } });
    if ('unsubscribe' in expires) {
      res.send(200, { headers: { Expires: '0' } });
      void this.end(sub, 'terminated;reason=timeout');
      return;
    }
    res.send(200, { headers: { Expires: String(expires.grant) } });
    this.arm(sub, expires.grant);
    void this.notify(sub, true);
  }

  private arm(sub: Subscription, seconds: number): void {
    clearTimeout(sub.timer);
    sub.expiresAt = this.now() + seconds * 1000;
    // RFC 6665 §4.2.2: when the duration runs out the notifier ends the subscription with reason=timeout.
    sub.timer = setTimeout(() => void this.end(sub, 'terminated;reason=timeout'), seconds * 1000);
    sub.timer.unref();
  }

  /** A box's counts changed (a message saved here): its subscribers are told now. */
  changed(tenantId: number, boxId: number): void {
    for (const sub of this.subs.values()) if (sub.tenantId === tenantId && sub.boxId === boxId) void this.notify(sub);
  }

  /** Notices changes made by other processes (the api marking read or deleting): NOTIFY where the counts differ from what was sent. */
  check(): void {
    if (this.subs.size === 0) return;
    const all = this.deps.countsByBox?.();
    const counts = all ? (boxId: number) => all.get(boxId) ?? { new: 0, saved: 0 } : undefined;
    for (const sub of this.subs.values()) void this.notify(sub, false, counts);
  }

  /** Ends every subscription (process stop): a terminated NOTIFY so phones re-subscribe to the next process. */
  async stop(): Promise<void> {
    const ending = Promise.all([...this.subs.values()].map((s) => this.end(s, 'terminated;reason=deactivated')));
    // A phone that does not answer must not hold the process's stop for a whole transaction timeout.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ending, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
  }

  private summary(boxId: number, counts: MwiDeps['counts'] = (id) => this.deps.counts(id)): Summary {
    const c = counts(boxId);
    return { newMessages: c.new, oldMessages: c.saved };
  }

  private async notify(sub: Subscription, always = false, counts?: MwiDeps['counts']): Promise<void> {
    if (sub.ended) return;
    const body = summaryBody(this.summary(sub.boxId, counts), sub.account);
    if (!always && body === sub.sent) return;
    sub.sent = body;
    const left = Math.max(0, Math.round((sub.expiresAt - this.now()) / 1000));
    try {
      const r = await this.sendNotify(sub.dialog, `active;expires=${left}`, body);
      // RFC 6665 §4.2.2: a 481 (or any failure but a 408-ish retry) means the subscriber is gone.
      if (r.status >= 300) {
        this.deps.log.info('mwi subscription dropped: NOTIFY refused', { status: r.status });
        this.forget(sub);
      }
    } catch (err) {
      this.deps.log.info('mwi subscription dropped: NOTIFY not delivered', { err: err instanceof Error ? err.message : String(err) });
      this.forget(sub);
    }
  }

  private async end(sub: Subscription, state: string): Promise<void> {
    if (sub.ended) return;
    this.forget(sub);
    await this.sendNotify(sub.dialog, state, summaryBody(this.summary(sub.boxId), sub.account)).catch(() => undefined);
  }

  private forget(sub: Subscription): void {
    sub.ended = true;
    clearTimeout(sub.timer);
    this.subs.delete(sub.dialog.id);
  }

  private sendNotify(dialog: SubscriptionDialog, state: string, body: string): Promise<{ status: number }> {
    return dialog.request({ method: 'NOTIFY', headers: { Event: EVENT, 'Subscription-State': state, 'Content-Type': CONTENT_TYPE }, body });
  }
}
