// One backup or verification the appliance carries out for itself (the
// schedule, or «run now» / «verify» on the admin page): a process of its own
// started by the supervisor's BackupScheduler at low priority, so a slow disk
// never delays the supervisor and a crash here takes nothing else down. It
// records progress and the outcome in the backups table; the archive itself
// is made by createBackup exactly as `korobka backup` makes it.
//
//   node dist/appliance/backup/backup-job.js backup|verify RUN_ID
import path from 'node:path';
import { readChildConfig } from '../config/child';
import type { Config } from '../config/schema';
import { layout } from '../data-dir';
import { openStore, type Store } from '../../services/store';
import { readBackupPassphrase } from '../../services/common/backup-passphrase';
import { createBackup } from './create-backup';
import { BackupError } from './errors';
import { verifyBackup } from './verify-backup';
import { backupToSftp, configuredSftpTarget, remoteOf, rotateOnSftp, sessionFor, verifyOnSftp } from './sftp-job';
import { SftpSession } from './sftp-target';

const PROGRESS_EVERY_MS = 500;

function throttled(write: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
    last = Date.now();
    write(done, total);
  };
}

export const backupTargetDir = (config: Readonly<Config>, store: Store): string =>
  path.resolve(store.backups.schedule().targetDir ?? layout(config.dataDir).backups);

const errorOf = (e: unknown): { code: string; message: string } =>
  e instanceof BackupError ? { code: e.code, message: e.message } : { code: 'backup-failed', message: (e as Error).message ?? String(e) };

const noPassphrase = () =>
  new BackupError(
    'passphrase-missing',
    'no backup passphrase is set: set one on the Backups page (schedule) before the appliance can back itself up',
  );

async function verify(store: Store, config: Readonly<Config>, id: number, open?: SftpSession): Promise<void> {
  const dataDir = config.dataDir;
  const run = store.backups.get(id);
  if (!run?.fileName || !run.targetDir || !store.backups.verifyStarted(id, process.pid)) return;
  const progress = throttled((d, t) => store.backups.progress(id, 'verify', d, t));
  let session: SftpSession | null = null;
  try {
    const passphrase = readBackupPassphrase(dataDir);
    const check = (file: string) =>
      verifyBackup(file, { passphrase: passphrase ?? undefined, onProgress: (p) => progress(p.doneBytes, p.totalBytes) });
    // An archive on an SFTP server is verified as the server holds it: read back, then checked.
    if (run.remote) session = open ?? (await sessionFor(config, store, run));
    const v = session ? await verifyOnSftp(session, config, run.fileName, check) : await check(path.join(run.targetDir, run.fileName));
    if (run.sha256 && v.sha256 !== run.sha256)
      throw new BackupError('archive-damaged', `${run.fileName} has changed since it was written (SHA-256 differs)`);
    store.backups.verifyDone(id, true, passphrase ? null : 'checksums only: no passphrase on the box to check the sealed keys');
  } catch (e) {
    store.backups.verifyDone(id, false, errorOf(e).message);
  } finally {
    if (session && session !== open) session.close();
  }
}

async function backup(store: Store, config: Readonly<Config>, id: number): Promise<void> {
  const sftp = store.backups.schedule().target === 'sftp';
  let session: SftpSession | null = null;
  try {
    if (sftp) {
      const target = configuredSftpTarget(config, store);
      if (!store.backups.claim(id, process.pid, target.dir, new Date(), remoteOf(target))) return;
    } else if (!store.backups.claim(id, process.pid, backupTargetDir(config, store))) return;
  } catch (e) {
    const { code, message } = errorOf(e);
    store.backups.fail(id, code, message);
    return;
  }
  try {
    const passphrase = readBackupPassphrase(config.dataDir);
    if (!passphrase) throw noPassphrase();
    // The server first: a wrong host key or a refused login fails before anything is made.
    if (sftp) session = await SftpSession.open(configuredSftpTarget(config, store));
    const progress = throttled((d, t) => store.backups.progress(id, 'files', d, t));
    const make = (targetDir: string) =>
      createBackup({
        config,
        passphrase,
        targetDir,
        onProgress: (p) =>
          p.phase === 'database' ? store.backups.progress(id, 'database', p.doneBytes, p.totalBytes) : progress(p.doneBytes, p.totalBytes),
      });
    const r = session ? await backupToSftp(session, config, make) : await make(backupTargetDir(config, store));
    store.backups.succeed(id, {
      fileName: path.basename(r.file),
      bytes: r.bytes,
      sha256: r.sha256,
      appVersion: r.manifest.appVersion,
      schemaVersion: r.manifest.schemaVersion,
    });
  } catch (e) {
    session?.close();
    const { code, message } = errorOf(e);
    store.backups.fail(id, code, message);
    return;
  }
  try {
    // Read back at once: the list shows every archive with its verification state.
    store.backups.requestVerify(id);
    await verify(store, config, id, session ?? undefined);
    const run = store.backups.get(id);
    // Rotation on the server (the scheduler rotates archives on the box when this job ends).
    if (session && run?.trigger === 'schedule' && run.verifyState === 'ok')
      await rotateOnSftp(session, store, run.remote!, (msg, f) => process.stderr.write(`${msg} ${JSON.stringify(f)}\n`));
  } finally {
    session?.close();
  }
}

async function main(): Promise<number> {
  const [verb, idText] = process.argv.slice(2);
  const id = Number(idText);
  if ((verb !== 'backup' && verb !== 'verify') || !Number.isInteger(id) || id <= 0) {
    process.stderr.write('usage: backup-job.js backup|verify RUN_ID (started by the supervisor)\n');
    return 2;
  }
  const config = readChildConfig();
  const store = openStore(layout(config.dataDir).db);
  try {
    if (verb === 'backup') await backup(store, config, id);
    else await verify(store, config, id);
    return 0;
  } finally {
    store.close();
  }
}

process.exitCode = await main();
