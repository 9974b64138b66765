// RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx to INVITE, starting at
// T1 and doubling up to T2, until the ACK arrives; without ACK after 64×T1 it
// ends the dialog with a BYE (notes A.6.2).
import type { Destination } from '../sip/types';
import type { SipResponse } from '../sip/message';
import type { Controller } from '../drachtio/controller';
import type { Dialog } from './dialog';
import { sendByeInDialog } from './dialog-requests';

export function retransmitUntilAck(c: Controller, dialog: Dialog, res: SipResponse, dest: Destination): void {
  dialog.stopTwoHundred?.();
  const { t1Ms, t2Ms } = c.opts;
  // Reliable transports deliver the 2xx themselves; only the ACK timeout applies (§13.3.1.4).
  const reliable = dest.transport !== 'udp';
  let interval = t1Ms;
  let timer: NodeJS.Timeout | undefined;
  const resend = () => {
    c.stack.sendStateless(res, dest).catch((e: unknown) => c.log.debug('2xx retransmission failed', { err: e }));
    interval = Math.min(interval * 2, t2Ms);
    timer = setTimeout(resend, interval);
  };
  if (!reliable) timer = setTimeout(resend, interval);
  const giveUp = setTimeout(() => {
    stop();
    c.counters.ackTimeouts++;
    c.log.warn('no ACK for 2xx, ending dialog', { dialogId: dialog.id });
    void sendByeInDialog(c, dialog, 'ACK timeout').catch((e: unknown) =>
      c.log.warn('bye after ACK timeout failed', { dialogId: dialog.id, err: e }),
    );
  }, 64 * t1Ms);
  const stop = () => {
    clearTimeout(timer);
    clearTimeout(giveUp);
    if (dialog.stopTwoHundred === stop) dialog.stopTwoHundred = undefined;
  };
  dialog.stopTwoHundred = stop;
}
