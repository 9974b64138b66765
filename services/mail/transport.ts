// SMTP through nodemailer: settings → transport, and a failure described the
// way the admin needs it (the server's own reply, e.g. "535 5.7.8 …").
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { AppError } from '../common/errors';
import type { SmtpConnection } from './smtp-settings';

export interface OutgoingMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; contentType: string; path?: string; content?: Buffer }[];
}

export interface SmtpFailure {
  /** nodemailer's class of failure: EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE, EMESSAGE, ESOCKET, … */
  code: string;
  /** The server's reply code when it answered (535, 550, 421, …). */
  responseCode: number | null;
  /** The server's reply line(s), or the socket error. */
  response: string;
  /** The SMTP command that got the reply (AUTH PLAIN, RCPT TO, …). */
  command: string | null;
  /** Whether trying again can help: a refused recipient or message will be refused again. */
  permanent: boolean;
}

export function transportOptions(c: SmtpConnection, timeoutMs: number, pooled: boolean): SMTPPool.Options {
  return {
    host: c.host,
    port: c.port,
    secure: c.security === 'tls',
    requireTLS: c.security === 'starttls',
    ignoreTLS: c.security === 'none',
    tls: { rejectUnauthorized: c.verifyTls, servername: c.host },
    ...(c.username ? { auth: { user: c.username, pass: c.password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // Our own logger (secrets redacted) reports outcomes; nodemailer's would print the AUTH exchange.
    logger: false,
    debug: false,
    ...(pooled ? { pool: true as const, maxConnections: 4, maxMessages: 100 } : {}),
  };
}

export function createTransport(c: SmtpConnection, timeoutMs: number, pooled = true): Transporter {
  return nodemailer.createTransport(transportOptions(c, timeoutMs, pooled));
}

export function fromHeader(c: Pick<SmtpConnection, 'from' | 'fromName'>): string | { name: string; address: string } {
  return c.fromName ? { name: c.fromName, address: c.from } : c.from;
}

export async function sendWith(t: Transporter, c: SmtpConnection, m: OutgoingMessage): Promise<{ messageId: string; response: string }> {
  const info = (await t.sendMail({ from: fromHeader(c), to: m.to, subject: m.subject, text: m.text, ...(m.html !== undefined ? { html: m.html } : {}), attachments: m.attachments ?? [] })) as { messageId: string; response: string };
  return { messageId: info.messageId, response: info.response };
}

/** What went wrong, from a nodemailer error (or anything else thrown). */
export function describeFailure(err: unknown): SmtpFailure {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; command?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'EUNKNOWN';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = typeof e.response === 'string' && e.response ? e.response : typeof e.message === 'string' ? e.message : String(err);
  // RFC 5321 §4.2.1: 5yz is a permanent refusal. Only a refused envelope or
  // message is the message's fault; a 5yz to AUTH is the settings' fault
  // and the admin can fix it, so the message waits.
  const permanent = responseCode !== null && responseCode >= 500 && (code === 'EENVELOPE' || code === 'EMESSAGE');
  return { code, responseCode, response: response.slice(0, 500), command: typeof e.command === 'string' ? e.command : null, permanent };
}

export function failureText(f: SmtpFailure): string {
  return f.command ? `${f.response} (${f.command})` : f.response;
}

/** One message now, on its own connection: the admin's "send a test message". */
export async function sendTestMessage(c: SmtpConnection, to: string, timeoutMs: number, texts: { subject: string; text: string }): Promise<{ messageId: string; response: string }> {
  const t = createTransport(c, timeoutMs, false);
  try {
    return await sendWith(t, c, { to: [to], subject: texts.subject, text: texts.text });
  } catch (err) {
    const f = describeFailure(err);
    throw new AppError(502, 'smtp-failed', `the mail server refused: ${failureText(f)}`, f);
  } finally {
    t.close();
  }
}
