// /api/backups: the appliance's own backups (appliance/backup/scheduler.ts
// carries them out) — the list with size, progress and verification state,
// «run now», «verify», download of an archive, and the schedule with its
// rotation. Appliance-wide, so superadmins act and auditors look; every
// write and every download is audited.
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { nextSlot, type BackupSchedule } from '../../../../shared/backup-schedule';
import { readBackupPassphrase, writeBackupPassphrase } from '../../../common/backup-passphrase';
import type { BackupRun } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { AppError, conflict, notFound } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { parseInput } from '../../validate';
import { listQuerySchema, scheduleInputSchema } from './schema';
import { sftpFromInput, sftpRoutes, sftpView } from './sftp';

const passphraseMissing = () =>
  conflict('backup-passphrase-missing', 'set a backup passphrase first (schedule form): the box seals the keys in every backup with it');

/** What the api tells about a run: no process ids. */
export function backupView(b: BackupRun) {
  const { runnerPid: _p, ...rest } = b;
  return { ...rest, downloadUrl: b.state === 'ok' && !b.remote ? `/api/backups/${b.id}/download` : null };
}

export function backupRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/backups' });
  const now = () => deps.now?.() ?? new Date();
  const dataDir = deps.config.dataDir;

  const scheduleView = (s: BackupSchedule) => ({
    ...s,
    target: s.target ?? 'local',
    sftp: sftpView(deps.store.backups.sftpTarget()),
    passphraseSet: readBackupPassphrase(dataDir) !== null,
    defaultTargetDir: path.join(dataDir, 'backups'),
    nextRunAt: s.enabled ? nextSlot(s, now()).toISOString() : null,
  });

  const load = (ctx: ApiContext): BackupRun => {
    const id = Number(ctx.params.id);
    const b = Number.isInteger(id) && id > 0 ? deps.store.backups.get(id) : undefined;
    if (!b || b.state === 'removed') throw notFound('backup', ctx.params.id ?? '');
    return b;
  };

  router.get('/', can(deps, 'backups.read'), async (ctx) => {
    const q = parseInput(listQuerySchema, ctx.query);
    const r = deps.store.backups.list(q);
    const last = deps.store.backups.lastGood();
    ctx.body = {
      backups: r.rows.map(backupView),
      total: r.total,
      lastGoodAt: last?.finishedAt ?? null,
      schedule: scheduleView(deps.store.backups.schedule()),
    };
  });

  router.get('/schedule', can(deps, 'backups.read'), async (ctx) => {
    ctx.body = { schedule: scheduleView(deps.store.backups.schedule()) };
  });

  router.put('/schedule', can(deps, 'backups.write'), async (ctx) => {
    const input = parseInput(scheduleInputSchema, ctx.state.body);
    const { passphrase, sftp: sftpInput, ...rest } = input;
    const before = deps.store.backups.schedule();
    const target = rest.target ?? before.target ?? 'local';
    const storedSftp = deps.store.backups.sftpTarget();
    const sftp = sftpInput ? sftpFromInput(deps, sftpInput, storedSftp) : storedSftp;
    if (target === 'sftp' && !sftp) {
      throw new AppError(400, 'validation-failed', 'sftp: the SFTP server is not set', { fields: [{ field: 'sftp', message: 'the SFTP server is not set' }] });
    }
    const hasPassphrase = passphrase !== undefined || readBackupPassphrase(dataDir) !== null;
    if (input.enabled && !hasPassphrase) {
      audit(deps, ctx, { tenantId: null, action: 'backup.schedule', outcome: 'failed', details: { code: 'backup-passphrase-missing' } });
      throw passphraseMissing();
    }
    const targetDir = rest.targetDir ? rest.targetDir.replace(/(.)\/+$/, '$1') : null;
    if (targetDir && existsSync(targetDir) && !statSync(targetDir).isDirectory()) {
      throw new AppError(400, 'validation-failed', 'targetDir: is a file, not a directory', {
        fields: [{ field: 'targetDir', message: 'is a file, not a directory' }],
      });
    }
    // Staleness counts from the moment the schedule (or its rhythm) is switched on, not from before.
    const restart = input.enabled && (!before.enabled || before.frequency !== input.frequency);
    const schedule: BackupSchedule = { ...rest, target, targetDir, since: restart ? now().toISOString() : input.enabled ? before.since : null };
    if (passphrase !== undefined) writeBackupPassphrase(dataDir, passphrase);
    if (sftpInput && sftp) deps.store.backups.setSftpTarget(sftp, now());
    deps.store.backups.setSchedule(schedule, now());
    // The private key never goes in the audit row: whether it changed, and what was pinned.
    const sftpTrail = sftpInput && sftp ? { host: sftp.host, port: sftp.port, username: sftp.username, dir: sftp.dir, hostKeyFingerprint: sftpView(sftp)?.hostKeyFingerprint, privateKeyChanged: sftpInput.privateKey !== undefined } : undefined;
    audit(deps, ctx, {
      tenantId: null,
      action: 'backup.schedule',
      details: { ...rest, target, targetDir, passphraseChanged: passphrase !== undefined, ...(sftpTrail ? { sftp: sftpTrail } : {}) },
    });
    ctx.body = { schedule: scheduleView(schedule) };
  });

  sftpRoutes(deps, router);

  router.post('/', can(deps, 'backups.write'), async (ctx) => {
    const user = actorOf(ctx).user;
    try {
      if (readBackupPassphrase(dataDir) === null) throw passphraseMissing();
      const run = deps.store.backups.request('manual', user.id, now());
      audit(deps, ctx, { tenantId: null, action: 'backup.run', target: `backup:${run.id}` });
      ctx.status = 202;
      ctx.body = { backup: backupView(run) };
    } catch (e) {
      audit(deps, ctx, {
        tenantId: null,
        action: 'backup.run',
        outcome: 'failed',
        details: { code: e instanceof AppError ? e.code : 'error' },
      });
      throw e;
    }
  });

  router.get('/:id', can(deps, 'backups.read'), async (ctx) => {
    ctx.body = { backup: backupView(load(ctx)) };
  });

  router.post('/:id/verify', can(deps, 'backups.write'), async (ctx) => {
    const b = load(ctx);
    const run = deps.store.backups.requestVerify(b.id);
    audit(deps, ctx, { tenantId: null, action: 'backup.verify', target: `backup:${b.id}` });
    ctx.status = 202;
    ctx.body = { backup: backupView(run) };
  });

  router.get('/:id/download', can(deps, 'backups.download'), async (ctx) => {
    const b = load(ctx);
    const trail = { tenantId: null, action: 'backup.download', target: `backup:${b.id}`, details: { file: b.fileName } };
    if (b.remote) {
      audit(deps, ctx, { ...trail, outcome: 'failed' });
      throw conflict('backup-on-sftp-server', `the archive of backup ${b.id} is on ${b.remote}${b.targetDir ?? ''}, not on the box: fetch it from there`);
    }
    const file = b.state === 'ok' && b.fileName && b.targetDir ? path.join(b.targetDir, b.fileName) : null;
    if (!file || !existsSync(file)) {
      audit(deps, ctx, { ...trail, outcome: 'failed' });
      throw file
        ? new AppError(404, 'backup-file-missing', `the archive of backup ${b.id} is no longer in ${b.targetDir}`)
        : conflict('backup-not-downloadable', `backup ${b.id} has no archive (state ${b.state})`);
    }
    audit(deps, ctx, trail);
    ctx.type = 'application/x-tar';
    ctx.length = statSync(file).size;
    ctx.set('Content-Disposition', `attachment; filename="${b.fileName}"`);
    if (b.sha256) ctx.set('X-Checksum-SHA256', b.sha256);
    ctx.body = createReadStream(file);
  });

  return router;
}
