// Scheduled and «run now» backups to the SFTP server the admin configured on
// the Backups page (issue 18). The connection is opened and the pinned host
// key checked before anything is made, so a server presenting another key
// fails the run with sftp-host-key-mismatch (the scheduler's backup-failed
// alarm follows) and nothing is written here or there. The archive is made in
// a staging directory under <data dir>/backups (never itself backed up),
// uploaded with its .sha256 and removed from the box; verification reads the
// copy on the server back, and rotation removes old archives there.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema';
import { layout } from '../data-dir';
import type { BackupRun, Store } from '../../services/store';
import { loadMasterKey } from '../../services/common/keys';
import { SecretBox } from '../../services/common/secret-box';
import { BACKUP_SFTP_KEY } from '../../services/common/ssh-keys';
import { rotate } from '../../shared/backup-schedule';
import { BackupError } from './errors';
import { SftpSession, type SftpTarget } from './sftp-target';

export const stagingDir = (config: Readonly<Config>) => path.join(layout(config.dataDir).backups, '.sftp-staging');

/** `sftp://user@host:port`, the run's `remote`. */
export const remoteOf = (t: Pick<SftpTarget, 'username' | 'host' | 'port'>) => `sftp://${encodeURIComponent(t.username)}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;

/** The configured SFTP target with its private key opened. */
export function configuredSftpTarget(config: Readonly<Config>, store: Store): SftpTarget {
  const t = store.backups.sftpTarget();
  if (!t) throw new BackupError('sftp-bad-target', 'the schedule sends backups to an SFTP server, but none is configured (Backups page)');
  const box = new SecretBox(
    loadMasterKey({ dataDir: config.dataDir, ...(config.recordings.masterKeyPath ? { masterKeyPath: config.recordings.masterKeyPath } : {}) }).key,
    BACKUP_SFTP_KEY.purpose,
  );
  const privateKey = Buffer.from(box.open(t.privateKeySealed, BACKUP_SFTP_KEY.aad), 'utf8');
  return { host: t.host, port: t.port, username: t.username, dir: t.dir, hostKey: t.hostKey, privateKey };
}

/** Opens a session to the server a run names; refused when the configured target is another server now. */
export async function sessionFor(config: Readonly<Config>, store: Store, run: Pick<BackupRun, 'remote' | 'targetDir'>): Promise<SftpSession> {
  const target = configuredSftpTarget(config, store);
  if (run.remote !== remoteOf(target))
    throw new BackupError('sftp-target-changed', `the archive is on ${run.remote}${run.targetDir ?? ''}, but the configured SFTP server is ${remoteOf(target)} now`);
  return SftpSession.open({ ...target, dir: run.targetDir ?? target.dir });
}

/**
 * Makes the archive in staging and uploads it and its .sha256; `make` is
 * createBackup with the run's progress. The staging copy is removed either way.
 */
export async function backupToSftp<R extends { file: string }>(
  session: SftpSession,
  config: Readonly<Config>,
  make: (targetDir: string) => Promise<R>,
): Promise<R> {
  const staging = stagingDir(config);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  let made: R | null = null;
  try {
    made = await make(staging);
    await session.upload(made.file);
    await session.upload(`${made.file}.sha256`);
    return made;
  } finally {
    if (made) {
      rmSync(made.file, { force: true });
      rmSync(`${made.file}.sha256`, { force: true });
    }
  }
}

/** Brings the archive and its .sha256 back from the server into staging, runs `check` on the copy, removes it. */
export async function verifyOnSftp<R>(session: SftpSession, config: Readonly<Config>, fileName: string, check: (file: string) => Promise<R>): Promise<R> {
  const dir = path.join(stagingDir(config), `verify-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const local = path.join(dir, fileName);
    await session.download(fileName, local);
    await session.download(`${fileName}.sha256`, `${local}.sha256`);
    return await check(local);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rotation on the server: the scheduled archives the schedule no longer keeps, among those on this server. */
export async function rotateOnSftp(session: SftpSession, store: Store, remote: string, log: (msg: string, f: Record<string, unknown>) => void): Promise<void> {
  const good = store.backups.goodScheduled();
  const gone = new Set(rotate(good.map((b) => ({ id: b.id, finishedAt: b.finishedAt! })), store.backups.schedule()));
  for (const b of good) {
    if (!gone.has(b.id) || b.remote !== remote || !b.fileName || b.targetDir !== session.target.dir) continue;
    await session.remove(b.fileName);
    await session.remove(`${b.fileName}.sha256`);
    store.backups.markRemoved(b.id);
    log('backup removed by rotation on the SFTP server', { backupId: b.id, file: b.fileName, remote });
  }
}
