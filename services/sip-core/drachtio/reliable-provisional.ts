// RFC 3262 reliable provisional responses sent by the UAS side: RSeq, the
// retransmission until PRACK, and the PRACK itself (answered 200 by the
// server, then shown to the app so srf's PRACK callback fires; notes A.6.2).
import { randomInt, randomUUID } from 'node:crypto';
import type { SipRequest, SipResponse } from '../sip/message';
import type { Destination, ServerTransaction } from '../sip/types';
import type { Dialog } from '../dialog/dialog';
import type { Controller, InboundTxn } from './controller';
import { deliverToApp, responseFor } from './sip-build';

const has100rel = (values: string[]) => values.some((v) => /(^|,)\s*100rel\s*(,|$)/i.test(v));

/** Adds RSeq when the app asked for reliability; an error text when the UAC cannot do it. */
export function prepareReliable(entry: InboundTxn, res: SipResponse): string | undefined {
  if (!has100rel(res.getAll('require'))) return undefined;
  const req = entry.req;
  if (!has100rel([...req.getAll('supported'), ...req.getAll('require')])) {
    return 'Remote endpoint does not support 100rel';
  }
  // RFC 3262 §3: the first RSeq is random below 2**31; later ones increase by one.
  entry.rseq = entry.rseq === undefined ? randomInt(1, 2 ** 30) : entry.rseq + 1;
  res.headers.set('RSeq', String(entry.rseq));
  return undefined;
}

/** RFC 3262 §3: retransmit at T1, doubling, until PRACK or 64×T1. */
export function startReliable(c: Controller, entry: InboundTxn, res: SipResponse, dest: Destination): void {
  entry.stopReliable?.();
  if (dest.transport !== 'udp') return;
  let interval = c.opts.t1Ms;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const resend = () => {
    if (Date.now() - started >= 64 * c.opts.t1Ms) return;
    c.stack.sendStateless(res, dest).catch((e: unknown) => c.log.debug('reliable 1xx retransmission failed', { err: e }));
    interval *= 2;
    timer = setTimeout(resend, interval);
  };
  timer = setTimeout(resend, interval);
  entry.stopReliable = () => {
    clearTimeout(timer);
    entry.stopReliable = undefined;
  };
}

export function onPrackFromNetwork(c: Controller, dialog: Dialog, req: SipRequest, txn: ServerTransaction): void {
  const rack = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(req.get('rack') ?? '');
  let invite: InboundTxn | undefined;
  for (const e of c.inbound.values()) if (e.dialog === dialog && e.req.method === 'INVITE' && e.rseq !== undefined) invite = e;
  const ok = rack && invite && Number(rack[1]) === invite.rseq && Number(rack[2]) === invite.req.cseq.seq;
  const res = responseFor(req, ok ? 200 : 481, ok ? 'OK' : 'Call/Transaction Does Not Exist');
  txn.respond(res).catch((e: unknown) => c.log.debug('PRACK answer failed', { err: e }));
  if (!ok) return;
  invite!.stopReliable?.();
  deliverToApp(dialog.owner, c.serialize(req), txn.source, randomUUID(), dialog.id);
}
