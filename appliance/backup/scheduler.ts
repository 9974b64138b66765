// The appliance backs itself up: this runs inside the supervisor (`korobka
// start`), the one process that lives as long as the box and is no service
// a request can slow down. Every few seconds it queues a scheduled backup
// when one is due, starts one job at a time for a queued backup or
// verification (appliance/backup/backup-job.ts, a child at nice 10), removes
// scheduled archives past the rotation, and keeps two alarms true: the last
// backup failed, and the last good backup is older than the schedule allows.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../services/common/logger';
import type { Store } from '../../services/store';
import { backupDue, backupStale, rotate, intervalMs } from '../../shared/backup-schedule';
import { childConfigEnv } from '../config/child';
import type { Config } from '../config/schema';

export const ALARM_BACKUP_FAILED = 'backup-failed';
export const ALARM_BACKUP_STALE = 'backup-stale';
const SOURCE = 'backup';

export type JobVerb = 'backup' | 'verify';

export interface BackupSchedulerOptions {
  config: Readonly<Config>;
  store: Store;
  log: Logger;
  /** dist/ of this installation: the job is dist/appliance/backup/backup-job.js. */
  distDir: string;
  tickMs?: number;
  now?: () => Date;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class BackupScheduler {
  private job: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly o: BackupSchedulerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** A backup or verification job is running. */
  get busy(): boolean {
    return this.job !== null;
  }

  start(): void {
    for (const r of this.o.store.backups.interrupted(alive, this.now())) this.o.log.warn('backup job interrupted', { backupId: r.id });
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 3000);
    this.tick();
  }

  /** Stops ticking and ends a running job (its partial archive is cleared by the next backup). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const job = this.job;
    if (!job) return;
    const exited = new Promise<void>((r) => job.once('exit', () => r()));
    job.kill('SIGTERM');
    await exited;
  }

  tick(): void {
    if (this.stopped) return;
    try {
      const { backups } = this.o.store;
      const now = this.now();
      if (!this.job && backupDue(backups.schedule(), backups.lastScheduledStart(), now) && !backups.active()) {
        const run = backups.request('schedule', null, now);
        this.o.log.info('scheduled backup queued', { backupId: run.id });
      }
      if (!this.job) {
        const queued = backups.nextQueued();
        if (queued) this.run('backup', queued.id);
        else {
          const verify = backups.nextVerify();
          if (verify) this.run('verify', verify.id);
        }
      }
      this.alarms(now);
    } catch (e) {
      // The database busy or locked for a moment: the next tick tries again.
      this.o.log.warn('backup scheduler tick failed', { err: e });
    }
  }

  private run(verb: JobVerb, id: number): void {
    const entry = path.join(this.o.distDir, 'appliance', 'backup', 'backup-job.js');
    if (!existsSync(entry)) {
      this.o.store.backups.fail(id, 'backup-job-missing', `${entry} is missing: run \`npm run build\``);
      return;
    }
    const log = this.o.log.child({ backupId: id, job: verb });
    const child = spawn(process.execPath, ['--enable-source-maps', entry, verb, String(id)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...childConfigEnv(this.o.config) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.job = child;
    // Behind calls for the CPU (bench/backup measures the set-up rate during a backup at this priority).
    if (child.pid) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // a container may refuse; the job still runs
      }
    }
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    log.info('backup job started', { pid: child.pid });
    child.on('error', (e) => log.error('backup job could not start', { err: e }));
    child.on('exit', (code, signal) => {
      this.job = null;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const row = this.o.store.backups.get(id);
      if (row && (row.state === 'running' || row.state === 'queued')) {
        this.o.store.backups.fail(
          id,
          'backup-job-died',
          `the backup job ended (${how}) before the archive was complete; nothing was kept${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
        );
      } else if (row?.verifyState === 'running') {
        this.o.store.backups.verifyDone(id, false, `the verification ended (${how}) before it was complete`);
      }
      const after = this.o.store.backups.get(id);
      log.info('backup job ended', { how, state: after?.state, verifyState: after?.verifyState });
      if (verb === 'backup' && after?.state === 'ok' && after.trigger === 'schedule') this.rotate();
      if (!this.stopped) this.tick();
    });
  }

  /** Removes the scheduled archives the rotation no longer keeps (manual ones stay until removed by hand). */
  rotate(): void {
    const { backups } = this.o.store;
    const good = backups.goodScheduled();
    const gone = rotate(
      good.map((b) => ({ id: b.id, finishedAt: b.finishedAt! })),
      backups.schedule(),
    );
    for (const id of gone) {
      const b = good.find((x) => x.id === id);
      // An archive on an SFTP server is removed there by the backup job (appliance/backup/sftp-job.ts).
      if (!b?.fileName || !b.targetDir || b.remote) continue;
      const file = path.join(b.targetDir, b.fileName);
      rmSync(file, { force: true });
      rmSync(`${file}.sha256`, { force: true });
      backups.markRemoved(id);
      this.o.log.info('backup removed by rotation', { backupId: id, file: b.fileName });
    }
  }

  /** What the alarms say now, so an unchanged state writes nothing (call-control writes CDRs to the same file). */
  private shown: { stale?: string | null; failed?: string | null } = {};

  private alarms(now: Date): void {
    const { backups, alarms } = this.o.store;
    const schedule = backups.schedule();
    const good = backups.lastGood();
    let stale: string | null = null;
    if (backupStale(schedule, good?.finishedAt ? new Date(good.finishedAt) : null, now)) {
      const hours = Math.round(intervalMs(schedule) / 3600_000);
      stale = good
        ? `the last good backup was made ${good.finishedAt}: older than the ${schedule.frequency} schedule allows (${hours} h)`
        : `no backup was made since the ${schedule.frequency} schedule was switched on`;
    }
    if (stale !== this.shown.stale) {
      if (stale)
        alarms.raise(
          {
            code: ALARM_BACKUP_STALE,
            severity: 'warning',
            tenantId: null,
            source: SOURCE,
            message: stale,
            details: { lastGood: good?.finishedAt ?? null, frequency: schedule.frequency },
          },
          now,
        );
      else alarms.clear(ALARM_BACKUP_STALE, null, now);
      this.shown.stale = stale;
    }
    // The newest backup decides: it failed, or its archive does not read back.
    const last = backups.lastFinished();
    let failed: string | null = null;
    if (last?.state === 'failed') failed = `backup ${last.id} failed: ${last.errorMessage ?? last.errorCode}`;
    else if (last?.verifyState === 'failed') failed = `backup ${last.id} does not verify: ${last.verifyError ?? 'damaged'}`;
    if (failed !== this.shown.failed) {
      if (failed)
        alarms.raise(
          {
            code: ALARM_BACKUP_FAILED,
            severity: 'critical',
            tenantId: null,
            source: SOURCE,
            message: failed,
            details: { backupId: last?.id, code: last?.errorCode ?? 'verify-failed' },
          },
          now,
        );
      else alarms.clear(ALARM_BACKUP_FAILED, null, now);
      this.shown.failed = failed;
    }
  }
}
