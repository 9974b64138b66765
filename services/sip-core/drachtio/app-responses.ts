// A response from an app to a request the server delivered (notes A.6.2).
import type { SipResponse } from '../sip/message';
import type { Destination, MessageSource } from '../sip/types';
import { Dialog } from '../dialog/dialog';
import { retransmitUntilAck } from '../dialog/two-hundred-retransmit';
import { armFromTwoHundred } from '../dialog/session-timer';
import type { AppConnection } from './app-connection';
import { bracketContacts, ensureContentType, rewriteLocalhost } from './app-message';
import type { Controller, InboundTxn } from './controller';
import { contactUri, hostPort, replyNok, replySent, responseFor, stripTag, withTag } from './sip-build';
import { prepareReliable, startReliable } from './reliable-provisional';
import { refreshTarget, remoteTargetOf } from './network-requests';
import { endsSubscription } from './app-request-responses';

/** Headers the server writes itself from the request; the app's copies are ignored. */
const FROM_REQUEST = new Set(['from', 'to', 'call-id', 'cseq']);

/**
 * Korobka's own extension to the wire protocol (issue 16 item 7): an app that
 * answers a request finally with `X-Korobka-Silence: <seconds>` (call-control
 * for a banned source) asks the server to send nothing at all and to drop
 * everything from that address unread for that long (at most 300 s, so a
 * lifted ban shows within minutes). The header never reaches the network.
 */
export const SILENCE_HEADER = 'x-korobka-silence';
const MAX_SILENCE_S = 300;

/** RFC 3261 §22: a challenge; sent once without transaction state when the request had no dialog yet. */
const isChallenge = (status: number) => status === 401 || status === 407;

export function sourceDestination(src: MessageSource): Destination {
  return { transport: src.transport, address: src.address, port: src.port, connectionId: src.connectionId };
}

export async function onAppResponse(
  c: Controller,
  conn: AppConnection,
  rid: string,
  txnId: string,
  appRes: SipResponse,
): Promise<void> {
  const entry = c.inbound.get(txnId);
  if (!entry || entry.conn !== conn || entry.finalSent || entry.proxied) {
    return replyNok(conn, rid, 'Response not sent due to unknown transaction');
  }
  const { req, txn } = entry;
  const status = appRes.status;
  if (status < 100 || status > 699) return replyNok(conn, rid, `invalid status ${status}`);
  const local = txn.source.local;
  const res = responseFor(req, status, appRes.reason);
  const silenceS = Number(appRes.get(SILENCE_HEADER));
  for (const e of appRes.headers.entries()) {
    const name = e.name.toLowerCase();
    if (!FROM_REQUEST.has(name) && name !== SILENCE_HEADER) res.headers.append(e.name, e.value);
  }
  res.body = appRes.body;
  const problem = ensureContentType(res);
  if (problem) return replyNok(conn, rid, problem);
  rewriteLocalhost(res, hostPort(local.advertisedHost, local.advertisedPort));
  bracketContacts(res);
  const creates = entry.initial && (req.method === 'INVITE' || req.method === 'SUBSCRIBE');
  if (status > 100 && entry.initial) {
    // §8.2.6.2: the UAS adds a To tag; srf apps may choose it (notes A.6.1 step 8).
    const appTag = tagParam(appRes.get('to'));
    if (appTag && creates && !entry.dialog) entry.localTag = appTag;
    res.headers.set('To', withTag(res.get('to') ?? '', entry.localTag));
  }
  const isInvite = req.method === 'INVITE';
  if ((creates || (isInvite && !entry.initial)) && status > 100 && status < 300 && !res.headers.has('contact')) {
    res.headers.append('Contact', entry.dialog?.localContact || contactUri(local.advertisedHost, local.advertisedPort, local.transport));
  }
  if (isInvite && status > 100 && status < 200) {
    const err = prepareReliable(entry, res);
    if (err) return replyNok(conn, rid, err);
  }
  const created = creates && status > 100 && status < 300 && !entry.dialog;
  if (created) entry.dialog = createUasDialog(c, entry, res);
  if (status >= 200) {
    entry.finalSent = true;
    c.forgetInbound(entry);
  }
  if (txn.state === 'terminated') {
    if (created && entry.dialog) c.dialogs.remove(entry.dialog);
    return replyNok(conn, rid, 'Response not sent due to unknown transaction');
  }
  if (status >= 200 && !entry.dialog && (silenceS > 0 || isChallenge(status))) return sendStateless(c, conn, rid, txnId, entry, res, silenceS);
  // The echo goes to the app before the response reaches the network: the ACK
  // or BYE it provokes must not overtake it on the admin connection, or srf
  // would not yet know the dialog (these are the bytes the transport writes).
  const raw = c.serialize(res);
  const dialog = entry.dialog;
  replySent(conn, rid, raw, local, txnId, dialog?.id ?? '');
  try {
    await txn.respond(res);
  } catch (e) {
    // The transaction is gone (transport error): no dialog may outlive it.
    c.log.warn('response not sent', { status, err: e });
    if (created && entry.dialog) c.dialogs.remove(entry.dialog);
    return;
  }
  if (isInvite && status > 100 && status < 200 && res.headers.has('rseq')) startReliable(c, entry, res, sourceDestination(txn.source));
  if (status >= 200) afterFinal(c, entry, res, raw);
}

/**
 * A final answer that keeps no transaction: a digest challenge sent once, or
 * (silence) nothing sent at all, or a banned trusted source's 403 sent once. The app still gets its echo, as for any response.
 */
async function sendStateless(c: Controller, conn: AppConnection, rid: string, txnId: string, entry: InboundTxn, res: SipResponse, silenceS: number): Promise<void> {
  const { txn } = entry;
  const raw = c.serialize(res);
  replySent(conn, rid, raw, txn.source.local, txnId, '');
  // A trusted source (this box, the admin's networks) is told its 403 instead.
  if (silenceS > 0 && c.silence(txn.source.address, Math.min(silenceS, MAX_SILENCE_S) * 1000)) {
    txn.abandon();
  } else {
    try {
      await txn.respondStateless(res);
    } catch (e) {
      c.log.debug('stateless response not sent', { status: res.status, err: e });
      return;
    }
  }
  if (entry.req.method === 'INVITE' && entry.initial) c.cdr.stop('application', 'call-rejected', raw.toString('utf8'));
}

function tagParam(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const close = value.lastIndexOf('>');
  const m = /;\s*tag=([^;\s]+)/i.exec(close >= 0 ? value.slice(close) : value);
  return m?.[1];
}

function createUasDialog(c: Controller, entry: InboundTxn, res: SipResponse): Dialog {
  const { req } = entry;
  const routes = req.getAll('record-route');
  const dialog = new Dialog({
    role: 'uas',
    kind: req.method === 'INVITE' ? 'invite' : 'subscribe',
    callId: req.callId,
    localTag: entry.localTag,
    remoteTag: req.from.tag ?? '',
    localAddr: stripTag(req.get('to') ?? ''),
    remoteAddr: stripTag(req.get('from') ?? ''),
    remoteTarget: remoteTargetOf(req) ?? req.uri,
    // §12.1.1: the UAS route set is the Record-Route list in order.
    routeSet: routes,
    localSeq: 0,
    remoteSeq: req.cseq.seq,
    localContact: res.get('contact') ?? '',
    owner: entry.conn,
    peer: entry.txn.source,
    inviteSeq: req.cseq.seq,
  });
  dialog.inviteInProgress = req.method === 'INVITE';
  c.dialogs.add(dialog);
  return dialog;
}

function afterFinal(c: Controller, entry: InboundTxn, res: SipResponse, sentRaw: Buffer): void {
  const { req } = entry;
  const dialog = entry.dialog;
  const raw = sentRaw.toString('utf8');
  const ok = res.status < 300;
  if (req.method === 'INVITE') {
    if (entry.initial) {
      if (ok) c.cdr.start('application', 'uas', raw);
      else c.cdr.stop('application', res.status === 487 ? 'call-canceled' : 'call-rejected', raw);
    }
    if (!dialog) return;
    if (ok) {
      dialog.state = 'confirmed';
      if (!entry.initial) refreshTarget(dialog, req);
      retransmitUntilAck(c, dialog, res, sourceDestination(entry.txn.source));
      armFromTwoHundred(c, dialog, res, 'uas');
    } else {
      dialog.inviteInProgress = false;
      if (entry.initial) c.dialogs.remove(dialog);
    }
    return;
  }
  if (req.method === 'UPDATE' && ok && dialog?.state === 'confirmed') armFromTwoHundred(c, dialog, res, 'uas');
  if (req.method === 'NOTIFY' && dialog?.kind === 'subscribe' && ok && endsSubscription(req.get('subscription-state'))) {
    c.dialogs.remove(dialog);
    return;
  }
  if (req.method === 'SUBSCRIBE' && entry.initial && dialog) {
    if (ok) dialog.state = 'confirmed';
    else c.dialogs.remove(dialog);
  }
}
