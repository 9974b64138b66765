// Responses to an app's request (notes A.6.3, A.6.4): dialog bookkeeping
// (remote tag, route set, remote target, confirmation), CDRs, and delivery.
import { SipHeaders, type SipResponse } from '../sip/message';
import type { MessageSource } from '../sip/types';
import type { Dialog } from '../dialog/dialog';
import type { Controller, OutboundTxn } from './controller';
import { refreshTarget } from './network-requests';
import { armFromTwoHundred } from '../dialog/session-timer';
import { sendAckForTwoHundred, sendByeInDialog } from '../dialog/dialog-requests';
import { deliverToApp } from './sip-build';
import { wireTime } from './leader';

export function onResponseForApp(c: Controller, entry: OutboundTxn, res: SipResponse, src: MessageSource | undefined): void {
  const final = res.status >= 200;
  if (final) c.outbound.delete(entry.txnId);
  const dialog = entry.dialog;
  if (dialog) {
    if (entry.creating) onCreatingResponse(c, entry, dialog, res);
    else onInDialogResponse(c, entry, dialog, res);
  }
  if (entry.conn.closed) {
    if (dialog && entry.creating && dialog.ackableSeq !== undefined) hangUpOrphan(c, dialog);
    return;
  }
  const raw = c.serialize(res);
  if (src) deliverToApp(entry.conn, raw, src, entry.txnId, dialog?.id ?? '');
  else deliverLocal(entry, raw, dialog?.id ?? '');
}

/**
 * A 2xx to an INVITE whose app has gone (it disconnected while the call rang;
 * the CANCEL lost the race, RFC 3261 §9.1): nobody will ACK it, so the server
 * ACKs it (§13.2.2.4) and hangs up at once (§15), as for an app's CANCEL.
 */
function hangUpOrphan(c: Controller, dialog: Dialog): void {
  const seq = dialog.ackableSeq!;
  dialog.ackableSeq = undefined;
  c.counters.appTeardowns++;
  sendAckForTwoHundred(c, dialog, seq, new SipHeaders(), Buffer.alloc(0))
    .then(() => sendByeInDialog(c, dialog, 'application disconnected'))
    .catch((e: unknown) => c.log.warn('orphaned 2xx not hung up', { dialogId: dialog.id, err: e }));
}

/** A response the stack made itself (408 on Timer B/F, 503 on transport error). */
function deliverLocal(entry: OutboundTxn, raw: Buffer, dialogId: string): void {
  const d = entry.ctxn.destination;
  entry.conn.send(
    ['sip', 'network', String(raw.length), d.transport, d.address, String(d.port), wireTime(), entry.txnId, dialogId, '', '', ''],
    raw.toString('utf8'),
  );
}

function toTag(res: SipResponse): string | undefined {
  try {
    return res.to.tag;
  } catch {
    return undefined;
  }
}

/** §12.1.2: the UAC route set is the Record-Route list reversed; the remote target is the Contact. */
function establish(dialog: Dialog, res: SipResponse): void {
  dialog.remoteTag = toTag(res);
  dialog.routeSet = [...res.getAll('record-route')].reverse();
  refreshTarget(dialog, res);
}

function onCreatingResponse(c: Controller, entry: OutboundTxn, dialog: Dialog, res: SipResponse): void {
  const raw = () => c.serialize(res).toString('utf8');
  if (res.status < 200) {
    // RFC 3262: a reliable 1xx makes the early dialog usable for PRACK/UPDATE.
    if (res.status > 100 && toTag(res) && (res.headers.has('rseq') || dialog.remoteTag === undefined)) establish(dialog, res);
    return;
  }
  if (res.status < 300) {
    if (dialog.state === 'confirmed') return;
    establish(dialog, res);
    dialog.state = 'confirmed';
    if (entry.method === 'INVITE') {
      dialog.ackableSeq = dialog.inviteSeq;
      dialog.inviteInProgress = false;
      if (entry.canceled) dialog.ackBye = true;
      c.cdr.start('network', 'uac', raw());
      armFromTwoHundred(c, dialog, res, 'uac');
    }
    return;
  }
  if (entry.method === 'INVITE') c.cdr.stop('network', res.status === 487 ? 'call-canceled' : 'call-rejected', raw());
  c.dialogs.remove(dialog);
}

function onInDialogResponse(c: Controller, entry: OutboundTxn, dialog: Dialog, res: SipResponse): void {
  if (res.status < 200) return;
  if (entry.method === 'INVITE') {
    dialog.inviteInProgress = false;
    if (res.status < 300) {
      refreshTarget(dialog, res);
      dialog.ackableSeq = res.cseq.seq;
      armFromTwoHundred(c, dialog, res, 'uac');
    }
    return;
  }
  if (entry.method === 'UPDATE' && res.status >= 200 && res.status < 300) armFromTwoHundred(c, dialog, res, 'uac');
  if (entry.method === 'NOTIFY' && dialog.kind === 'subscribe' && res.status < 300 && endsSubscription(entry.ctxn.request.get('subscription-state'))) {
    c.dialogs.remove(dialog);
    return;
  }
  if (entry.method === 'BYE' && res.status !== 401 && res.status !== 407) {
    if (c.dialogs.get(dialog.id) === dialog) {
      c.cdr.stop('application', 'normal-release', c.serialize(entry.ctxn.request).toString('utf8'));
      c.dialogs.remove(dialog);
    }
  }
}

/** RFC 6665 §4.1.3: `Subscription-State: terminated` ends the subscription (and our one-subscription dialog). */
export function endsSubscription(state: string | undefined): boolean {
  return state !== undefined && /^\s*terminated\b/i.test(state);
}
