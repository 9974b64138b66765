// A stateful proxy of one incoming request (RFC 3261 §16, notes A.8): serial
// or simultaneous forking, provisional/final timeouts, best-response choice,
// Record-Route when the app wants to remain in the dialog, upstream CANCEL.
import type { HeaderEntry, SipResponse } from '../sip/message';
import type { ClientTransaction, MessageSource } from '../sip/types';
import type { AppConnection } from '../drachtio/app-connection';
import type { Controller, InboundTxn } from '../drachtio/controller';
import { wireTime } from '../drachtio/leader';
import { replyNok, responseFor } from '../drachtio/sip-build';
import { normalizeHopUri, resolveNextHop } from '../dialog/next-hop';
import { tryParseUri } from '../dialog/dialog-requests';
import type { ProxyOptions } from './proxy-options';
import { bestResponse } from './best-response';

/** RFC 3261 §16.6 step 11: Timer C MUST be greater than 3 minutes. */
const TIMER_C_MS = 181_000;

interface Branch {
  target: string;
  ctxn?: ClientTransaction;
  provisional: boolean;
  timers: NodeJS.Timeout[];
}

export class ProxySession {
  private readonly queue: string[];
  private readonly branches = new Set<Branch>();
  private readonly finals: SipResponse[] = [];
  private done = false;
  private canceled = false;
  private launched = 0;

  constructor(
    private readonly c: Controller,
    private readonly entry: InboundTxn,
    private readonly opts: ProxyOptions,
    private readonly extra: HeaderEntry[],
    private readonly conn: AppConnection,
    private readonly rid: string,
  ) {
    this.queue = [...opts.destinations];
    entry.onCancel = () => this.onUpstreamCancel();
  }

  async start(): Promise<void> {
    if (this.opts.simultaneous) {
      const all = this.queue.splice(0);
      await Promise.all(all.map((t) => this.launch(t)));
    } else {
      await this.launchNext();
    }
    if (this.launched === 0) {
      this.respondUpstream(responseFor(this.entry.req, 500, 'Server Internal Error'));
      this.finish(false);
      replyNok(this.conn, this.rid, `error proxying request to ${this.opts.destinations.join(',')}`);
    }
  }

  private async launchNext(): Promise<void> {
    while (this.queue.length > 0 && !this.canceled) {
      if (await this.launch(this.queue.shift()!)) return;
    }
  }

  private async launch(target: string): Promise<boolean> {
    const c = this.c;
    const req = this.entry.req.clone();
    const hop = normalizeHopUri(target);
    let dest;
    try {
      dest = await resolveNextHop(hop, c.availableTransports());
    } catch (e) {
      c.log.info('proxy target unusable', { target, err: e });
      return false;
    }
    // §16.6 step 2: retarget only a request addressed to us; otherwise the target is the next hop.
    const ruri = tryParseUri(req.uri);
    if (ruri && c.isOwnAddress(ruri.host, ruri.port ?? 5060)) req.uri = hop;
    // §16.4: a preloaded Route naming us is consumed.
    const top = req.get('route');
    const topUri = top ? tryParseUri(/<([^>]+)>/.exec(top)?.[1] ?? top) : undefined;
    if (topUri && c.isOwnAddress(topUri.host, topUri.port ?? 5060)) req.headers.removeFirst('route');
    // §16.6 step 3.
    req.headers.set('Max-Forwards', String(Math.max(0, (req.maxForwards ?? 70) - 1)));
    if (this.opts.remainInDialog) {
      const local = c.localFor(dest.transport, dest.address);
      const tp = dest.transport === 'udp' ? '' : `;transport=${dest.transport}`;
      req.headers.prepend('Record-Route', `<sip:${local.advertisedHost}:${local.advertisedPort}${tp};lr>`);
    }
    for (const e of this.extra) req.headers.append(e.name, e.value);
    const branch: Branch = { target, provisional: false, timers: [] };
    this.branches.add(branch);
    this.launched++;
    // §16.6 step 11: Timer C (> 3 min) so a target that rings forever is CANCELed.
    const timerC = req.method === 'INVITE' ? TIMER_C_MS : undefined;
    branch.ctxn = c.stack.sendRequest(req, dest, { onResponse: (res, src) => this.onResponse(branch, res, src) }, { timerC });
    if (req.method === 'INVITE') c.cdr.attempt('application', c.serialize(branch.ctxn.request).toString('utf8'));
    this.armTimers(branch);
    return true;
  }

  private armTimers(branch: Branch): void {
    const { provisionalTimeoutMs, finalTimeoutMs, simultaneous } = this.opts;
    if (provisionalTimeoutMs > 0 && !simultaneous) {
      branch.timers.push(setTimeout(() => !branch.provisional && this.abandon(branch), provisionalTimeoutMs));
    }
    if (finalTimeoutMs > 0) branch.timers.push(setTimeout(() => this.abandon(branch), finalTimeoutMs));
  }

  /** A target that did not answer in time: CANCEL it and treat it as a 408. */
  private abandon(branch: Branch): void {
    if (!this.branches.has(branch)) return;
    branch.ctxn?.cancel([['Reason', 'SIP;cause=408;text="proxy timeout"']]);
    this.onFinal(branch, responseFor(this.entry.req, 408, 'Request Timeout'), undefined);
  }

  private onResponse(branch: Branch, res: SipResponse, src: MessageSource | undefined): void {
    if (res.status === 100) return;
    if (res.status < 200) {
      branch.provisional = true;
      if (!this.done) this.respondUpstream(res, true);
      return;
    }
    if (!this.branches.has(branch)) {
      // §16.7 step 5: every 2xx goes upstream, even after a winner or a timeout.
      if (res.status < 300) this.respondUpstream(res, true);
      return;
    }
    this.onFinal(branch, res, src);
  }

  private onFinal(branch: Branch, res: SipResponse, src: MessageSource | undefined): void {
    this.branches.delete(branch);
    for (const t of branch.timers) clearTimeout(t);
    this.report(res, src);
    if (res.status < 300) {
      if (this.entry.req.method === 'INVITE') {
        // notes A.5: a proxied answer is a start for both halves.
        const raw = this.c.serialize(res).toString('utf8');
        this.c.cdr.start('network', 'proxy-uac', raw);
        this.c.cdr.start('application', 'proxy-uas', raw);
      }
      this.respondUpstream(res, true);
      this.cancelOthers('SIP;cause=200;text="Call completed elsewhere"');
      return this.finish(true);
    }
    this.finals.push(res);
    if (res.status < 400 && this.opts.followRedirects) this.queue.unshift(...redirectTargets(res));
    if (res.status === 401 || res.status === 407) {
      // notes A.8: a challenge stops the search and goes upstream at once.
      this.queue.length = 0;
      this.cancelOthers('SIP;cause=487;text="challenged elsewhere"');
      this.respondUpstream(res, true);
      return this.finish(true);
    }
    if (res.status >= 600) {
      // §16.7 step 5: a 6xx ends the search.
      this.queue.length = 0;
      this.cancelOthers('SIP;cause=600;text="Busy Everywhere"');
    }
    if (this.branches.size > 0) return;
    if (this.queue.length > 0 && !this.canceled) {
      void this.launchNext().then(() => this.branches.size === 0 && !this.done && this.forwardBest());
      return;
    }
    this.forwardBest();
  }

  private forwardBest(): void {
    const best = bestResponse(this.finals) ?? responseFor(this.entry.req, 408, 'Request Timeout');
    if (this.entry.req.method === 'INVITE') {
      this.c.cdr.stop('application', best.status === 487 ? 'call-canceled' : 'call-rejected', this.c.serialize(best).toString('utf8'));
    }
    this.respondUpstream(best, this.finals.includes(best));
    this.finish(true);
  }

  private onUpstreamCancel(): void {
    if (this.done) return;
    this.canceled = true;
    this.queue.length = 0;
    this.cancelOthers('SIP;cause=487;text="canceled upstream"');
    if (this.branches.size === 0) {
      this.respondUpstream(responseFor(this.entry.req, 487, 'Request Terminated'));
      this.finish(true);
    }
  }

  private cancelOthers(reason: string): void {
    for (const b of this.branches) b.ctxn?.cancel([['Reason', reason]]);
  }

  /** Sends a response upstream; one received from a target loses our Via first (§16.7 step 3). */
  private respondUpstream(res: SipResponse, fromTarget = false): void {
    const out = res.clone();
    if (fromTarget) out.headers.removeFirst('via');
    if (fromTarget && out.status === 503) out.status = 500; // §16.7 step 6
    this.entry.txn.respond(out).catch((e: unknown) => this.c.log.debug('proxy upstream response not sent', { status: out.status, err: e }));
  }

  /** `OK|<meta>|||continue` + the final response of one target (what srf collects). */
  private report(res: SipResponse, src: MessageSource | undefined): void {
    if (this.conn.closed) return;
    const raw = this.c.serialize(res);
    this.conn.reply(
      this.rid,
      ['OK', 'network', String(raw.length), src?.transport ?? 'udp', src?.address ?? '', String(src?.port ?? 0), wireTime(), '', '', 'continue'],
      raw.toString('utf8'),
    );
  }

  private finish(reply: boolean): void {
    if (this.done) return;
    this.done = true;
    this.entry.finalSent = true;
    this.c.forgetInbound(this.entry);
    if (reply && !this.conn.closed) this.conn.reply(this.rid, ['OK', 'done']);
  }
}

function redirectTargets(res: SipResponse): string[] {
  try {
    return res.contacts.map((c) => c.uriText).filter((u) => u.length > 0);
  } catch {
    return [];
  }
}
