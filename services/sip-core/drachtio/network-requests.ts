// Requests from the network (notes A.6.1, A.6.5): route new ones to an app,
// match in-dialog ones to their dialog and owner, and handle ACK and CANCEL.
import { randomUUID } from 'node:crypto';
import type { SipRequest } from '../sip/message';
import type { MessageSource, ServerTransaction, SipResponse } from '../sip/types';
import type { Dialog } from '../dialog/dialog';
import type { Controller, InboundTxn } from './controller';
import { deliverToApp, newTag, responseFor } from './sip-build';
import { onPrackFromNetwork } from './reliable-provisional';
import { forwardAck, forwardInDialog, forwardStray, routedToUs } from '../proxy/loose-route';
import { hangUpExtraFork } from '../dialog/extra-fork';

/** Requests that only make sense inside a dialog: without a To tag ⇒ 481 (notes A.6.1 step 4). */
const DIALOG_ONLY = new Set(['BYE', 'UPDATE', 'PRACK', 'CANCEL']);

function reply(c: Controller, txn: ServerTransaction, status: number, reason: string, why?: string): void {
  const res = responseFor(txn.request, status, reason);
  const to = res.get('to');
  if (to !== undefined && !/;\s*tag=/i.test(to)) res.headers.set('To', `${to};tag=${newTag()}`);
  if (why) res.headers.append('Reason', `SIP;cause=${status};text="${why}"`);
  txn.respond(res).catch((e: unknown) => c.log.debug('stateful reply failed', { status, err: e }));
}

function tagOf(get: () => { tag?: string }): string | undefined {
  try {
    return get().tag;
  } catch {
    return undefined;
  }
}

export function onNetworkRequest(c: Controller, req: SipRequest, txn: ServerTransaction): void {
  c.counters.requestsIn++;
  const toTag = tagOf(() => req.to);
  if (toTag) return onInDialogRequest(c, req, txn, toTag);
  if (DIALOG_ONLY.has(req.method)) return reply(c, txn, 481, 'Call/Transaction Does Not Exist');
  const conn = c.registry.pick(req.method.toLowerCase());
  const raw = c.serialize(req);
  if (!conn) {
    c.counters.noApp++;
    c.log.info('no app routed this method', { method: req.method });
    if (req.method === 'INVITE') c.cdr.attempt('network', raw.toString('utf8'));
    reply(c, txn, 503, 'Service Unavailable', 'no application available');
    if (req.method === 'INVITE') c.cdr.stop('application', 'call-rejected', raw.toString('utf8'));
    return;
  }
  const entry: InboundTxn = {
    txnId: randomUUID(), conn, req, txn, localTag: newTag(), finalSent: false, initial: true,
  };
  track(c, entry);
  if (req.method === 'INVITE') c.cdr.attempt('network', raw.toString('utf8'));
  deliverToApp(conn, raw, txn.source, entry.txnId, '');
}

function track(c: Controller, entry: InboundTxn): void {
  c.inbound.set(entry.txnId, entry);
  c.inboundByTxn.set(entry.txn, entry);
  entry.txn.once('terminated', () => c.forgetInbound(entry));
  if (entry.req.method !== 'INVITE') {
    // A non-INVITE the app never answers: the UAC gives up after 64×T1 (Timer F),
    // so do we, rather than keep the transaction forever (notes A.6.1 step 7).
    entry.deadline = setTimeout(() => {
      if (entry.finalSent || entry.proxied) return;
      entry.finalSent = true;
      c.forgetInbound(entry);
      void c.respondLocally(entry, 408, 'Request Timeout', 'application did not answer');
    }, 64 * c.opts.t1Ms);
    entry.deadline.unref();
  }
}

function onInDialogRequest(c: Controller, req: SipRequest, txn: ServerTransaction, toTag: string): void {
  const dialog = c.dialogs.matchIncoming(req.callId, toTag, tagOf(() => req.from));
  if (!dialog && routedToUs(c, req)) return void forwardInDialog(c, req, txn);
  if (!dialog || dialog.state === 'terminated') return reply(c, txn, 481, 'Call/Transaction Does Not Exist');
  if (dialog.owner.closed) {
    const appGone = () => {
      // notes A.6.5: the owning app is gone; a BYE still ends the dialog.
      if (req.method === 'BYE') {
        reply(c, txn, 200, 'OK');
        c.dialogs.remove(dialog);
        c.orphans.forget(dialog);
        return;
      }
      reply(c, txn, 481, 'Call/Transaction Does Not Exist');
    };
    // The app may be restarting (orphan-dialogs.ts): its successor answers, else we do at the end of the grace period.
    if (c.orphans.park(dialog, () => onInDialogRequest(c, req, txn, toTag), appGone)) return;
    return appGone();
  }
  const seq = req.cseq.seq;
  // RFC 3261 §12.2.2: a CSeq lower than the last one is out of order ⇒ 500.
  if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) {
    return reply(c, txn, 500, 'Server Internal Error', 'CSeq out of order');
  }
  if (req.method === 'INVITE' && dialog.inviteInProgress) {
    // RFC 3261 §14.2: an INVITE while another INVITE transaction is pending ⇒ 491.
    return reply(c, txn, 491, 'Request Pending');
  }
  dialog.remoteSeq = seq;
  if (req.method === 'PRACK') return onPrackFromNetwork(c, dialog, req, txn);
  const entry: InboundTxn = {
    txnId: randomUUID(), conn: dialog.owner, req, txn, dialog, localTag: dialog.localTag, finalSent: false, initial: false,
  };
  if (req.method === 'INVITE') {
    dialog.inviteInProgress = true;
    refreshTarget(dialog, req);
  } else if (req.method === 'UPDATE') {
    refreshTarget(dialog, req);
  }
  const raw = c.serialize(req);
  if (req.method === 'BYE') {
    // notes A.6.5: the dialog ends on receipt of the BYE.
    dialog.ending = true;
    c.dialogs.remove(dialog);
    c.cdr.stop('network', 'normal-release', raw.toString('utf8'));
  }
  track(c, entry);
  deliverToApp(dialog.owner, raw, txn.source, entry.txnId, dialog.id);
}

/** RFC 3261 §12.2.2: a target refresh request updates the remote target. */
export function refreshTarget(dialog: Dialog, msg: SipRequest | SipResponse): void {
  const target = remoteTargetOf(msg);
  if (target) dialog.remoteTarget = target;
}

/**
 * The Contact URI of a message. `Contact: sip:a@h;transport=tcp` without <>
 * carries transport as a header parameter (RFC 3261 §20.10), yet every phone
 * that writes it means the URI's: honour that reading.
 */
export function remoteTargetOf(msg: SipRequest | SipResponse): string | undefined {
  try {
    const contact = msg.contacts[0];
    if (!contact?.uriText) return undefined;
    const tp = contact.params.get('transport');
    if (tp && contact.uri && !contact.uri.params.has('transport')) return `${contact.uriText};transport=${tp}`;
    return contact.uriText;
  } catch {
    return undefined; // a malformed Contact keeps the old target
  }
}

/** ACK that matched no INVITE server transaction: the ACK for our 2xx (§13.3.1.4). */
export function onNetworkAck(c: Controller, req: SipRequest, src: MessageSource): void {
  const toTag = tagOf(() => req.to);
  if (!toTag) return;
  const dialog = c.dialogs.matchIncoming(req.callId, toTag, tagOf(() => req.from));
  if (!dialog && routedToUs(c, req)) {
    forwardAck(c, req).catch((e: unknown) => c.log.debug('proxied ACK not sent', { err: e }));
    return;
  }
  if (!dialog || !dialog.stopTwoHundred) return; // a retransmitted or stray ACK: drop (A.6.1 step 4)
  dialog.stopTwoHundred();
  dialog.stopTwoHundred = undefined;
  dialog.inviteInProgress = false;
  if (dialog.owner.closed) return;
  deliverToApp(dialog.owner, c.serialize(req), src, randomUUID(), dialog.id);
}

/**
 * CANCEL matched an INVITE in Proceeding; the stack already answered it 200.
 * RFC 3261 §9.2: we answer the INVITE 487, then tell the app (notes A.6.5).
 */
export function onNetworkCancel(c: Controller, cancel: SipRequest, inviteTxn: ServerTransaction): void {
  const entry = c.inboundByTxn.get(inviteTxn);
  if (!entry || entry.finalSent) return;
  if (entry.proxied) return entry.onCancel?.(); // §16.10: the proxy core cancels its branches
  entry.finalSent = true;
  c.forgetInbound(entry);
  const dialogId = entry.dialog?.id ?? '';
  void c.respondLocally(entry, 487, 'Request Terminated', 'canceled');
  if (!entry.conn.closed) deliverToApp(entry.conn, c.serialize(cancel), entry.txn.source, entry.txnId, dialogId);
}

/**
 * A response no client transaction wanted: a retransmitted 2xx to our INVITE
 * (§13.2.2.4: re-send the ACK) or a 2xx from another fork (ACK and BYE it).
 */
export function onStrayResponse(c: Controller, res: SipResponse, _src: MessageSource): void {
  if (res.status < 200 || res.status >= 300) return;
  if (forwardStray(c, res)) return;
  let cseq;
  try {
    cseq = res.cseq;
  } catch {
    return;
  }
  if (cseq.method !== 'INVITE') return;
  const fromTag = tagOf(() => res.from);
  if (!fromTag) return;
  const dialog = c.dialogs.get(`${res.callId};from-tag=${fromTag}`);
  if (!dialog || dialog.role !== 'uac') return;
  const toTag = tagOf(() => res.to);
  const last = c.sentAcks.get(dialog.id);
  if (toTag === dialog.remoteTag) {
    if (last && last.seq === cseq.seq) {
      c.stack.sendBytes(last.raw, last.dest).catch((e: unknown) => c.log.debug('ack re-send failed', { err: e }));
    }
    return;
  }
  if (toTag && cseq.seq === dialog.inviteSeq && !dialog.endedForks?.has(toTag)) {
    (dialog.endedForks ??= new Set()).add(toTag);
    hangUpExtraFork(c, dialog, res, toTag).catch((e: unknown) => c.log.warn('extra fork not ended', { err: e }));
  }
}
