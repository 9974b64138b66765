// Which files of the data directory a backup holds, and how: the database is
// copied online (store/backup.ts), key material is sealed under the backup
// passphrase, everything else goes in as it is (recordings stay encrypted).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export type FileKind = 'secret' | 'plain';

export interface DataFile {
  /** Relative to the data directory, with forward slashes. */
  rel: string;
  abs: string;
  kind: FileKind;
  size: number;
}

/**
 * Not backed up: the live database files (copied through the backup API
 * instead), the backups themselves, what the running processes own (run/,
 * logs/), rtpengine's spool of captures not yet converted (plain audio of
 * calls in progress, encrypted once converted), and a restore's work area.
 */
const SKIP_TOP = new Set(['korobka.db', 'korobka.db-wal', 'korobka.db-shm', 'korobka.db-journal', 'backups', 'run', 'logs', '.restore']);
const SKIP_PATHS = new Set(['recordings/spool']);

/** Key material: sealed, never stored in the clear in an archive. */
export function isSecret(rel: string): boolean {
  return rel.startsWith('keys/') || (rel.startsWith('tls/') && rel.endsWith('.key')) || rel === 'korobka.json';
}

export function listDataFiles(dataDir: string, exclude: string[] = []): { files: DataFile[]; skipped: string[] } {
  const files: DataFile[] = [];
  const skipped: string[] = [];
  const excluded = exclude.map((e) => path.resolve(e));
  const walk = (dir: string, rel: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      const abs = path.join(dir, d.name);
      if ((!rel && SKIP_TOP.has(d.name)) || SKIP_PATHS.has(r) || excluded.includes(abs)) continue;
      if (d.name.startsWith('.')) {
        skipped.push(r); // temporary files of writers (a key being written, a vault file being renamed)
        continue;
      }
      if (d.isDirectory()) walk(abs, r);
      else if (d.isFile()) files.push({ rel: r, abs, kind: isSecret(r) ? 'secret' : 'plain', size: statSync(abs).size });
      else skipped.push(r); // sockets, links: nothing a restore needs
    }
  };
  walk(dataDir, '');
  return { files, skipped };
}
