// /api/backups over a real api and SQLite file: the schedule refuses bad
// input naming the field and changes nothing, needs a passphrase before it
// is switched on (kept in keys/, mode 0600, never in the audit trail); «run
// now» queues one backup at a time; an archive downloads byte for byte,
// audited; auditors look but neither run nor download.
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupPassphraseFile } from '../../services/common/backup-passphrase';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
let auditor: Client;
let dataDir: string;
const good = { enabled: true, frequency: 'daily', time: '02:30', weekday: 0, keepDaily: 7, keepWeekly: 4 };

beforeAll(async () => {
  h = await startApi();
  dataDir = path.dirname(h.store.db.name);
  root = (await h.as('superadmin', null, 'root')).client;
  auditor = (await h.as('auditor', null, 'aud')).client;
});
afterAll(() => h.close());

describe('backup schedule API', () => {
  it('refuses bad input naming each field and changes nothing', async () => {
    const before = await root.request('GET', '/api/backups/schedule');
    expect(before.body.schedule).toMatchObject({ enabled: false, passphraseSet: false, nextRunAt: null });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...good, frequency: 'hourly' }, 'frequency', 'must be daily or weekly'],
      [{ ...good, time: '25:00' }, 'time', 'must be a time like 02:30'],
      [{ ...good, weekday: 7 }, 'weekday', 'must be 0 (Sunday) to 6'],
      [{ ...good, keepDaily: -1 }, 'keepDaily', 'must be 0–366'],
      [{ ...good, targetDir: 'relative/dir' }, 'targetDir', 'must be an absolute directory path like /mnt/backup'],
      [{ ...good, targetDir: '/mnt/../etc' }, 'targetDir', 'must be an absolute directory path like /mnt/backup'],
      [{ ...good, passphrase: 'short' }, 'passphrase', 'must be at least 8 characters'],
    ];
    for (const [body, field, message] of cases) {
      const r = await root.request('PUT', '/api/backups/schedule', body);
      expect(r.status, field).toBe(400);
      expect(r.body).toMatchObject({ code: 'validation-failed', details: { fields: [{ field, message }] } });
    }
    const file = path.join(dataDir, 'a-file');
    writeFileSync(file, 'x');
    const r = await root.request('PUT', '/api/backups/schedule', { ...good, passphrase: 'long enough pass', targetDir: file });
    expect(r.body).toMatchObject({ code: 'validation-failed', message: 'targetDir: is a file, not a directory' });
    expect((await root.request('GET', '/api/backups/schedule')).body).toEqual(before.body);
    expect(existsSync(backupPassphraseFile(dataDir))).toBe(false);
  });

  it('will not switch the schedule on without a passphrase; with one it keeps it in keys/ and audits without it', async () => {
    const r1 = await root.request('PUT', '/api/backups/schedule', good);
    expect(r1).toMatchObject({ status: 409, body: { code: 'backup-passphrase-missing' } });
    const r2 = await root.request('PUT', '/api/backups/schedule', {
      ...good,
      targetDir: '/srv/korobka-backups/',
      passphrase: 'Зимний вечер 2026',
    });
    expect(r2.status).toBe(200);
    expect(r2.body.schedule).toMatchObject({ ...good, targetDir: '/srv/korobka-backups', passphraseSet: true });
    expect(new Date(r2.body.schedule.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(Date.now() - new Date(r2.body.schedule.since).getTime()).toBeLessThan(60_000);
    const file = backupPassphraseFile(dataDir);
    expect(readFileSync(file, 'utf8')).toBe('Зимний вечер 2026\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const row = h.store.audit.list({ action: 'backup.schedule' }).rows[0]!;
    expect(row).toMatchObject({ outcome: 'ok', details: { passphraseChanged: true, keepDaily: 7 } });
    expect(JSON.stringify(h.store.audit.list({}).rows)).not.toContain('Зимний');
    // Off again, back to the data directory: the passphrase stays for «run now».
    const r3 = await root.request('PUT', '/api/backups/schedule', { ...good, enabled: false, targetDir: '' });
    expect(r3.body.schedule).toMatchObject({
      enabled: false,
      targetDir: null,
      since: null,
      passphraseSet: true,
      defaultTargetDir: path.join(dataDir, 'backups'),
    });
  });
});

describe('backup runs API', () => {
  it('queues one backup at a time, audited; verify waits for an archive', async () => {
    const r1 = await root.request('POST', '/api/backups');
    expect(r1.status).toBe(202);
    expect(r1.body.backup).toMatchObject({ trigger: 'manual', state: 'queued', downloadUrl: null });
    expect(r1.body.backup.runnerPid).toBeUndefined();
    const r2 = await root.request('POST', '/api/backups');
    expect(r2).toMatchObject({ status: 409, body: { code: 'backup-in-progress', details: { id: r1.body.backup.id, state: 'queued' } } });
    expect(h.store.audit.list({ action: 'backup.run' }).rows.map((r) => r.outcome)).toEqual(['failed', 'ok']);
    const v = await root.request('POST', `/api/backups/${r1.body.backup.id}/verify`);
    expect(v).toMatchObject({ status: 409, body: { code: 'backup-not-verifiable' } });
    const list = await auditor.request('GET', '/api/backups');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, backups: [{ id: r1.body.backup.id, state: 'queued' }], lastGoodAt: null });
    expect((await auditor.request('POST', '/api/backups')).status).toBe(403);
    expect((await root.request('GET', '/api/backups/999')).body.code).toBe('backup-not-found');
    expect((await root.request('GET', '/api/backups?limit=0')).body.code).toBe('validation-failed');
    // What the backup job does (appliance/backup/backup-job.ts), so the archive can be downloaded here.
    const id = r1.body.backup.id as number;
    const dir = path.join(dataDir, 'backups');
    mkdirSync(dir, { recursive: true });
    const name = 'korobka-backup-0.1.0-20261207T023000Z.tar';
    const bytes = randomBytes(300_000);
    writeFileSync(path.join(dir, name), bytes);
    h.store.backups.claim(id, process.pid, dir);
    h.store.backups.succeed(id, {
      fileName: name,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      appVersion: '0.1.0',
      schemaVersion: 90,
    });
  });

  it('downloads an archive byte for byte to a superadmin, audited; refuses the auditor and a missing file', async () => {
    const b = (await root.request('GET', '/api/backups')).body.backups[0];
    expect(b).toMatchObject({ state: 'ok', downloadUrl: `/api/backups/${b.id}/download` });
    const d = await root.request('GET', b.downloadUrl);
    expect(d.status).toBe(200);
    expect(d.headers['content-disposition']).toBe(`attachment; filename="${b.fileName}"`);
    expect(d.headers['x-checksum-sha256']).toBe(b.sha256);
    expect(createHash('sha256').update(d.raw).digest('hex')).toBe(b.sha256);
    expect(h.store.audit.list({ action: 'backup.download' }).rows[0]).toMatchObject({
      outcome: 'ok',
      target: `backup:${b.id}`,
      details: { file: b.fileName },
    });
    expect((await auditor.request('GET', b.downloadUrl)).status).toBe(403);
    const v = await root.request('POST', `/api/backups/${b.id}/verify`);
    expect(v).toMatchObject({ status: 202, body: { backup: { verifyState: 'queued' } } });
    rmSync(path.join(dataDir, 'backups', b.fileName));
    const gone = await root.request('GET', b.downloadUrl);
    expect(gone).toMatchObject({ status: 404, body: { code: 'backup-file-missing' } });
    expect(h.store.audit.list({ action: 'backup.download' }).rows[0]).toMatchObject({ outcome: 'failed' });
  });
});
