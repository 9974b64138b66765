// The outbox's sender: takes due rows, sends them over the SMTP settings of
// their tenant (or the appliance's), and records the outcome. The states
// are a crash-safe machine: a row is 'sending' only while an SMTP
// conversation is open; a process killed mid-send leaves it 'sending', and
// start() queues it again (the server may then get it twice — at least
// once, never lost). A failure waits retryBaseMs·2^(attempt-1), capped at
// retryMaxMs, ±10 % so that many messages do not retry in step; after
// maxAttempts, or at once when the server refuses the message or a
// recipient for good (5yz to RCPT/DATA), the row is 'failed'. Failures are
// alarms the dashboard shows: mail-delivery-failing while sending fails,
// mail-failed while a given-up message waits for the admin.
import { existsSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../common/logger';
import type { MailRow, Store } from '../store';
import { queueMissedCallNotices } from './missed-calls';
import type { SmtpConnection, SmtpSettingsStore } from './smtp-settings';
import { createTransport, describeFailure, failureText, sendWith, type OutgoingMessage, type SmtpFailure } from './transport';

export const ALARM_DELIVERY_FAILING = 'mail-delivery-failing';
export const ALARM_MAIL_FAILED = 'mail-failed';
const SOURCE = 'mail';

export interface SenderOptions {
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  timeoutMs: number;
  keepSentDays: number;
  /** Messages in flight at once (over the pooled connections). */
  concurrency?: number;
}

export function backoffMs(attempt: number, o: Pick<SenderOptions, 'retryBaseMs' | 'retryMaxMs'>, random = Math.random): number {
  const base = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.9 + 0.2 * random()));
}

export class MailSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly transports = new Map<string, { key: string; t: Transporter }>();
  private lastError: string | null = null;
  private sent = 0;
  private lastPurge = 0;
  /** Scopes (tenant id, 'null' for the appliance) with a mail alarm up: a success clears them without a write per message otherwise. */
  private readonly alarmed = new Set<string>();

  constructor(
    private readonly deps: {
      store: Pick<Store, 'mail' | 'alarms' | 'transaction'>;
      smtp: SmtpSettingsStore;
      log: Logger;
      options: SenderOptions;
      now?: () => Date;
      /** A voicemail message's audio (WAV), decrypted in memory at send time; undefined when the message is gone. */
      voicemail?: (messageId: number) => Promise<Buffer | undefined>;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Queues what a killed sender left half-sent, then polls. */
  start(): void {
    const n = this.deps.store.mail.recoverSending(this.now());
    if (n > 0) this.deps.log.warn('outbox: messages left sending by a stopped sender are queued again', { count: n });
    this.deps.store.mail.startCursor();
    for (const a of this.deps.store.alarms.list({ active: true, limit: 1000 }).rows) if (a.source === SOURCE) this.alarmed.add(String(a.tenantId));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    for (const { t } of this.transports.values()) t.close();
    this.transports.clear();
  }

  health(): { ok: boolean } & Record<string, unknown> {
    const counts = this.deps.store.mail.counts();
    return { ok: true, queued: counts.queued, sending: counts.sending, failed: counts.failed, sentSinceStart: this.sent, lastError: this.lastError };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.deps.log.error('outbox tick failed', { err }))
        .finally(() => this.schedule(this.deps.options.pollMs));
    }, ms);
  }

  /** One pass: missed calls → outbox, then everything due. Exposed for tests. */
  async tick(): Promise<void> {
    queueMissedCallNotices(this.deps.store, this.now());
    const width = this.deps.options.concurrency ?? 8;
    for (;;) {
      const found = this.deps.store.mail.due(width * 4, this.now());
      if (found.length === 0 || this.stopped) break;
      // One commit takes the whole batch (synchronous=FULL makes each commit an fsync).
      const taken = new Set(this.deps.store.mail.claimMany(found.map((r) => r.id), this.now()));
      const due = found.filter((r) => taken.has(r.id));
      let next = 0;
      const worker = async () => {
        while (next < due.length && !this.stopped) await this.sendOne(due[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(width, due.length) }, worker));
      if (found.length < width * 4) break;
    }
    this.purge();
  }

  /** `row` as read before it was claimed (its attempts not yet counted). */
  private async sendOne(row: MailRow): Promise<void> {
    const { store, log } = this.deps;
    let conn: SmtpConnection | undefined;
    try {
      conn = this.deps.smtp.resolve(row.tenantId);
    } catch (err) {
      // A sealed password that no longer opens (master key replaced): the settings need the password again.
      this.fail(row, { code: 'ESETTINGS', responseCode: null, response: err instanceof Error ? err.message : String(err), command: null, permanent: false });
      return;
    }
    if (!conn) {
      this.fail(row, { code: 'ENOSETTINGS', responseCode: null, response: 'no SMTP settings for this tenant or the appliance', command: null, permanent: false });
      return;
    }
    let message: Awaited<ReturnType<MailSender['message']>>;
    try {
      message = await this.message(row);
    } catch (err) {
      // A voicemail file that does not decrypt (a key missing after a restore): retried, then given up with an alarm.
      this.fail(row, { code: 'EATTACHMENT', responseCode: null, response: `attachment unreadable: ${err instanceof Error ? err.message : String(err)}`, command: null, permanent: false });
      return;
    }
    if ('missing' in message) {
      this.fail(row, { code: 'EATTACHMENT', responseCode: null, response: `attachment file is gone: ${message.missing}`, command: null, permanent: true });
      return;
    }
    try {
      const info = await sendWith(this.transport(conn), conn, message);
      store.mail.markSent(row.id, info.messageId, this.now());
      this.sent++;
      this.lastError = null;
      log.info('mail sent', { mailId: row.id, kind: row.kind, attempts: row.attempts + 1 });
      this.clearAlarms(row.tenantId);
    } catch (err) {
      this.fail(row, describeFailure(err), conn);
    }
  }

  private async message(row: MailRow): Promise<OutgoingMessage | { missing: string }> {
    const attachments: NonNullable<OutgoingMessage['attachments']> = [];
    for (const a of row.attachments) {
      if ('voicemailMessageId' in a) {
        // Decrypted here, in memory, for this one SMTP conversation: nothing plain is written anywhere.
        const audio = this.deps.voicemail ? await this.deps.voicemail(a.voicemailMessageId) : undefined;
        if (!audio) return { missing: a.filename };
        attachments.push({ filename: a.filename, contentType: a.contentType, content: audio });
      } else if ('path' in a) {
        if (!existsSync(a.path)) return { missing: a.filename };
        attachments.push({ filename: a.filename, contentType: a.contentType, path: a.path });
      } else attachments.push({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') });
    }
    return { to: row.to, subject: row.subject, text: row.text, ...(row.html !== null ? { html: row.html } : {}), attachments };
  }

  private fail(row: MailRow, f: SmtpFailure, conn?: SmtpConnection): void {
    const { store, log, options } = this.deps;
    const attempt = row.attempts + 1;
    const text = failureText(f);
    this.lastError = text;
    const now = this.now();
    const server = conn ? `${conn.host}:${conn.port}` : null;
    if (f.permanent || attempt >= options.maxAttempts) {
      store.mail.markFailed(row.id, text, now);
      log.error('mail failed for good', { mailId: row.id, kind: row.kind, attempts: attempt, code: f.code, responseCode: f.responseCode, server });
      const failed = store.mail.counts(row.tenantId).failed;
      this.alarm(ALARM_MAIL_FAILED, row.tenantId, `${failed} e-mail message(s) could not be delivered and were given up; last: ${text}`, { failed, lastError: text, server });
    } else {
      const wait = backoffMs(attempt, options);
      store.mail.retryLater(row.id, text, new Date(now.getTime() + wait), now);
      log.warn('mail send failed, will retry', { mailId: row.id, kind: row.kind, attempts: attempt, retryInMs: wait, code: f.code, responseCode: f.responseCode, server });
    }
    const queued = store.mail.counts(row.tenantId).queued;
    this.alarm(ALARM_DELIVERY_FAILING, row.tenantId, `e-mail cannot be sent${server ? ` through ${server}` : ''}: ${text}; ${queued} message(s) wait for a retry`, { queued, lastError: text, code: f.code, responseCode: f.responseCode, server });
  }

  private alarm(code: string, tenantId: number | null, message: string, details: Record<string, unknown>): void {
    this.alarmed.add(String(tenantId));
    try {
      this.deps.store.alarms.raise({ code, severity: 'warning', tenantId, source: SOURCE, message, details }, this.now());
    } catch (err) {
      this.deps.log.error('cannot raise alarm', { code, err });
    }
  }

  private clearAlarms(tenantId: number | null): void {
    const { store } = this.deps;
    if (!this.alarmed.has(String(tenantId))) return;
    store.alarms.clear(ALARM_DELIVERY_FAILING, tenantId, this.now());
    if (store.mail.counts(tenantId).failed > 0) return;
    store.alarms.clear(ALARM_MAIL_FAILED, tenantId, this.now());
    this.alarmed.delete(String(tenantId));
  }

  /** A pooled transport per settings scope, replaced when the settings change. */
  private transport(c: SmtpConnection): Transporter {
    const scope = String(c.scope);
    const key = `${c.updatedAt}|${c.host}|${c.port}`;
    const cur = this.transports.get(scope);
    if (cur?.key === key) return cur.t;
    cur?.t.close();
    const t = createTransport(c, this.deps.options.timeoutMs);
    this.transports.set(scope, { key, t });
    return t;
  }

  private purge(): void {
    const now = this.now().getTime();
    if (now - this.lastPurge < 3600_000) return;
    this.lastPurge = now;
    const n = this.deps.store.mail.purgeSent(new Date(now - this.deps.options.keepSentDays * 86_400_000));
    if (n > 0) this.deps.log.info('outbox: old sent messages deleted', { count: n });
  }
}
