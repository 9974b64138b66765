// RFC 3261 §13.2.2.4: when a forked INVITE is answered 2xx by more than one
// UAS, the UAC acknowledges each extra 2xx and then ends that dialog with a
// BYE; the app only ever sees the first answer.
import { SipHeaders } from '../sip/message';
import type { SipResponse } from '../sip/message';
import type { Controller } from '../drachtio/controller';
import { remoteTargetOf } from '../drachtio/network-requests';
import { Dialog } from './dialog';
import { buildInDialog, sendAckForTwoHundred, sendInDialog } from './dialog-requests';

export async function hangUpExtraFork(c: Controller, first: Dialog, res: SipResponse, remoteTag: string): Promise<void> {
  const fork = new Dialog({
    role: 'uac',
    kind: 'invite',
    callId: first.callId,
    localTag: first.localTag,
    remoteTag,
    localAddr: first.localAddr,
    remoteAddr: first.remoteAddr,
    remoteTarget: remoteTargetOf(res) ?? first.remoteTarget,
    routeSet: [...res.getAll('record-route')].reverse(),
    localSeq: res.cseq.seq,
    localContact: first.localContact,
    owner: first.owner,
    inviteSeq: res.cseq.seq,
  });
  await sendAckForTwoHundred(c, fork, res.cseq.seq, new SipHeaders(), Buffer.alloc(0));
  const extra = new SipHeaders([['Reason', 'SIP;cause=200;text="another branch answered first"']]);
  await sendInDialog(c, fork, buildInDialog(fork, 'BYE', res.cseq.seq + 1, extra), () => undefined);
  c.counters.extraForksEnded++;
}
