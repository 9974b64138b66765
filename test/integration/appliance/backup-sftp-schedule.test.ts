// Issue 18: scheduled backups to an SFTP server. A data directory made by
// `korobka init`, the SFTP target stored as the api stores it (private key
// sealed under the master key), a real OpenSSH sshd on 127.0.0.1 and the
// real backup job (dist/) run by the scheduler with the test's clock: the due
// backup lands on the server with its .sha256, is read back from there and
// verified, nothing stays on the box, and rotation removes what the schedule
// no longer keeps on the server. Then the server's key is not the pinned one:
// the run fails with sftp-host-key-mismatch, the backup-failed alarm says so,
// and nothing is written there or here.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupScheduler } from '../../../appliance/backup/scheduler';
import { loadConfig } from '../../../appliance/config/load';
import { writeBackupPassphrase } from '../../../services/common/backup-passphrase';
import { loadMasterKey } from '../../../services/common/keys';
import { createLogger } from '../../../services/common/logger';
import { SecretBox } from '../../../services/common/secret-box';
import { BACKUP_SFTP_KEY, parsePrivateKey } from '../../../services/common/ssh-keys';
import { openStore, type Store } from '../../../services/store';
import { defaultBackupSchedule } from '../../../shared/backup-schedule';
import { testOutputDir } from '../../helpers/processes';
import { startSshd, type TestSshd } from '../../helpers/sshd';
import { tempDir } from '../../helpers/tmp';
import { CLI, waitFor } from './appliance';

const PASS = 'Пароль резервных копий 2026';
const DAY = 24 * 3600_000;
const logFile = path.join(testOutputDir('appliance'), 'backup-sftp-scheduler.log');
const log = createLogger({ level: 'info', base: { service: 'supervisor' }, sink: (line) => appendFileSync(logFile, line + '\n') });
const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

describe('scheduled backups to an SFTP server (issue 18)', () => {
  const t = tempDir('korobka-backup-sftp-schedule-');
  const data = path.join(t.dir, 'data');
  let sshd: TestSshd;
  let store: Store;
  let scheduler: BackupScheduler;
  let clock = new Date();
  const active = (code: string) => store.alarms.list({ active: true }).rows.find((a) => a.code === code);
  const remote = () => readdirSync(sshd.remote).sort();
  const onBox = () => [...readdirSync(path.join(data, 'backups'))].filter((n) => n !== '.sftp-staging').concat(
    existsSync(path.join(data, 'backups', '.sftp-staging')) ? readdirSync(path.join(data, 'backups', '.sftp-staging')) : [],
  );

  const setTarget = (hostKey: string) => {
    const box = new SecretBox(loadMasterKey({ dataDir: data }).key, BACKUP_SFTP_KEY.purpose);
    store.backups.setSftpTarget({
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.user,
      dir: sshd.remote,
      hostKey,
      privateKeySealed: box.seal(sshd.clientKey, BACKUP_SFTP_KEY.aad),
      publicKey: parsePrivateKey(sshd.clientKey).publicLine,
    });
  };

  beforeAll(async () => {
    sshd = await startSshd(t.dir, 'sftp-schedule');
    execFileSync(process.execPath, [CLI, 'init', '--data-dir', data, '--password-file', path.join(t.dir, 'pw')], { stdio: 'pipe' });
    writeBackupPassphrase(data, PASS);
    store = openStore(path.join(data, 'korobka.db'));
    const config = loadConfig({ env: {}, flags: { dataDir: data } });
    scheduler = new BackupScheduler({ config, store, log, distDir: path.resolve('dist'), tickMs: 200, now: () => clock });
  }, 120_000);

  afterAll(async () => {
    await scheduler?.stop();
    store?.close();
    await sshd?.stop();
    t.cleanup();
  });

  it('the due backup lands on the server with its .sha256, verifies there, and rotation removes older archives on the server', async () => {
    clock = new Date();
    setTarget(sshd.hostKey);
    store.backups.setSchedule({
      ...defaultBackupSchedule,
      enabled: true,
      target: 'sftp',
      time: hhmm(new Date(clock.getTime() - 60_000)),
      keepDaily: 1,
      keepWeekly: 0,
      since: new Date(clock.getTime() - 5 * DAY).toISOString(),
    });
    const remoteName = `sftp://${sshd.user}@127.0.0.1:${sshd.port}`;
    // Two older scheduled archives on the server, as earlier runs left them.
    const old = [3, 2].map((daysAgo) => {
      const at = new Date(clock.getTime() - daysAgo * DAY);
      const run = store.backups.request('schedule', null, at);
      const name = `korobka-backup-0.0.9-old${daysAgo}.tar`;
      writeFileSync(path.join(sshd.remote, name), 'old archive');
      writeFileSync(path.join(sshd.remote, `${name}.sha256`), 'x');
      store.backups.claim(run.id, 1, sshd.remote, at, remoteName);
      store.backups.succeed(run.id, { fileName: name, bytes: 11, sha256: 'b'.repeat(64), appVersion: '0.0.9', schemaVersion: 51 }, new Date(at.getTime() + 60_000));
      return { id: run.id, name };
    });
    scheduler.start();
    let id = 0;
    await waitFor(
      () => {
        const run = store.backups.list().rows.find((r) => r.trigger === 'schedule' && r.id > old[1]!.id);
        if (!run) return false;
        id = run.id;
        return (run.verifyState === 'ok' || run.verifyState === 'failed' || run.state === 'failed') && !scheduler.busy;
      },
      90_000,
      'scheduled SFTP backup verified',
    );
    const run = store.backups.get(id)!;
    expect(run, JSON.stringify(run)).toMatchObject({ state: 'ok', trigger: 'schedule', verifyState: 'ok', verifyError: null, remote: remoteName, targetDir: sshd.remote });
    const name = run.fileName!;
    // On the server: this archive and its .sha256; the two older ones rotated away.
    expect(remote()).toEqual([name, `${name}.sha256`]);
    for (const o of old) expect(store.backups.get(o.id)!.state).toBe('removed');
    expect(readFileSync(path.join(sshd.remote, `${name}.sha256`), 'utf8')).toBe(`${run.sha256}  ${name}\n`);
    // The copy on the server is a whole backup with the right passphrase.
    const passFile = path.join(t.dir, 'pass');
    writeFileSync(passFile, PASS);
    const verify = execFileSync(process.execPath, [CLI, 'backup', '--data-dir', data, '--verify', path.join(sshd.remote, name), '--passphrase-file', passFile], { encoding: 'utf8' });
    expect(verify).toContain('passphrase correct');
    // Nothing left on the box: the staging copy and the verification copy are gone.
    expect(onBox()).toEqual([]);
    expect(active('backup-failed')).toBeUndefined();
  }, 120_000);

  it('a server presenting another host key: the run fails with a clear error and an alarm, nothing is written', async () => {
    setTarget(sshd.otherHostKey);
    const before = remote();
    const run = store.backups.request('manual', null, clock);
    await waitFor(() => store.backups.get(run.id)!.state === 'failed' && !scheduler.busy, 60_000, 'failed SFTP backup');
    const failed = store.backups.get(run.id)!;
    expect(failed).toMatchObject({ errorCode: 'sftp-host-key-mismatch', fileName: null });
    expect(failed.errorMessage).toMatch(/^the SFTP server 127\.0\.0\.1:\d+ presented host key SHA256:\S+, not the pinned SHA256:\S+: refused, nothing was sent/);
    scheduler.tick();
    expect(active('backup-failed')).toMatchObject({ severity: 'critical', source: 'backup' });
    expect(active('backup-failed')!.message).toContain(`backup ${run.id} failed: the SFTP server 127.0.0.1:${sshd.port} presented host key`);
    expect(remote()).toEqual(before);
    expect(onBox()).toEqual([]);
    // The right key pinned again: the next backup goes through and the alarm clears.
    setTarget(sshd.hostKey);
    const next = store.backups.request('manual', null, clock);
    await waitFor(() => store.backups.get(next.id)!.verifyState === 'ok' && !scheduler.busy, 90_000, 'good SFTP backup');
    scheduler.tick();
    expect(active('backup-failed')).toBeUndefined();
    expect(remote()).toContain(store.backups.get(next.id)!.fileName!);
  }, 180_000);
});
