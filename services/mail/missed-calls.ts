// Missed-call notices from the CDRs: an unanswered call (no answer, caller
// gave up, busy) to an extension with notices becomes one e-mail to each
// address set for it. Read from the CDR table rather than hooked into the
// call's end in call-control: the CDR is already written durably at the
// end of every unanswered attempt (spilled and replayed when the database
// refuses it), so a notice survives any crash of call-control, costs the
// SIP loop nothing, and the cursor and the queued mail are committed in
// one transaction here, so each call gives exactly one notice.
import type { MissedCall, Store } from '../store';

const PAGE = 200;

const WHY: Record<string, { ru: string; en: string }> = {
  'no-answer': { ru: 'не ответили', en: 'not answered' },
  cancelled: { ru: 'звонящий положил трубку', en: 'the caller hung up' },
  busy: { ru: 'занято', en: 'busy' },
};

export function missedCallMail(c: MissedCall, timeZone?: string): { subject: string; text: string } {
  const when = new Date(c.startedAt);
  const local = when.toLocaleString('ru-RU', { ...(timeZone ? { timeZone } : {}), dateStyle: 'short', timeStyle: 'medium' });
  const caller = c.caller || 'неизвестный номер / unknown number';
  const why = WHY[c.disposition] ?? { ru: c.disposition, en: c.disposition };
  return {
    subject: `Пропущенный вызов на ${c.extension} от ${caller} / Missed call`,
    text: [
      `Пропущенный вызов на номер ${c.extension}.`,
      `Звонил: ${caller}`,
      `Время: ${local} (UTC ${c.startedAt})`,
      `Итог: ${why.ru}`,
      '',
      `Missed call to extension ${c.extension} from ${caller} at ${c.startedAt} UTC (${why.en}).`,
      '',
      '— Korobka',
    ].join('\n'),
  };
}

/** Queues the notices of calls that ended since the last scan; returns how many e-mails were queued. */
export function queueMissedCallNotices(store: Pick<Store, 'mail' | 'transaction'>, now = new Date()): number {
  let queued = 0;
  for (;;) {
    const page = store.transaction(() => {
      const { calls, cursor } = store.mail.missedCallsSince(PAGE);
      for (const c of calls) {
        const m = missedCallMail(c);
        // One e-mail per call to all its addresses; the key makes a replayed scan harmless.
        if (store.mail.enqueue({ tenantId: c.tenantId, kind: 'missed-call', to: c.emails, subject: m.subject, text: m.text, dedupKey: `missed-call:${c.callId}` }, now) !== undefined) queued++;
      }
      if (cursor !== store.mail.cursor()) store.mail.setCursor(cursor, now);
      return calls.length;
    }, 'immediate');
    if (page < PAGE) return queued;
  }
}
