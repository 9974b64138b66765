// The erasure ledger: one line per erased subject (ids only, never a number
// or name) in <dataDir>/erasures/pd-erasures.jsonl, appended and fsync'd
// before an erasure reports success. It lives outside the database and
// outside keys/, and `korobka restore` keeps it (appliance/backup), so a
// backup taken before an erasure is shredded again as it is restored: the
// subject's key and its recordings' data keys are destroyed in the restored
// copy before any service opens it. (The archive itself still holds them,
// sealed by the backup passphrase, until it ages out: README, 152-FZ.)
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store';

export interface ErasureEntry {
  at: string;
  tenantId: number;
  subjectId: string | null;
  recordingIds: string[];
}

export const ERASURES_DIR = 'erasures';
export const ledgerFile = (dataDir: string) => path.join(dataDir, ERASURES_DIR, 'pd-erasures.jsonl');

export function appendErasure(dataDir: string, e: ErasureEntry): void {
  const file = ledgerFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, JSON.stringify(e) + '\n', { mode: 0o600 });
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readErasures(dataDir: string): ErasureEntry[] {
  const file = ledgerFile(dataDir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ErasureEntry);
}

/**
 * Applies the live box's ledger to a restored data directory (`root`, its
 * database open as `store`): every subject erased since is shredded again and
 * every erased recording's data key destroyed, before any service opens it.
 * Returns how many entries it applied.
 */
export async function applyErasures(
  entries: ErasureEntry[],
  root: string,
  store: Pick<Store, 'pdSubjects' | 'pdContacts' | 'transaction'>,
  destroyRecordingKey: (file: string) => Promise<void>,
  recordingPath: (tenantId: number, id: string) => string | undefined,
): Promise<number> {
  let n = 0;
  for (const e of entries) {
    for (const id of e.recordingIds) {
      const rel = recordingPath(e.tenantId, id);
      if (rel && existsSync(path.join(root, 'recordings', rel))) await destroyRecordingKey(path.join(root, 'recordings', rel));
    }
    if (e.subjectId) {
      const id = e.subjectId;
      store.pdSubjects.secureDelete();
      store.transaction(() => {
        store.pdContacts.deleteBySubject(e.tenantId, id);
        store.pdSubjects.shred(e.tenantId, id, e.at);
      }, 'immediate');
      store.pdSubjects.checkpoint();
    }
    n++;
  }
  return n;
}
