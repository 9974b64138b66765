// `korobka restore ARCHIVE`: verify everything first, then stop the
// appliance, write the backup into <data>/.restore/new, migrate it there, and
// only then switch: each top-level entry of the data directory is moved aside
// and the restored one moved in, under a journal. A restore killed before the
// switch leaves the box as it was (the work area is removed next time); one
// killed during the switch is finished by the next `korobka restore` or
// `korobka start` (finishInterruptedRestore), since everything it moves in is
// complete and checked by then. What was replaced is kept in
// backups/before-restore-<time>/.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema';
import { ensureLayout, layout } from '../data-dir';
import { checkCopy, codeSchemaVersion, openStore } from '../../services/store';
import { applyErasures, ERASURES_DIR, readErasures } from '../../services/pd-store';
import { openKeyring, Vault } from '../../services/recordings';
import { VERSION } from '../../services/common/version';
import { BackupError } from './errors';
import { markLicenceMove, type FingerprintSource } from './licence-move';
import { compareVersions, DATA_PREFIX, DB_ENTRY, type Manifest } from './manifest';
import { readArchive, verifyBackup, type VerifyProgress } from './verify-backup';

/** Top-level entries of a data directory a restore leaves where they are. */
// erasures/: the personal-data erasure ledger outlives every restore (issue 15).
const KEEP = new Set(['backups', 'run', 'logs', '.restore', ERASURES_DIR]);

const work = (dataDir: string) => path.join(dataDir, '.restore');
const journalFile = (dataDir: string) => path.join(work(dataDir), 'journal.json');

export interface RestoreResult {
  manifest: Manifest;
  migratedFrom: number;
  migratedTo: number;
  /** Where what the restore replaced is kept; null when the data directory was empty. */
  replacedKeptIn: string | null;
  /** The backup's config file, put beside the kept one (the host's ports and addresses stay). */
  configKeptAside: boolean;
  notes: string[];
}

export type RestorePhase = 'verify' | 'stop' | 'write' | 'migrate' | 'switch' | 'done';

function syncWrite(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

/** Finishes a switch a killed restore began; removes the work area of one killed before it. Returns what it did. */
export function finishInterruptedRestore(dataDir: string): 'none' | 'cleaned' | 'finished' {
  if (!existsSync(work(dataDir))) return 'none';
  if (!existsSync(journalFile(dataDir))) {
    rmSync(work(dataDir), { recursive: true, force: true });
    return 'cleaned';
  }
  const j = JSON.parse(readFileSync(journalFile(dataDir), 'utf8')) as { stamp: string; keepConfig: boolean };
  switchIn(dataDir, j.stamp, j.keepConfig);
  return 'finished';
}

function switchIn(dataDir: string, stamp: string, keepConfig: boolean): string {
  const fresh = path.join(work(dataDir), 'new');
  const old = path.join(work(dataDir), 'old');
  mkdirSync(old, { recursive: true });
  const keep = (n: string) => KEEP.has(n) || (keepConfig && n === 'korobka.json');
  const names = new Set([...readdirSync(fresh), ...readdirSync(dataDir).filter((n) => !keep(n))]);
  for (const n of names) {
    if (keep(n)) continue;
    // Idempotent: each step is done only if it is still to do, so a second run after a kill completes the first.
    if (existsSync(path.join(fresh, n))) {
      if (existsSync(path.join(dataDir, n)) && !existsSync(path.join(old, n))) renameSync(path.join(dataDir, n), path.join(old, n));
      renameSync(path.join(fresh, n), path.join(dataDir, n));
    } else if (existsSync(path.join(dataDir, n)) && !existsSync(path.join(old, n))) {
      renameSync(path.join(dataDir, n), path.join(old, n));
    }
  }
  const kept = path.join(layout(dataDir).backups, `before-restore-${stamp}`);
  mkdirSync(layout(dataDir).backups, { recursive: true, mode: 0o700 });
  const empty = readdirSync(old).length === 0;
  if (!empty) renameSync(old, kept);
  rmSync(work(dataDir), { recursive: true, force: true });
  return empty ? '' : kept;
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export async function restoreBackup(o: {
  config: Readonly<Config>;
  archive: string;
  passphrase: string;
  /** Stops a running appliance; resolves false when it would not stop. */
  stop: () => Promise<boolean>;
  onPhase?: (phase: RestorePhase, detail?: string) => void;
  onProgress?: (p: VerifyProgress) => void;
  /** This machine's fingerprint (default: collected), to tell a restore onto other hardware. */
  fingerprint?: FingerprintSource;
}): Promise<RestoreResult> {
  const dataDir = o.config.dataDir;
  const notes: string[] = [];
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const earlier = finishInterruptedRestore(dataDir);
  if (earlier === 'finished') notes.push('an earlier restore that was interrupted while switching was completed first');

  o.onPhase?.('verify');
  const v = await verifyBackup(o.archive, { passphrase: o.passphrase, onProgress: o.onProgress });
  const m = v.manifest;
  const code = codeSchemaVersion();
  if (m.schemaVersion > code || compareVersions(m.appVersion, VERSION) > 0)
    throw new BackupError(
      'backup-too-new',
      `the backup was made by Korobka ${m.appVersion} (database schema ${m.schemaVersion}), newer than this one (${VERSION}, schema ${code}): install Korobka ${m.appVersion} or newer first, then restore; nothing was changed`,
      { backupVersion: m.appVersion, backupSchema: m.schemaVersion },
    );
  const need = m.files.reduce((s, f) => s + f.size, 0) + v.secrets!.reduce((s, f) => s + f.data.length, 0);
  if (freeBytes(dataDir) < need * 1.05 + 1024 * 1024)
    throw new BackupError(
      'target-disk-full',
      `not enough space in ${dataDir} to restore: about ${(need / 1048576).toFixed(1)} MB needed, ${(freeBytes(dataDir) / 1048576).toFixed(1)} MB free; nothing was changed`,
    );

  o.onPhase?.('stop');
  if (!(await o.stop()))
    throw new BackupError(
      'stop-failed',
      'Korobka did not stop; nothing was changed: stop it (`korobka stop`, `systemctl stop korobka`) and run the restore again',
    );

  o.onPhase?.('write');
  const fresh = path.join(work(dataDir), 'new');
  rmSync(work(dataDir), { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true, mode: 0o700 });
  const keepConfig = existsSync(path.join(dataDir, 'korobka.json'));
  await writeEntries(o.archive, fresh, m, o.onProgress);
  for (const s of v.secrets!) {
    if (s.path === 'korobka.json' && keepConfig) {
      writeSecret(fresh, 'korobka.json.from-backup', s.data, 0o600);
      continue;
    }
    writeSecret(fresh, s.path, s.data, s.mode & 0o600 ? s.mode & 0o777 : 0o600);
  }
  if (o.config.recordings.masterKeyPath)
    notes.push(
      `the backup's master key is in keys/master.key; recordings.masterKeyPath points at ${o.config.recordings.masterKeyPath}: put the same key there or remove that setting`,
    );
  ensureLayout(fresh);

  o.onPhase?.('migrate');
  const before = checkCopy(path.join(fresh, 'korobka.db')).schemaVersion;
  openStore(path.join(fresh, 'korobka.db')).close(); // applies the migrations after the backup's version
  const after = checkCopy(path.join(fresh, 'korobka.db')).schemaVersion;
  // Subjects erased after the backup was taken are shredded again in the
  // copy before anything opens it: a restore never brings erased data back.
  const erased = readErasures(dataDir);
  if (erased.length > 0) {
    const restored = openStore(path.join(fresh, 'korobka.db'));
    try {
      const vault = new Vault(openKeyring({ dataDir: fresh }));
      const n = await applyErasures(
        erased,
        fresh,
        restored,
        (f) => vault.destroyDataKey(f),
        (t, id) => restored.pdRequests.recordingPath(t, id),
      );
      notes.push(`${n} personal-data erasures from the ledger (erasures/pd-erasures.jsonl) applied to the restored data`);
    } finally {
      restored.close();
    }
  }

  const moved = await markLicenceMove({ config: o.config, fresh, dataDir, fingerprint: o.fingerprint });
  if (moved) notes.push(moved);

  o.onPhase?.('switch');
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  syncWrite(journalFile(dataDir), JSON.stringify({ stamp, keepConfig }));
  const kept = switchIn(dataDir, stamp, keepConfig);
  chmodSync(dataDir, 0o750);
  o.onPhase?.('done');
  return {
    manifest: m,
    migratedFrom: before,
    migratedTo: after,
    replacedKeptIn: kept || null,
    configKeptAside: keepConfig && v.secrets!.some((s) => s.path === 'korobka.json'),
    notes,
  };
}

function writeSecret(root: string, rel: string, data: Buffer, mode: number): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, data, { mode });
}

/** Second pass over the archive, writing each entry as it is read, its hash checked again (the file may have changed since it was verified). */
async function writeEntries(archive: string, root: string, manifest: Manifest, onProgress?: (p: VerifyProgress) => void): Promise<void> {
  const want = new Map(manifest.files.map((f) => [f.path, f]));
  let fh: FileHandle | null = null;
  let current = '';
  const target = (p: string) =>
    p === DB_ENTRY ? path.join(root, 'korobka.db') : p.startsWith(DATA_PREFIX) ? path.join(root, p.slice(DATA_PREFIX.length)) : null;
  try {
    await readArchive(archive, {
      onProgress,
      onChunk: async (p, chunk) => {
        const file = target(p);
        if (!file) return;
        if (p !== current) {
          current = p;
          mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
          fh = await open(file, 'wx', 0o600);
        }
        await fh!.write(chunk);
      },
      onEntryEnd: async (p, sha256) => {
        const file = target(p);
        if (!file) return;
        if (p !== current) fh = await open(file, 'wx', 0o600); // an empty file: no chunk came
        current = '';
        await fh!.sync();
        await fh!.close();
        fh = null;
        if (want.get(p)?.sha256 !== sha256)
          throw new BackupError('archive-damaged', `${p} changed since the archive was verified; nothing was changed`);
      },
    });
  } finally {
    await (fh as FileHandle | null)?.close().catch(() => undefined);
  }
}
