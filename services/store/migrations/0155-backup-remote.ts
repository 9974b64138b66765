// Scheduled backups to an SFTP server (issue 18): a run records where its
// archive went, `sftp://user@host:port` with target_dir the directory on
// that server; NULL is the box's own target directory as before. Rotation
// and verification act on the server a run names, not on whatever target is
// configured today.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE backups ADD COLUMN remote TEXT CHECK (remote IS NULL OR (remote GLOB 'sftp://*@*' AND length(remote) <= 600))`);
}
