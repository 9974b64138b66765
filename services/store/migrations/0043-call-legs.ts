// The SIP legs of each answered call, written at answer and removed at its
// end, so that a restarted call-control can take over the calls its
// predecessor was carrying (sip-core keeps their dialogs for a grace period):
// which two dialogs form the call, rtpengine's call id and tags, and the SDP
// each side was last given (a session refresh is answered with it).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE call_legs (
      cdr_id       TEXT PRIMARY KEY,
      owner        TEXT NOT NULL,
      tenant_id    INTEGER NOT NULL,
      a_dialog     TEXT NOT NULL,
      b_dialog     TEXT NOT NULL,
      media_id     TEXT NOT NULL,
      tag_a        TEXT NOT NULL,
      tag_b        TEXT NOT NULL,
      sdp_to_a     TEXT NOT NULL DEFAULT '',
      sdp_to_b     TEXT NOT NULL DEFAULT '',
      caller       TEXT NOT NULL DEFAULT '',
      callee       TEXT NOT NULL DEFAULT '',
      answered_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX call_legs_owner ON call_legs(owner);
  `);
}
