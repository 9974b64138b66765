// The appliance backs itself up. The scheduler with its clock in the test's
// hand over a data directory made by `korobka init`: a due daily backup is
// queued and carried out by the real backup job (dist/), progress seen while
// it runs, the archive verified, rotation removing what the schedule no
// longer keeps; the stale alarm three days on; a failing target raises the
// failure alarm and the next good backup clears it. Then the running
// appliance (`korobka start`) carries out a backup queued as the api queues it.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../appliance/config/load';
import { BackupScheduler } from '../../../appliance/backup/scheduler';
import { writeBackupPassphrase } from '../../../services/common/backup-passphrase';
import { createLogger } from '../../../services/common/logger';
import { openStore, type Store } from '../../../services/store';
import { defaultBackupSchedule } from '../../../shared/backup-schedule';
import { testOutputDir } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { CLI, makeAppliance, waitFor, type Appliance } from './appliance';

const PASS = 'Пароль резервных копий 2026';
const logFile = path.join(testOutputDir('appliance'), 'backup-scheduler.log');
const log = createLogger({ level: 'info', base: { service: 'supervisor' }, sink: (line) => appendFileSync(logFile, line + '\n') });
const DAY = 24 * 3600_000;
const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

describe('backup scheduler', () => {
  let t: { dir: string; cleanup: () => void };
  let store: Store;
  let scheduler: BackupScheduler;
  let clock = new Date();
  const active = (code: string) => store.alarms.list({ active: true }).rows.find((a) => a.code === code);

  beforeAll(() => {
    t = tempDir('korobka-backup-schedule-');
    execFileSync(process.execPath, [CLI, 'init', '--data-dir', t.dir, '--password-file', path.join(t.dir, 'pw')], { stdio: 'pipe' });
    writeBackupPassphrase(t.dir, PASS);
    store = openStore(path.join(t.dir, 'korobka.db'));
    const config = loadConfig({ env: {}, flags: { dataDir: t.dir } });
    scheduler = new BackupScheduler({ config, store, log, distDir: path.resolve('dist'), tickMs: 200, now: () => clock });
  });
  afterAll(async () => {
    await scheduler?.stop();
    store?.close();
    t?.cleanup();
  });

  it('runs the due daily backup with progress, verifies it, and rotates old scheduled archives away', async () => {
    // The job stamps its rows with the real time, so the test's clock starts there.
    clock = new Date();
    const dir = path.join(t.dir, 'backups');
    store.backups.setSchedule({
      ...defaultBackupSchedule,
      enabled: true,
      time: hhmm(new Date(clock.getTime() - 60_000)),
      keepDaily: 2,
      keepWeekly: 1,
      since: new Date(clock.getTime() - 5 * DAY).toISOString(),
    });
    // Three older scheduled archives (3, 2 and 1 days old) as earlier runs left them.
    const old = [3, 2, 1].map((daysAgo) => {
      const at = new Date(clock.getTime() - daysAgo * DAY);
      const run = store.backups.request('schedule', null, at);
      const name = `korobka-backup-0.0.9-old${daysAgo}.tar`;
      writeFileSync(path.join(dir, name), 'old archive');
      writeFileSync(path.join(dir, `${name}.sha256`), 'x');
      store.backups.claim(run.id, 1, dir, at);
      store.backups.succeed(
        run.id,
        { fileName: name, bytes: 11, sha256: 'b'.repeat(64), appVersion: '0.0.9', schemaVersion: 51 },
        new Date(at.getTime() + 60_000),
      );
      return { id: run.id, file: path.join(dir, name) };
    });
    const phases = new Set<string>();
    scheduler.start();
    let id = 0;
    await waitFor(
      () => {
        const run = store.backups.list().rows.find((r) => r.trigger === 'schedule' && r.id > old[2]!.id);
        if (!run) return false;
        id = run.id;
        if (run.phase && run.progressTotal > 0) phases.add(run.phase);
        // The job has exited too: rotation follows its exit.
        return (run.verifyState === 'ok' || run.verifyState === 'failed' || run.state === 'failed') && !scheduler.busy;
      },
      60_000,
      'scheduled backup verified',
    );
    const run = store.backups.get(id)!;
    expect(run, JSON.stringify(run)).toMatchObject({
      state: 'ok',
      trigger: 'schedule',
      verifyState: 'ok',
      verifyError: null,
      targetDir: dir,
    });
    expect(phases.size).toBeGreaterThan(0);
    expect(run.progressDone).toBe(run.progressTotal);
    const archive = path.join(dir, run.fileName!);
    expect(readFileSync(`${archive}.sha256`, 'utf8')).toBe(`${run.sha256}  ${run.fileName}\n`);
    const passFile = path.join(t.dir, 'pass');
    writeFileSync(passFile, PASS);
    const verify = execFileSync(
      process.execPath,
      [CLI, 'backup', '--data-dir', t.dir, '--verify', archive, '--passphrase-file', passFile],
      { encoding: 'utf8' },
    );
    expect(verify).toContain('passphrase correct');
    // keepDaily 2, keepWeekly 1: today's (this week's newest) and yesterday's stay, the two older go.
    expect(existsSync(old[2]!.file)).toBe(true);
    for (const o of old.slice(0, 2)) {
      expect(existsSync(o.file)).toBe(false);
      expect(existsSync(`${o.file}.sha256`)).toBe(false);
      expect(store.backups.get(o.id)!.state).toBe('removed');
    }
    expect(store.backups.list().rows.map((r) => r.id)).toEqual([id, old[2]!.id]);
    // Due once: further ticks the same day queue nothing.
    scheduler.tick();
    expect(store.backups.active()).toBeUndefined();
    expect(active('backup-stale')).toBeUndefined();
    expect(active('backup-failed')).toBeUndefined();
  });

  it('raises the stale alarm when the last good backup is older than the schedule allows', async () => {
    const real = clock;
    clock = new Date(real.getTime() + 3 * DAY);
    scheduler.tick();
    expect(active('backup-stale')).toMatchObject({ severity: 'warning', source: 'backup' });
    expect(active('backup-stale')!.message).toMatch(/^the last good backup was made .*: older than the daily schedule allows \(24 h\)$/);
    // The missed slots queued one catch-up backup (not three).
    const catchUp = store.backups.active();
    expect(catchUp?.trigger).toBe('schedule');
    await waitFor(() => store.backups.get(catchUp!.id)!.verifyState === 'ok' && !scheduler.busy, 60_000, 'catch-up backup');
    expect(store.backups.active()).toBeUndefined();
    clock = new Date();
    scheduler.tick();
    expect(active('backup-stale')).toBeUndefined();
  });

  it('raises the failure alarm for a target it cannot write and clears it with the next good backup', async () => {
    const file = path.join(t.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    store.backups.setSchedule({ ...store.backups.schedule(), targetDir: path.join(file, 'backups') });
    const bad = store.backups.request('manual', null, clock);
    await waitFor(() => store.backups.get(bad.id)!.state === 'failed' && !scheduler.busy, 30_000, 'failed backup');
    expect(store.backups.get(bad.id)).toMatchObject({ errorCode: 'target-not-writable', fileName: null });
    scheduler.tick();
    expect(active('backup-failed')).toMatchObject({ severity: 'critical', source: 'backup' });
    expect(active('backup-failed')!.message).toContain(`backup ${bad.id} failed: cannot write to`);
    store.backups.setSchedule({ ...store.backups.schedule(), targetDir: null });
    const next = store.backups.request('manual', null, clock);
    await waitFor(() => store.backups.get(next.id)!.verifyState === 'ok' && !scheduler.busy, 60_000, 'good backup');
    scheduler.tick();
    expect(active('backup-failed')).toBeUndefined();
  });
});

describe('the running appliance', () => {
  let app: Appliance;
  beforeAll(async () => {
    app = await makeAppliance('backup-schedule');
    await app.start();
  });
  afterAll(() => app?.cleanup());

  it('carries out a backup queued as the api queues it, verified, with no process of the box restarted', async () => {
    writeBackupPassphrase(app.dataDir, PASS);
    const store = openStore(path.join(app.dataDir, 'korobka.db'));
    try {
      const run = store.backups.request('manual', null);
      await waitFor(
        () => store.backups.get(run.id)!.verifyState === 'ok' || store.backups.get(run.id)!.state === 'failed',
        60_000,
        'backup by the appliance',
      );
      const done = store.backups.get(run.id)!;
      expect(done, JSON.stringify(done)).toMatchObject({ state: 'ok', verifyState: 'ok', targetDir: path.join(app.dataDir, 'backups') });
      expect(existsSync(path.join(app.dataDir, 'backups', done.fileName!))).toBe(true);
      const health = await app.get('/api/health');
      expect(health.status).toBe(200);
      const status = JSON.parse(readFileSync(path.join(app.dataDir, 'run', 'status.json'), 'utf8')) as {
        processes: Array<{ name: string; restarts: number; state: string }>;
      };
      for (const p of status.processes) expect(p, p.name).toMatchObject({ restarts: 0, state: 'running' });
    } finally {
      store.close();
    }
  });
});
