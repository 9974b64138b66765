// `sip` commands from an app (notes A.4): a response by transaction id, a
// CANCEL by transaction id, a request in a dialog, or a new request.
import { SipRequest } from '../sip/message';
import type { AppConnection } from './app-connection';
import { AppMessageError, parseAppMessage } from './app-message';
import type { WireMessage } from './leader';
import type { Controller } from './controller';
import { onAppResponse } from './app-responses';
import { onAppCancel, onAppDialogRequest, onAppNewRequest } from './app-requests';
import { replyNok } from './sip-build';

export async function onAppSip(c: Controller, conn: AppConnection, msg: WireMessage): Promise<void> {
  const txnId = msg.tokens[2] ?? '';
  const dialogId = msg.tokens[3] ?? '';
  const proxy = msg.tokens[4] ?? '';
  let sip;
  try {
    sip = parseAppMessage(msg.sip);
  } catch (e) {
    if (e instanceof AppMessageError) return replyNok(conn, msg.id, e.message);
    throw e;
  }
  if (!(sip instanceof SipRequest)) {
    if (!txnId) return replyNok(conn, msg.id, 'a response needs a transaction id');
    return onAppResponse(c, conn, msg.id, txnId, sip);
  }
  if (txnId) {
    if (sip.method !== 'CANCEL') return replyNok(conn, msg.id, `${sip.method} with a transaction id is invalid`);
    return onAppCancel(c, conn, msg.id, txnId, sip);
  }
  if (dialogId) return onAppDialogRequest(c, conn, msg.id, dialogId, sip);
  return onAppNewRequest(c, conn, msg.id, sip, proxy);
}
