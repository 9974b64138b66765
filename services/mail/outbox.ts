// The outbox API: how any service sends e-mail. It writes one row to the
// durable outbox (services/store, table mail_outbox) and returns; the mail
// process (services/mail/index.ts) sends it with retries and backoff, so the
// caller never waits for an SMTP server and nothing is lost when that server
// or the sender is down.
//
//   import { enqueueMail } from '../mail';
//   enqueueMail(store, {
//     tenantId: 7,                       // whose SMTP settings send it (null: the appliance's)
//     to: ['ivanova@bank.example'],      // one or more addresses
//     subject: 'Голосовое сообщение от +74951234567',
//     text: '…', html: '<p>…</p>',       // html optional
//     attachments: [{ filename: 'message.wav', contentType: 'audio/wav', path: '/var/lib/korobka/…' }],
//                                        // or content: Buffer | string instead of path (kept in the row);
//                                        // a path must still exist when the message is sent;
//                                        // or voicemailMessageId: the message decrypted by the sender
//     kind: 'voicemail',                 // what it is, for the outbox list: kebab-case, ≤ 32 chars
//     dedupKey: 'voicemail:123',         // optional: a second enqueue with the same key is ignored
//   }) → { id } | { id: undefined, duplicate: true }
//
// Bad input throws AppError 400 `validation-failed` naming the field; nothing is queued.
import { z } from 'zod';
import { validationFailed, type FieldProblem } from '../common/errors';
import type { Store, StoredAttachment } from '../store';

/** An address as SMTP takes it (RFC 5321 §4.5.3.1: at most 254 octets); no display names, no lists. */
export const emailSchema = z
  .string()
  .trim()
  .max(254, 'at most 254 characters')
  .regex(/^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/, 'expected an e-mail address like name@example.ru');

const attachmentSchema = z
  .object({
    filename: z.string().min(1).max(255).regex(/^[^/\\\0]+$/, 'a file name, not a path'),
    contentType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/i, 'expected a MIME type like audio/wav'),
    path: z.string().min(1).optional(),
    content: z.union([z.instanceof(Buffer), z.string()]).optional(),
    voicemailMessageId: z.number().int().positive().optional(),
  })
  .refine((a) => [a.path, a.content, a.voicemailMessageId].filter((v) => v !== undefined).length === 1, { message: 'give either path or content, or voicemailMessageId' });

export const mailInputSchema = z.object({
  tenantId: z.number().int().positive().nullable(),
  to: z.array(emailSchema).min(1, 'at least one recipient').max(50, 'at most 50 recipients'),
  subject: z.string().max(998, 'at most 998 characters').refine((s) => !/[\r\n]/.test(s), 'one line'),
  text: z.string().max(1_000_000),
  html: z.string().max(2_000_000).optional(),
  attachments: z.array(attachmentSchema).max(10, 'at most 10 attachments').optional(),
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'kebab-case, at most 32 characters'),
  dedupKey: z.string().min(1).max(200).optional(),
});

export type MailInput = z.input<typeof mailInputSchema>;

export function enqueueMail(store: Pick<Store, 'mail'>, input: MailInput, now = new Date()): { id: number | undefined; duplicate: boolean } {
  const r = mailInputSchema.safeParse(input);
  if (!r.success) {
    const problems: FieldProblem[] = r.error.issues.map((i) => ({ field: i.path.join('.') || '(message)', message: i.message }));
    throw validationFailed(problems);
  }
  const m = r.data;
  const attachments: StoredAttachment[] = (m.attachments ?? []).map((a) =>
    a.path !== undefined
      ? { filename: a.filename, contentType: a.contentType, path: a.path }
      : a.voicemailMessageId !== undefined
        ? { filename: a.filename, contentType: a.contentType, voicemailMessageId: a.voicemailMessageId }
        : { filename: a.filename, contentType: a.contentType, contentBase64: Buffer.from(a.content ?? '').toString('base64') },
  );
  const id = store.mail.enqueue(
    { tenantId: m.tenantId, kind: m.kind, to: m.to, subject: m.subject, text: m.text, attachments, ...(m.html !== undefined ? { html: m.html } : {}), ...(m.dedupKey !== undefined ? { dedupKey: m.dedupKey } : {}) },
    now,
  );
  return { id, duplicate: id === undefined };
}
