// The mail outbox (services/mail): every e-mail the box sends is a row here
// before any SMTP connection is made, so a mail server that is down or a
// killed sender loses nothing. States: queued → sending → sent | failed; a
// row left 'sending' by a killed process is queued again at the next start
// (at-least-once: the server may have taken it just before the kill).
// Missed-call notices: which extensions notify which addresses. SMTP
// settings live in `settings` (key 'mail.smtp', per tenant or appliance).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE mail_outbox (
      id               INTEGER PRIMARY KEY,
      tenant_id        INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
      kind             TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
      recipients       TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array' AND json_array_length(recipients) > 0),
      subject          TEXT NOT NULL CHECK (length(subject) <= 998),
      text             TEXT NOT NULL,
      html             TEXT,
      attachments      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments) AND json_type(attachments) = 'array'),
      dedup_key        TEXT UNIQUE,
      state            TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
      attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at  TEXT NOT NULL,
      last_error       TEXT,
      message_id       TEXT,
      created_at       TEXT NOT NULL,
      updated_at       TEXT NOT NULL,
      sent_at          TEXT,
      CHECK ((state = 'sent') = (sent_at IS NOT NULL))
    ) STRICT;
    CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE state = 'queued';
    CREATE INDEX mail_outbox_tenant ON mail_outbox(tenant_id, id);

    CREATE TABLE missed_call_notices (
      id          INTEGER PRIMARY KEY,
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      extension   TEXT NOT NULL CHECK (length(extension) BETWEEN 2 AND 6 AND extension NOT GLOB '*[^0-9]*'),
      email       TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
      created_at  TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX missed_call_notices_target ON missed_call_notices(tenant_id, extension, email);
  `);
}
