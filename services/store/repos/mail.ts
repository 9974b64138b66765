// The mail outbox and missed-call notices (migration 0070); services/mail
// sends what is queued here. Every state change is one UPDATE guarded by the
// state it expects, so two senders (or a sender and a retry from the API)
// never both take a row.
import type { Db } from '../db';
import { openCdrColumns } from './cdr-parties';
import { PdFieldsSlot } from './pd-fields';

export const mailStates = ['queued', 'sending', 'sent', 'failed'] as const;
export type MailState = (typeof mailStates)[number];

/**
 * An attachment as stored: a file read at send time, the bytes themselves
 * (base64), or a voicemail message decrypted by the sender at send time (so
 * the caller's audio is never in the outbox or on disk in plain).
 */
export type StoredAttachment = { filename: string; contentType: string } & ({ path: string } | { contentBase64: string } | { voicemailMessageId: number });

export interface NewMail {
  tenantId: number | null;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: StoredAttachment[];
  /** A second enqueue with the same key is ignored (a notice per call, not per replay). */
  dedupKey?: string;
}

export interface MailRow {
  id: number;
  tenantId: number | null;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  attachments: StoredAttachment[];
  state: MailState;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

/** What the outbox list shows: no bodies, no attachment contents. */
export type MailSummary = Omit<MailRow, 'text' | 'html' | 'attachments'> & { attachments: { filename: string; contentType: string }[] };

export interface MissedCallNotice {
  id: number;
  tenantId: number;
  extension: string;
  email: string;
  createdAt: string;
}

/** An unanswered call to an extension that has notices, as the CDR recorded it. */
export interface MissedCall {
  cdrId: number;
  callId: string;
  tenantId: number;
  extension: string;
  caller: string;
  startedAt: string;
  disposition: string;
  emails: string[];
}

interface Row {
  id: number;
  tenant_id: number | null;
  kind: string;
  recipients: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: string;
  state: MailState;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

function toMail(r: Row): MailRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    kind: r.kind,
    to: JSON.parse(r.recipients) as string[],
    subject: r.subject,
    text: r.text,
    html: r.html,
    attachments: JSON.parse(r.attachments) as StoredAttachment[],
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    messageId: r.message_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  };
}

function toSummary(r: Row): MailSummary {
  const { text: _t, html: _h, attachments, ...rest } = toMail(r);
  return { ...rest, attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType })) };
}

const CURSOR_KEY = 'mail.missed-calls.cursor';
/** Dispositions that mean nobody took the call (a failed call is the PBX's fault, not a miss). */
const MISSED = "('no-answer', 'cancelled', 'busy')";

export class MailRepo {
  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {}

  /** Queues a message; returns its id, or undefined when its dedup key was queued before. */
  enqueue(m: NewMail, now = new Date()): number | undefined {
    const at = now.toISOString();
    const r = this.db
      .prepare(
        `INSERT INTO mail_outbox (tenant_id, kind, recipients, subject, text, html, attachments, dedup_key, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
      )
      .run(m.tenantId, m.kind, JSON.stringify(m.to), m.subject, m.text, m.html ?? null, JSON.stringify(m.attachments ?? []), m.dedupKey ?? null, at, at, at);
    return r.changes > 0 ? Number(r.lastInsertRowid) : undefined;
  }

  get(id: number): MailRow | undefined {
    const r = this.db.prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toMail(r) : undefined;
  }

  /** Queued rows whose time has come, oldest first. */
  due(limit: number, now = new Date()): MailRow[] {
    return (this.db.prepare("SELECT * FROM mail_outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?").all(now.toISOString(), limit) as Row[]).map(toMail);
  }

  /** When the next queued row falls due (ISO), or undefined when none is queued. */
  nextDue(): string | undefined {
    const r = this.db.prepare("SELECT min(next_attempt_at) AS at FROM mail_outbox WHERE state = 'queued'").get() as { at: string | null };
    return r.at ?? undefined;
  }

  /** queued → sending, counting the attempt; false when another sender took it first. */
  claim(id: number, now = new Date()): boolean {
    return this.db.prepare("UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'").run(now.toISOString(), id).changes > 0;
  }

  /** claim() for a batch in one transaction (one commit, not one per row); returns the ids this caller took. */
  claimMany(ids: readonly number[], now = new Date()): number[] {
    return this.db.transaction(() => ids.filter((id) => this.claim(id, now))).immediate();
  }

  markSent(id: number, messageId: string | null, now = new Date()): void {
    const at = now.toISOString();
    this.db.prepare("UPDATE mail_outbox SET state = 'sent', sent_at = ?, message_id = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'sending'").run(at, messageId, at, id);
  }

  /** sending → queued again at `next`, keeping the server's answer. */
  retryLater(id: number, error: string, next: Date, now = new Date()): void {
    this.db.prepare("UPDATE mail_outbox SET state = 'queued', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'").run(error, next.toISOString(), now.toISOString(), id);
  }

  markFailed(id: number, error: string, now = new Date()): void {
    this.db.prepare("UPDATE mail_outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'").run(error, now.toISOString(), id);
  }

  /** failed → queued now (an admin's retry); false when the row is not failed. */
  requeue(id: number, now = new Date()): boolean {
    const at = now.toISOString();
    return this.db.prepare("UPDATE mail_outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'").run(at, at, id).changes > 0;
  }

  /** At start: rows a killed sender left 'sending' are queued again, due now. */
  recoverSending(now = new Date()): number {
    const at = now.toISOString();
    return this.db.prepare("UPDATE mail_outbox SET state = 'queued', next_attempt_at = ?, updated_at = ? WHERE state = 'sending'").run(at, at).changes;
  }

  /** Newest first; `tenantId` undefined = every tenant and the appliance's own. */
  list(q: { tenantId?: number; state?: MailState; limit?: number; offset?: number } = {}): { rows: MailSummary[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.tenantId !== undefined) {
      where.push('tenant_id = @tenantId');
      args.tenantId = q.tenantId;
    }
    if (q.state) {
      where.push('state = @state');
      args.state = q.state;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM mail_outbox ${clause}`).get(args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM mail_outbox ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`).all({ ...args, limit: q.limit ?? 50, offset: q.offset ?? 0 }) as Row[];
    return { rows: rows.map(toSummary), total };
  }

  /** Rows per state, for health and the alarm text. */
  counts(tenantId?: number | null): Record<MailState, number> {
    const out: Record<MailState, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
    const rows = (
      tenantId === undefined
        ? this.db.prepare('SELECT state, count(*) AS n FROM mail_outbox GROUP BY state').all()
        : this.db.prepare('SELECT state, count(*) AS n FROM mail_outbox WHERE coalesce(tenant_id, 0) = ? GROUP BY state').all(tenantId ?? 0)
    ) as { state: MailState; n: number }[];
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /** Sent rows older than `before` go (the bodies may hold caller numbers); failed ones stay for the admin. */
  purgeSent(before: Date): number {
    return this.db.prepare("DELETE FROM mail_outbox WHERE state = 'sent' AND sent_at < ?").run(before.toISOString()).changes;
  }

  // — missed-call notices —

  listNotices(tenantId?: number): MissedCallNotice[] {
    const rows = (
      tenantId === undefined
        ? this.db.prepare('SELECT * FROM missed_call_notices ORDER BY tenant_id, extension, email').all()
        : this.db.prepare('SELECT * FROM missed_call_notices WHERE tenant_id = ? ORDER BY extension, email').all(tenantId)
    ) as { id: number; tenant_id: number; extension: string; email: string; created_at: string }[];
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, extension: r.extension, email: r.email, createdAt: r.created_at }));
  }

  getNotice(id: number): MissedCallNotice | undefined {
    return this.listNoticesWhere('id = ?', id)[0];
  }

  /** Adds a notice; an existing identical one is returned as is. */
  addNotice(tenantId: number, extension: string, email: string, now = new Date()): MissedCallNotice {
    this.db.prepare('INSERT INTO missed_call_notices (tenant_id, extension, email, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(tenantId, extension, email, now.toISOString());
    return this.listNoticesWhere('tenant_id = ? AND extension = ? AND email = ?', tenantId, extension, email)[0]!;
  }

  deleteNotice(id: number): boolean {
    return this.db.prepare('DELETE FROM missed_call_notices WHERE id = ?').run(id).changes > 0;
  }

  private listNoticesWhere(clause: string, ...args: unknown[]): MissedCallNotice[] {
    const rows = this.db.prepare(`SELECT * FROM missed_call_notices WHERE ${clause}`).all(...args) as { id: number; tenant_id: number; extension: string; email: string; created_at: string }[];
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, extension: r.extension, email: r.email, createdAt: r.created_at }));
  }

  /**
   * Unanswered calls recorded since the cursor, to extensions with notices.
   * The cursor starts at the newest CDR (no notices for calls before mail
   * was set up). An unanswered attempt's CDR row is written once, at its
   * end, so ids after the cursor are calls that ended since. The extension
   * is the callee: `extension` on an inbound call, the number on an
   * internal one (whose `extension` is the caller).
   */
  missedCallsSince(limit: number): { calls: MissedCall[]; cursor: number } {
    const cursor = this.cursor();
    const top = (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM cdrs').get() as { id: number }).id;
    const rows = this.db
      .prepare(
        `SELECT c.id, c.call_id, c.tenant_id, n.extension, c.caller_number, c.caller_dialled, c.started_at, c.disposition, json_group_array(n.email) AS emails
         FROM cdrs c JOIN missed_call_notices n ON n.tenant_id = c.tenant_id
           AND n.extension = CASE c.direction WHEN 'inbound' THEN c.extension WHEN 'internal' THEN c.callee_number END
         WHERE c.id > ? AND c.id <= ? AND c.status = 'completed' AND c.disposition IN ${MISSED}
         GROUP BY c.id ORDER BY c.id LIMIT ?`,
      )
      .all(cursor, top, limit) as { id: number; call_id: string; tenant_id: number; extension: string; caller_number: string; caller_dialled: string; started_at: string; disposition: string; emails: string }[];
    // The caller's number is sealed for an outside caller (issue 15): opened here for the mail.
    const open = { tenantId: 'tenant_id', callId: 'call_id', columns: { caller_number: 'caller_number', caller_dialled: 'caller_dialled' } } as const;
    const calls = rows.map((stored) => openCdrColumns(this.pd, stored, open)).map((r) => ({
      cdrId: r.id,
      callId: r.call_id,
      tenantId: r.tenant_id,
      extension: r.extension,
      caller: r.caller_number || r.caller_dialled,
      startedAt: r.started_at,
      disposition: r.disposition,
      emails: JSON.parse(r.emails) as string[],
    }));
    // A full page stops at its last row; otherwise everything up to `top` was seen.
    return { calls, cursor: calls.length === limit ? calls[calls.length - 1]!.cdrId : top };
  }

  /** The CDR id up to which missed calls were turned into mail; -1 before the first scan. */
  cursor(): number {
    const r = this.db.prepare("SELECT value FROM settings WHERE key = ? AND tenant_id IS NULL").get(CURSOR_KEY) as { value: string } | undefined;
    return r ? Number(JSON.parse(r.value)) : -1;
  }

  setCursor(id: number, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (NULL, ?, ?, ?)
         ON CONFLICT (coalesce(tenant_id, 0), key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(CURSOR_KEY, JSON.stringify(id), now.toISOString());
  }

  /** The first scan starts at the newest CDR. */
  startCursor(): void {
    if (this.cursor() >= 0) return;
    this.setCursor((this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM cdrs').get() as { id: number }).id);
  }
}
