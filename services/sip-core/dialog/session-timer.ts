// RFC 4028 session timers, as drachtio-server keeps them for srf apps (notes
// A.6.7): when a 2xx that set up or refreshed a dialog names Session-Expires,
// the refresher must refresh before it runs out. When we are the refresher we
// send an UPDATE (§7.4/§8.4: no SDP needed; the app is not involved); when the
// peer is, a missed refresh ends the call with a BYE both ways.
import { SipHeaders } from '../sip/message';
import type { SipMessage } from '../sip/message';
import type { Controller } from '../drachtio/controller';
import type { Dialog } from './dialog';
import { buildInDialog, sendByeInDialog, sendInDialog } from './dialog-requests';

/** RFC 4028 §4: Min-SE floor. */
export const MIN_SESSION_EXPIRES_S = 90;

export interface SessionExpires {
  seconds: number;
  refresher?: 'uac' | 'uas';
}

export function parseSessionExpires(value: string | undefined, minSeconds = MIN_SESSION_EXPIRES_S): SessionExpires | undefined {
  const m = /^\s*(\d{1,9})\s*(?:;(.*))?$/.exec(value ?? '');
  if (!m) return undefined;
  const seconds = Number(m[1]);
  if (seconds < minSeconds) return undefined;
  const r = /(?:^|;)\s*refresher\s*=\s*(uac|uas)\b/i.exec(m[2] ?? '')?.[1]?.toLowerCase();
  return { seconds, refresher: r === 'uac' || r === 'uas' ? r : undefined };
}

/**
 * Arms (or re-arms) the timer from a 2xx of INVITE/UPDATE in `dialog`.
 * `roleInTxn` is our role in the transaction that carried the 2xx.
 */
export function armFromTwoHundred(c: Controller, dialog: Dialog, res: SipMessage, roleInTxn: 'uac' | 'uas'): void {
  const se = parseSessionExpires(res.get('session-expires'), c.opts.minSessionExpiresS);
  if (!se) return;
  // §9/§10: without refresher in the 2xx the UAC refreshes.
  const refresher = se.refresher ?? 'uac';
  arm(c, dialog, se.seconds, refresher === roleInTxn);
}

function arm(c: Controller, dialog: Dialog, seconds: number, weRefresh: boolean): void {
  const ms = weRefresh
    ? (seconds * 1000) / 2 // §10: refresh at half the interval
    : (seconds - Math.min(32, seconds / 3)) * 1000; // §10: the peer's deadline, less the BYE's transit
  dialog.sessionSeconds = seconds;
  dialog.sessionWeRefresh = weRefresh;
  // One wheel for all dialogs (controller.sessionTimers), not a timer per dialog.
  c.sessionTimers.schedule(dialog, Date.now() + ms);
}

/** The wheel says the dialog's session timer ran out: refresh it, or end the call. */
export function onSessionDeadline(c: Controller, dialog: Dialog): void {
  if (dialog.sessionSeconds === undefined) return;
  if (dialog.sessionWeRefresh) refresh(c, dialog, dialog.sessionSeconds);
  else expire(c, dialog);
}

function expire(c: Controller, dialog: Dialog): void {
  if (dialog.state !== 'confirmed' || dialog.ending) return;
  c.log.info('session timer expired', { dialogId: dialog.id });
  void sendByeInDialog(c, dialog, 'Session timer expired', 'session-expired').catch((e: unknown) =>
    c.log.warn('bye after session expiry failed', { dialogId: dialog.id, err: e }),
  );
}

function refresh(c: Controller, dialog: Dialog, seconds: number): void {
  if (dialog.state !== 'confirmed' || dialog.ending) return;
  c.counters.sessionRefreshes++;
  // In the UPDATE we send we are the UAC; keep ourselves as refresher.
  const extra = new SipHeaders([
    ['Session-Expires', `${seconds};refresher=uac`],
    ['Supported', 'timer'],
  ]);
  if (dialog.localContact) extra.append('Contact', dialog.localContact);
  const built = buildInDialog(dialog, 'UPDATE', ++dialog.localSeq, extra);
  sendInDialog(c, dialog, built, (res) => {
    if (res.status < 200) return;
    if (res.status < 300) armFromTwoHundred(c, dialog, res, 'uac');
    else expire(c, dialog);
  }).catch(() => expire(c, dialog));
}
