// A GSM gateway may send 200 OK right after 183 while the mobile callee is
// still ringing (Techroutes "Answer Mode: Alerted", wave2-facts.md §1): its
// "answer" is not the callee's. For calls through a gateway flagged
// `answerUnreliable` the CDR says so (`answer_unreliable`), and its billable
// seconds start at `audio_at`, the first audio rtpengine saw from the
// gateway, not at the 200. Rows written before keep 0 and NULL.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE cdrs ADD COLUMN answer_unreliable INTEGER NOT NULL DEFAULT 0 CHECK (answer_unreliable IN (0, 1));
    ALTER TABLE cdrs ADD COLUMN audio_at TEXT;
  `);
}
