// `korobka backup`: one tar archive named with the version and time, written
// beside its final name and renamed only when complete and on disk, so a
// killed or failed backup never leaves a file that looks like a backup.
//
// Archive format: npm `tar` (isaacs/node-tar, the tar npm itself uses) writes
// entries from memory and streams (WriteEntry), so the database copy, the
// sealed key material and the data files go in under their archive names, each
// hashed as it is written, without staging a tree or shelling out to GNU tar
// (whose flags differ between Debian and Astra); reading it back, its strict
// parser reports a damaged header. Not compressed: recordings are encrypted
// (incompressible) and dominate the size.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, accessSync, constants, renameSync, writeFileSync, openSync, fsyncSync, closeSync, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { create, WriteEntry } from 'tar';
import type { Config } from '../config/schema';
import { layout } from '../data-dir';
import { copyDatabaseOnline } from '../../services/store';
import { VERSION } from '../../services/common/version';
import { defaultMasterKeyPath, loadMasterKeyId } from './master-key';
import { listDataFiles, type DataFile } from './data-files';
import { BackupError } from './errors';
import { DATA_PREFIX, DB_ENTRY, encodeManifest, FORMAT, MANIFEST, SECRETS_ENTRY, type Manifest, type ManifestFile } from './manifest';
import { newBackupKeys, sealSecrets, type SecretFile } from './secrets';

export type BackupPhase = 'database' | 'files' | 'done';
export interface BackupProgress {
  phase: BackupPhase;
  doneBytes: number;
  totalBytes: number;
  doneFiles: number;
  totalFiles: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  sha256: string;
  manifest: Manifest;
  skipped: string[];
  ms: number;
}

/** Stale work of a backup killed earlier: `.korobka-backup-….<pid>.partial|staging` whose pid is gone. */
function removeStale(targetDir: string): void {
  for (const name of readdirSync(targetDir)) {
    const m = /^\.korobka-backup-.*\.(\d+)\.(partial|staging)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive: boolean;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive || pid === process.pid) rmSync(path.join(targetDir, name), { recursive: true, force: true });
  }
}

export function archiveName(now: Date, targetDir: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `korobka-backup-${VERSION}-${stamp}.tar`;
  for (let i = 2; existsSync(path.join(targetDir, name)); i++) name = `korobka-backup-${VERSION}-${stamp}-${i}.tar`;
  return name;
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

const MB = 1024 * 1024;
/** Files up to this size are read whole when their turn comes (a snapshot of a file being appended to). */
const SNAPSHOT_BYTES = 4 * MB;
const fmtMb = (b: number) => `${(b / MB).toFixed(1)} MB`;

function diskFull(targetDir: string, need: number): BackupError {
  return new BackupError('target-disk-full', `not enough space in ${targetDir}: the backup needs about ${fmtMb(need)}, ${fmtMb(freeBytes(targetDir))} free; nothing was written`, { targetDir, needBytes: need });
}

export async function createBackup(o: { config: Readonly<Config>; passphrase: string; targetDir?: string; onProgress?: (p: BackupProgress) => void }): Promise<BackupResult> {
  const started = Date.now();
  const dataDir = o.config.dataDir;
  const l = layout(dataDir);
  if (!existsSync(l.db)) throw new BackupError('data-dir-not-initialised', `${dataDir} has no korobka.db: nothing to back up (run \`korobka init\` first?)`);
  const targetDir = path.resolve(o.targetDir ?? l.backups);
  try {
    mkdirSync(targetDir, { recursive: true, mode: 0o700 });
    accessSync(targetDir, constants.W_OK);
  } catch (e) {
    throw new BackupError('target-not-writable', `cannot write to ${targetDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { targetDir });
  }
  removeStale(targetDir);
  const keys = await newBackupKeys(o.passphrase);
  const name = archiveName(new Date(), targetDir);
  const tag = `.${name}.${process.pid}`;
  const staging = path.join(targetDir, `${tag}.staging`);
  const partial = path.join(targetDir, `${tag}.partial`);
  const dbSize = statSync(l.db).size + (existsSync(`${l.db}-wal`) ? statSync(`${l.db}-wal`).size : 0);
  if (freeBytes(targetDir) < dbSize * 2 + MB) throw diskFull(targetDir, dbSize * 2 + MB);
  const progress: BackupProgress = { phase: 'database', doneBytes: 0, totalBytes: dbSize, doneFiles: 0, totalFiles: 0 };
  const report = () => o.onProgress?.({ ...progress });
  try {
    mkdirSync(staging, { mode: 0o700 });
    // The database first: every recording its index names is then on disk when the files are listed.
    const dbCopy = path.join(staging, 'korobka.db');
    const db = await copyDatabaseOnline(l.db, dbCopy, (done, total) => {
      progress.doneBytes = Math.round((done / Math.max(total, 1)) * dbSize);
      report();
    });
    const { files, skipped } = listDataFiles(dataDir, [targetDir]);
    const secrets = readSecrets(o.config, files);
    const sealed = sealSecrets(keys, secrets);
    const plain = files.filter((f) => f.kind === 'plain');
    const dbBytes = statSync(dbCopy).size;
    const total = dbBytes + sealed.length + plain.reduce((s, f) => s + f.size, 0);
    const need = total + (plain.length + 4) * 1536 + MB; // headers, padding, manifest
    if (freeBytes(targetDir) < need) throw diskFull(targetDir, need);
    Object.assign(progress, { phase: 'files', doneBytes: 0, totalBytes: total, doneFiles: 0, totalFiles: plain.length + 2 });
    report();

    const listed: ManifestFile[] = [];
    const entries = async function* (): AsyncGenerator<WriteEntry> {
      yield await fileEntry(DB_ENTRY, dbCopy, 0o600);
      yield memoryEntry(SECRETS_ENTRY, sealed);
      for (const f of plain) {
        const e = await fileEntry(DATA_PREFIX + f.rel, f.abs, 0o600).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null; // removed since it was listed (retention purge)
          throw err;
        });
        if (e) yield e;
        else skipped.push(f.rel);
      }
      await Promise.all(pending);
      const manifest: Manifest = {
        format: FORMAT,
        appVersion: VERSION,
        schemaVersion: db.schemaVersion,
        createdAt: new Date(started).toISOString(),
        hostname: os.hostname(),
        masterKeyId: loadMasterKeyId(o.config),
        kdf: keys.kdf,
        files: listed,
      };
      result.manifest = manifest;
      yield new WriteEntry({ path: MANIFEST, mode: 0o600, mtime: new Date() }, encodeManifest(manifest, keys));
    };
    const pending: Promise<void>[] = [];
    const result = { manifest: undefined as Manifest | undefined };
    // Each body is hashed as the archive takes it; the manifest waits for every hash.
    // Files may change while they are read: call-control appends CDRs it could
    // not write yet to cdr-spill/ and empties it after a replay. A small file is
    // read whole at once (a consistent snapshot); a large one (a recording,
    // written once and renamed into place) exactly as long as it was when
    // opened, so the tar header's size always holds: a file that grew is taken
    // as it was (the tar entry stopped reading and the backup hung, exiting 0
    // without an archive), one that shrank fails the backup by name.
    const fileEntry = async (entryPath: string, file: string, mode: number): Promise<WriteEntry> => {
      const fh = await open(file, 'r'); // open now: a file removed later is still read whole
      const st = await fh.stat();
      if (st.size <= SNAPSHOT_BYTES) return snapshotEntry(entryPath, await fh.readFile().finally(() => fh.close()), mode, st.mtime);
      const stream = fh.createReadStream({ highWaterMark: MB, start: 0, end: st.size - 1 }) as ReadStream;
      return new WriteEntry({ path: entryPath, mode, size: st.size, mtime: st.mtime }, hashed(entryPath, stream, st.size));
    };
    // Hashed here, not as tar reads it: tar never reads the body of an empty
    // entry, and a hash waiting for that read held the manifest (and the
    // backup) forever — an empty cdr-spill file did it under call load.
    const snapshotEntry = (entryPath: string, data: Buffer, mode: number, mtime: Date): WriteEntry => {
      listed.push({ path: entryPath, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      progress.doneBytes += data.length;
      progress.doneFiles++;
      report();
      return new WriteEntry({ path: entryPath, mode, size: data.length, mtime }, data);
    };
    const memoryEntry = (entryPath: string, data: Buffer) => snapshotEntry(entryPath, data, 0o600, new Date());
    const hashed = (entryPath: string, source: AsyncIterable<Buffer>, expected: number): AsyncIterable<Uint8Array> => {
      let finish!: () => void;
      pending.push(new Promise<void>((r) => (finish = r)));
      return (async function* () {
        const h = createHash('sha256');
        let size = 0;
        for await (const chunk of source) {
          h.update(chunk);
          size += chunk.length;
          progress.doneBytes += chunk.length;
          report();
          yield chunk;
        }
        if (size !== expected)
          throw new BackupError('source-changed', `${entryPath} shrank from ${expected} to ${size} bytes while it was read (something truncated it); nothing was written: run the backup again`, { path: entryPath });
        listed.push({ path: entryPath, size, sha256: h.digest('hex') });
        progress.doneFiles++;
        finish();
      })();
    };

    const whole = createHash('sha256');
    let bytes = 0;
    const archive = create({ portable: true }, [entries()]);
    await pipeline(
      Readable.fromWeb(archive as WebReadableStream<Uint8Array>),
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          whole.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(partial, { mode: 0o600, flags: 'wx' }),
    );
    const fd = openSync(partial, 'r');
    fsyncSync(fd);
    closeSync(fd);
    const file = path.join(targetDir, name);
    renameSync(partial, file);
    const sha256 = whole.digest('hex');
    // sha256sum's format: `sha256sum -c` checks it without Korobka.
    writeFileSync(`${file}.sha256`, `${sha256}  ${name}\n`, { mode: 0o600 });
    rmSync(staging, { recursive: true, force: true });
    progress.phase = 'done';
    report();
    return { file, bytes, sha256, manifest: result.manifest!, skipped, ms: Date.now() - started };
  } catch (e) {
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new BackupError('target-disk-full', `the disk of ${targetDir} filled up while writing the backup; the partial archive was removed, nothing else changed`, { targetDir });
    throw e;
  }
}

/** The key material, read now: keys/ (the master key, wherever the config keeps it), TLS private keys, the config file. */
function readSecrets(config: Readonly<Config>, files: DataFile[]): SecretFile[] {
  const out: SecretFile[] = files.filter((f) => f.kind === 'secret').map((f) => ({ path: f.rel, mode: statSync(f.abs).mode & 0o777, data: readFileSync(f.abs) }));
  const external = config.recordings.masterKeyPath;
  if (external && path.resolve(external) !== defaultMasterKeyPath(config.dataDir) && existsSync(external)) {
    out.push({ path: 'keys/master.key', mode: 0o600, data: readFileSync(external) });
  }
  return out;
}
