// Migration 0090: backup runs over a database at version 51 with a user.
// One backup queued or running at a time; claim, progress, success and
// verification; a failed run has no archive; runs whose job died are failed
// (a backup) or queued again (a verification); the schedule lives in settings.
import { describe, expect, it } from 'vitest';
import { schemaVersion, type Db } from '../../services/store';
import { BackupsRepo } from '../../services/store/repos/backups';
import { defaultBackupSchedule } from '../../shared/backup-schedule';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig90-');

function at90(): Db {
  return mig.at(51, 90, (d) => {
    d.prepare(
      "INSERT INTO users (tenant_id, username, role, password_hash, password_changed_at, created_at) VALUES (NULL, 'root', 'superadmin', 'x', '2026-12-06T00:00:00Z', '2026-12-06T00:00:00Z')",
    ).run();
  });
}

const archive = {
  fileName: 'korobka-backup-0.1.0-20261207T023000Z.tar',
  bytes: 1234,
  sha256: 'a'.repeat(64),
  appVersion: '0.1.0',
  schemaVersion: 90,
};

describe('migration 0090 backups', () => {
  it('runs one backup at a time through queued, running and ok, then verifies it', () => {
    const d = at90();
    expect(schemaVersion(d)).toBe(90);
    const repo = new BackupsRepo(d);
    const run = repo.request('manual', 1, new Date('2026-12-07T10:00:00Z'));
    expect(run).toMatchObject({ id: 1, trigger: 'manual', state: 'queued', requestedBy: 1 });
    expect(() => repo.request('schedule', null)).toThrow(expect.objectContaining({ code: 'backup-in-progress', status: 409 }));
    expect(repo.claim(1, 4242, '/var/lib/korobka/backups')).toBe(true);
    expect(repo.claim(1, 4243, '/elsewhere')).toBe(false);
    repo.progress(1, 'files', 50, 200);
    expect(repo.get(1)).toMatchObject({ state: 'running', phase: 'files', progressDone: 50, progressTotal: 200, runnerPid: 4242 });
    expect(() => repo.request('manual', 1)).toThrow(expect.objectContaining({ code: 'backup-in-progress' }));
    repo.succeed(1, archive, new Date('2026-12-07T10:01:00Z'));
    expect(repo.get(1)).toMatchObject({ state: 'ok', ...archive, phase: null, progressDone: 200, finishedAt: '2026-12-07T10:01:00.000Z' });
    expect(repo.requestVerify(1).verifyState).toBe('queued');
    expect(repo.nextVerify()?.id).toBe(1);
    expect(repo.verifyStarted(1, 4244)).toBe(true);
    repo.verifyDone(1, true, null, new Date('2026-12-07T10:02:00Z'));
    expect(repo.get(1)).toMatchObject({ verifyState: 'ok', verifiedAt: '2026-12-07T10:02:00.000Z', verifyError: null });
    expect(repo.lastGood()?.id).toBe(1);
    expect(repo.request('manual', 1).id).toBe(2); // free again
  });

  it('refuses an ok row without an archive and a file name with a path', () => {
    const d = at90();
    const repo = new BackupsRepo(d);
    repo.request('manual', null);
    expect(() => d.prepare("UPDATE backups SET state = 'ok' WHERE id = 1").run()).toThrow(/CHECK constraint/);
    repo.claim(1, 1, '/b');
    expect(() => repo.succeed(1, { ...archive, fileName: '../etc/passwd' })).toThrow(/CHECK constraint/);
    expect(() => repo.requestVerify(1)).toThrow(expect.objectContaining({ code: 'backup-not-verifiable' }));
  });

  it('fails backups and re-queues verifications whose job is gone; lists newest first without removed ones', () => {
    const d = at90();
    const repo = new BackupsRepo(d);
    repo.request('schedule', null, new Date('2026-12-05T02:30:00Z'));
    repo.claim(1, 11, '/b', new Date('2026-12-05T02:30:01Z'));
    repo.succeed(1, archive);
    repo.requestVerify(1);
    repo.verifyStarted(1, 12);
    repo.request('schedule', null, new Date('2026-12-06T02:30:00Z'));
    repo.claim(2, 13, '/b', new Date('2026-12-06T02:30:01Z'));
    const gone = repo.interrupted((pid) => pid === 99);
    expect(gone.map((r) => r.id).sort()).toEqual([1, 2]);
    expect(repo.get(2)).toMatchObject({ state: 'failed', errorCode: 'backup-interrupted', fileName: null });
    expect(repo.get(1)).toMatchObject({ state: 'ok', verifyState: 'queued' });
    expect(repo.lastFinished()?.id).toBe(2);
    expect(repo.lastScheduledStart()).toEqual(new Date('2026-12-06T02:30:00Z'));
    repo.markRemoved(1);
    expect(repo.list()).toMatchObject({ total: 1, rows: [{ id: 2 }] });
    expect(repo.goodScheduled()).toEqual([]);
  });

  it('keeps the schedule in settings with defaults for what was never set', () => {
    const repo = new BackupsRepo(at90());
    expect(repo.schedule()).toEqual(defaultBackupSchedule);
    repo.setSchedule({ ...defaultBackupSchedule, enabled: true, keepDaily: 3, since: '2026-12-07T00:00:00.000Z' });
    expect(repo.schedule()).toMatchObject({ enabled: true, keepDaily: 3, keepWeekly: 4, frequency: 'daily' });
  });
});
