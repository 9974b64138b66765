// Files that change while `korobka backup` reads them (issue 18: a backup
// while calls go on). call-control appends CDRs it could not write yet to
// cdr-spill/ and empties the file after a replay; a large file that grew
// once left the tar entry waiting for bytes it had already had, and the
// backup exited 0 with no archive (so did an empty file, whose body tar
// never reads while its hash waited for that read). Now: a file that grows is taken as it was
// when opened, one that shrinks fails the backup by name, nothing written.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup, type BackupProgress } from '../../appliance/backup/create-backup';
import { BackupError } from '../../appliance/backup/errors';
import { verifyBackup } from '../../appliance/backup/verify-backup';
import { loadConfig } from '../../appliance/config/load';
import { ensureLayout } from '../../appliance/data-dir';
import { loadMasterKey } from '../../services/recordings';
import { openStore } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const PASS = 'correct horse battery staple';
const MB = 1024 * 1024;
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dataDir() {
  const t = tempDir('korobka-backup-changing-');
  cleanups.push(t.cleanup);
  ensureLayout(t.dir);
  const store = openStore(path.join(t.dir, 'korobka.db'));
  store.tenants.create({ name: 'Bank', sipDomain: 'bank.example', isDefault: true });
  store.close();
  loadMasterKey({ dataDir: t.dir });
  mkdirSync(path.join(t.dir, 'cdr-spill'), { recursive: true });
  writeFileSync(path.join(t.dir, 'cdr-spill', 'spill.jsonl'), '{"cdr":1}\n');
  // Emptied after a replay: tar never reads an empty entry's body, and the backup once waited for that read forever.
  writeFileSync(path.join(t.dir, 'cdr-spill', 'replayed.jsonl'), '');
  const big = path.join(t.dir, 'recordings', 'big.kvault');
  writeFileSync(big, randomBytes(8 * MB));
  return { dir: t.dir, big, config: loadConfig({ env: {}, flags: { dataDir: t.dir } }) };
}

/** Calls `change` once, when the archive is 3 MB into the files (inside big.kvault, the only large file). */
const midway = (change: () => void) => {
  let done = false;
  return (p: BackupProgress) => {
    if (!done && p.phase === 'files' && p.doneBytes > 3 * MB) {
      done = true;
      change();
    }
  };
};

describe('korobka backup of files that change while read', () => {
  it('takes a file that grows as it was when opened, and the archive verifies', async () => {
    const d = dataDir();
    const before = readFileSync(d.big);
    const r = await createBackup({ config: d.config, passphrase: PASS, onProgress: midway(() => appendFileSync(d.big, randomBytes(MB))) });
    expect(readFileSync(d.big).length).toBe(9 * MB); // it did grow during the backup
    const entry = r.manifest.files.find((f) => f.path.endsWith('recordings/big.kvault'));
    expect(entry).toEqual({ path: expect.stringMatching(/recordings\/big\.kvault$/), size: 8 * MB, sha256: createHash('sha256').update(before).digest('hex') });
    expect((await verifyBackup(r.file, { passphrase: PASS })).manifest.files).toHaveLength(r.manifest.files.length);
  }, 60_000);

  it('archives an empty file (a replayed spill) and finishes', async () => {
    const d = dataDir();
    const r = await createBackup({ config: d.config, passphrase: PASS });
    expect(r.manifest.files.find((f) => f.path.endsWith('cdr-spill/replayed.jsonl'))).toMatchObject({ size: 0, sha256: createHash('sha256').digest('hex') });
    expect((await verifyBackup(r.file, { passphrase: PASS })).manifest.files).toHaveLength(r.manifest.files.length);
  }, 60_000);

  it('fails by name when a file shrinks, leaving no archive and no work files', async () => {
    const d = dataDir();
    const e = await createBackup({ config: d.config, passphrase: PASS, onProgress: midway(() => truncateSync(d.big, MB)) }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BackupError);
    expect((e as BackupError).code).toBe('source-changed');
    expect((e as BackupError).message).toMatch(/recordings\/big\.kvault shrank from 8388608 to \d+ bytes while it was read .*nothing was written: run the backup again$/);
    expect(readdirSync(path.join(d.dir, 'backups'))).toEqual([]);
  }, 60_000);
});
