// Per-extension "TLS and SRTP only" (issue 17 item 6): a bank's phone whose
// digest exchange and audio must never cross the LAN in clear. With
// `require_tls` set, call-control refuses that extension's REGISTER and calls
// that did not come over TLS (403) and offers without SRTP (488). Existing
// extensions keep working as before (0).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE extension_features ADD COLUMN require_tls INTEGER NOT NULL DEFAULT 0 CHECK (require_tls IN (0, 1));`);
}
