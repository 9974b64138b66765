// Backup runs (migration 0090): queued by the schedule or an admin, claimed
// and carried out by the appliance's backup job, then verified on request.
// At most one backup is queued or running (a unique partial index): a second
// request while one is under way is refused, not stacked.
import { AppError } from '../../common/errors';
import type { Db } from '../db';
import { defaultBackupSchedule, type BackupSchedule } from '../../../shared/backup-schedule';
import { SettingsRepo } from './settings';

export type BackupTrigger = 'schedule' | 'manual';
export type BackupState = 'queued' | 'running' | 'ok' | 'failed' | 'removed';
export type BackupPhase = 'database' | 'files' | 'verify';
export type VerifyState = 'queued' | 'running' | 'ok' | 'failed';

export interface BackupRun {
  id: number;
  trigger: BackupTrigger;
  state: BackupState;
  requestedBy: number | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  targetDir: string | null;
  /** `sftp://user@host:port` when the archive went to an SFTP server (targetDir is the directory there). */
  remote: string | null;
  fileName: string | null;
  bytes: number | null;
  sha256: string | null;
  appVersion: string | null;
  schemaVersion: number | null;
  phase: BackupPhase | null;
  progressDone: number;
  progressTotal: number;
  errorCode: string | null;
  errorMessage: string | null;
  verifyState: VerifyState | null;
  verifiedAt: string | null;
  verifyError: string | null;
  runnerPid: number | null;
}

interface Row {
  id: number;
  trigger: BackupTrigger;
  state: BackupState;
  requested_by: number | null;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  target_dir: string | null;
  /** Absent on a database before 0155. */
  remote?: string | null;
  file_name: string | null;
  bytes: number | null;
  sha256: string | null;
  app_version: string | null;
  schema_version: number | null;
  phase: BackupPhase | null;
  progress_done: number;
  progress_total: number;
  error_code: string | null;
  error_message: string | null;
  verify_state: VerifyState | null;
  verified_at: string | null;
  verify_error: string | null;
  runner_pid: number | null;
}

const toRun = (r: Row): BackupRun => ({
  id: r.id,
  trigger: r.trigger,
  state: r.state,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  targetDir: r.target_dir,
  remote: r.remote ?? null,
  fileName: r.file_name,
  bytes: r.bytes,
  sha256: r.sha256,
  appVersion: r.app_version,
  schemaVersion: r.schema_version,
  phase: r.phase,
  progressDone: r.progress_done,
  progressTotal: r.progress_total,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  verifyState: r.verify_state,
  verifiedAt: r.verified_at,
  verifyError: r.verify_error,
  runnerPid: r.runner_pid,
});

export const backupInProgress = (run: BackupRun) =>
  new AppError(409, 'backup-in-progress', `backup ${run.id} is ${run.state} already; wait until it ends`, { id: run.id, state: run.state });

const SCHEDULE_KEY = 'backup.schedule';
const SFTP_KEY = 'backup.sftp';

export interface StoredSftpTarget {
  host: string;
  port: number;
  username: string;
  dir: string;
  /** The pinned host key line, `ssh-ed25519 AAAA…`. */
  hostKey: string;
  privateKeySealed: string;
  /** The private key's public half, for the server's authorized_keys. */
  publicKey: string;
}

export class BackupsRepo {
  private readonly settings: SettingsRepo;
  constructor(private readonly db: Db) {
    this.settings = new SettingsRepo(db);
  }

  schedule(): BackupSchedule {
    return { ...defaultBackupSchedule, ...this.settings.get<Partial<BackupSchedule>>(SCHEDULE_KEY) };
  }

  setSchedule(s: BackupSchedule, now = new Date()): void {
    this.settings.set(SCHEDULE_KEY, s, null, now);
  }

  /** The SFTP target of scheduled backups; its private key only sealed (services/common/ssh-keys.ts BACKUP_SFTP_KEY). */
  sftpTarget(): StoredSftpTarget | undefined {
    return this.settings.get<StoredSftpTarget>(SFTP_KEY);
  }

  setSftpTarget(t: StoredSftpTarget, now = new Date()): void {
    this.settings.set(SFTP_KEY, t, null, now);
  }

  get(id: number): BackupRun | undefined {
    const r = this.db.prepare('SELECT * FROM backups WHERE id = ?').get(id) as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  /** The queued or running backup, if any. */
  active(): BackupRun | undefined {
    const r = this.db.prepare("SELECT * FROM backups WHERE state IN ('queued', 'running')").get() as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  /** Queues a backup; refused with backup-in-progress while another is queued or running. */
  request(trigger: BackupTrigger, requestedBy: number | null, now = new Date()): BackupRun {
    return this.db
      .transaction(() => {
        const cur = this.active();
        if (cur) throw backupInProgress(cur);
        const r = this.db
          .prepare("INSERT INTO backups (trigger, state, requested_by, requested_at) VALUES (?, 'queued', ?, ?)")
          .run(trigger, requestedBy, now.toISOString());
        return this.get(Number(r.lastInsertRowid))!;
      })
      .immediate();
  }

  /** The backup job takes a queued run; false when it was not queued (another job took it). */
  claim(id: number, pid: number, targetDir: string, now = new Date(), remote: string | null = null): boolean {
    // Without a remote, the statement names no column of 0155 (the 0090 migration test runs this repo on schema 90).
    const r = remote
      ? this.db
          .prepare(
            "UPDATE backups SET state = 'running', runner_pid = ?, target_dir = ?, remote = ?, started_at = ?, phase = 'database' WHERE id = ? AND state = 'queued'",
          )
          .run(pid, targetDir, remote, now.toISOString(), id)
      : this.db
          .prepare(
            "UPDATE backups SET state = 'running', runner_pid = ?, target_dir = ?, started_at = ?, phase = 'database' WHERE id = ? AND state = 'queued'",
          )
          .run(pid, targetDir, now.toISOString(), id);
    return r.changes === 1;
  }

  progress(id: number, phase: BackupPhase, done: number, total: number): void {
    this.db
      .prepare('UPDATE backups SET phase = ?, progress_done = ?, progress_total = ? WHERE id = ?')
      .run(phase, Math.round(done), Math.round(total), id);
  }

  succeed(
    id: number,
    a: { fileName: string; bytes: number; sha256: string; appVersion: string; schemaVersion: number },
    now = new Date(),
  ): void {
    this.db
      .prepare(
        `UPDATE backups SET state = 'ok', finished_at = ?, file_name = ?, bytes = ?, sha256 = ?, app_version = ?, schema_version = ?,
           phase = NULL, progress_done = progress_total, runner_pid = NULL WHERE id = ?`,
      )
      .run(now.toISOString(), a.fileName, a.bytes, a.sha256, a.appVersion, a.schemaVersion, id);
  }

  fail(id: number, code: string, message: string, now = new Date()): void {
    this.db
      .prepare(
        "UPDATE backups SET state = 'failed', finished_at = ?, error_code = ?, error_message = ?, phase = NULL, runner_pid = NULL WHERE id = ? AND state IN ('queued', 'running')",
      )
      .run(now.toISOString(), code, message, id);
  }

  /** Asks for a verification of a good archive; a queued or running one is left as it is. */
  requestVerify(id: number): BackupRun {
    const run = this.get(id);
    if (!run || run.state !== 'ok')
      throw new AppError(409, 'backup-not-verifiable', `backup ${id} has no archive to verify (state ${run?.state ?? 'missing'})`, { id });
    this.db
      .prepare(
        "UPDATE backups SET verify_state = 'queued', verify_error = NULL WHERE id = ? AND verify_state IS NOT 'running' AND verify_state IS NOT 'queued'",
      )
      .run(id);
    return this.get(id)!;
  }

  verifyStarted(id: number, pid: number): boolean {
    return (
      this.db
        .prepare(
          "UPDATE backups SET verify_state = 'running', runner_pid = ?, phase = 'verify', progress_done = 0 WHERE id = ? AND state = 'ok'",
        )
        .run(pid, id).changes === 1
    );
  }

  verifyDone(id: number, ok: boolean, error: string | null, now = new Date()): void {
    this.db
      .prepare(
        'UPDATE backups SET verify_state = ?, verified_at = ?, verify_error = ?, phase = NULL, progress_done = progress_total, runner_pid = NULL WHERE id = ?',
      )
      .run(ok ? 'ok' : 'failed', now.toISOString(), error, id);
  }

  /** Oldest first: the queued backup, then archives waiting for verification. */
  nextQueued(): BackupRun | undefined {
    const r = this.db.prepare("SELECT * FROM backups WHERE state = 'queued' ORDER BY id LIMIT 1").get() as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  nextVerify(): BackupRun | undefined {
    const r = this.db.prepare("SELECT * FROM backups WHERE state = 'ok' AND verify_state = 'queued' ORDER BY id LIMIT 1").get() as
      Row | undefined;
    return r ? toRun(r) : undefined;
  }

  /** Runs whose job died with the supervisor (a restart, a kill): failed, and verifications queued again. */
  interrupted(livePids: (pid: number) => boolean, now = new Date()): BackupRun[] {
    const rows = (this.db.prepare("SELECT * FROM backups WHERE state = 'running' OR verify_state = 'running'").all() as Row[]).map(toRun);
    const dead = rows.filter((r) => r.runnerPid === null || !livePids(r.runnerPid));
    for (const r of dead) {
      if (r.state === 'running')
        this.fail(r.id, 'backup-interrupted', 'the backup job ended before the archive was complete; nothing was kept', now);
      else this.db.prepare("UPDATE backups SET verify_state = 'queued', phase = NULL, runner_pid = NULL WHERE id = ?").run(r.id);
    }
    return dead;
  }

  list(q: { limit?: number; offset?: number } = {}): { rows: BackupRun[]; total: number } {
    const rows = this.db
      .prepare("SELECT * FROM backups WHERE state != 'removed' ORDER BY id DESC LIMIT ? OFFSET ?")
      .all(q.limit ?? 50, q.offset ?? 0) as Row[];
    const { n } = this.db.prepare("SELECT count(*) AS n FROM backups WHERE state != 'removed'").get() as { n: number };
    return { rows: rows.map(toRun), total: n };
  }

  /** The newest good archive's finish time. */
  lastGood(): BackupRun | undefined {
    const r = this.db.prepare("SELECT * FROM backups WHERE state = 'ok' ORDER BY finished_at DESC LIMIT 1").get() as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  /** When the newest scheduled backup was queued (by the scheduler's clock, not the job's), for the schedule's catch-up rule. */
  lastScheduledStart(): Date | null {
    const r = this.db.prepare("SELECT max(requested_at) AS t FROM backups WHERE trigger = 'schedule'").get() as {
      t: string | null;
    };
    return r.t ? new Date(r.t) : null;
  }

  /** The newest finished run (good or failed): the failure alarm follows it. */
  lastFinished(): BackupRun | undefined {
    const r = this.db.prepare("SELECT * FROM backups WHERE state IN ('ok', 'failed') ORDER BY finished_at DESC, id DESC LIMIT 1").get() as
      Row | undefined;
    return r ? toRun(r) : undefined;
  }

  goodScheduled(): BackupRun[] {
    return (
      this.db.prepare("SELECT * FROM backups WHERE state = 'ok' AND trigger = 'schedule' ORDER BY finished_at DESC").all() as Row[]
    ).map(toRun);
  }

  markRemoved(id: number): void {
    this.db.prepare("UPDATE backups SET state = 'removed' WHERE id = ? AND state = 'ok'").run(id);
  }
}
