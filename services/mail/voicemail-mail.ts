// Voicemail to e-mail: a box with an address gets each new message as a WAV
// attachment. The outbox row only names the message (voicemailMessageId);
// the sender decrypts it in memory when it talks to the SMTP server, so the
// caller's audio is never written plain: not into the outbox (a database
// file), not into a temporary file. A message deleted before the mail went
// out fails that mail as "attachment gone" rather than sending nothing.
import type { Store, VoicemailBox, VoicemailMessage } from '../store';
import { enqueueMail } from './outbox';

export function voicemailMail(box: Pick<VoicemailBox, 'number' | 'name'>, m: Pick<VoicemailMessage, 'id' | 'caller' | 'receivedAt' | 'durationMs'>, timeZone?: string): { subject: string; text: string; filename: string } {
  const local = new Date(m.receivedAt).toLocaleString('ru-RU', { ...(timeZone ? { timeZone } : {}), dateStyle: 'short', timeStyle: 'medium' });
  const caller = m.caller || 'неизвестный номер / unknown number';
  const seconds = Math.round(m.durationMs / 1000);
  return {
    subject: `Голосовое сообщение для ${box.number} от ${caller} / Voicemail`,
    text: [
      `Новое голосовое сообщение в ящике ${box.number}${box.name ? ` (${box.name})` : ''}.`,
      `Звонил: ${caller}`,
      `Время: ${local} (UTC ${m.receivedAt})`,
      `Длительность: ${seconds} с`,
      'Запись во вложении.',
      '',
      `New voicemail for box ${box.number} from ${caller} at ${m.receivedAt} UTC, ${seconds} s; the recording is attached.`,
      '',
      '— Korobka',
    ].join('\n'),
    filename: `voicemail-${box.number}-${m.id}.wav`,
  };
}

/** Queues the e-mail of a new message when its box has an address; once per message (dedup key). */
export function queueVoicemailMail(store: Pick<Store, 'mail'>, box: Pick<VoicemailBox, 'tenantId' | 'number' | 'name' | 'email'>, m: Pick<VoicemailMessage, 'id' | 'caller' | 'receivedAt' | 'durationMs'>): number | undefined {
  if (!box.email) return undefined;
  const mail = voicemailMail(box, m);
  return enqueueMail(store, {
    tenantId: box.tenantId,
    to: [box.email],
    subject: mail.subject,
    text: mail.text,
    attachments: [{ filename: mail.filename, contentType: 'audio/wav', voicemailMessageId: m.id }],
    kind: 'voicemail',
    dedupKey: `voicemail:${m.id}`,
  }).id;
}
