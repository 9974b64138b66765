// Issue 18, done when: a backup taken while 50 calls are up (sipp through the
// whole appliance) and CDRs are being written drops no call, verifies, and
// restored on a second data directory gives the same call history, the same
// recordings (SHA-256), users and settings; a damaged archive is refused; a
// full target disk and a backup killed with SIGKILL leave a clear error and
// nothing changed.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { openKeyring, Vault } from '../../../services/recordings';
import { openStore } from '../../helpers/pd-open-store';
import { randomPortRange } from '../../helpers/ports';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, waitFor, type Pbx } from '../call-control/pbx';
import { CLI } from './appliance';

const CALLS = 50;
/** Short recorded calls during the backup. */
const CHURN = 16;
const PASS = 'a long backup passphrase for the bank';
let pbx: Pbx;
let work: { dir: string; cleanup: () => void };
let vendor: { dir: string; cleanup: () => void };
let passFile: string;
let archive: string;

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 500 }).filter((c) => c.callee.dialled === ext);
const archives = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => /^korobka-backup-.*\.tar$/.test(n)) : []);

beforeAll(async () => {
  work = tempDir('korobka-backup-it-');
  vendor = tempDir('korobka-backup-vendor-');
  passFile = path.join(work.dir, 'passphrase');
  writeFileSync(passFile, PASS + '\n', { mode: 0o600 });
  const publicKey = await vendorKey(vendor.dir);
  // Profile M: 64 concurrent calls, room for the 50; each call takes 4 media ports (two legs, RTP and RTCP).
  const media = randomPortRange(4 * CALLS + 100);
  pbx = await startPbx('backup', ['301', '302', '303', '304'], { license: { developmentKeyFiles: [publicKey] }, recordings: { sweepIntervalMs: 300 }, rtpengine: { portMin: media.min, portMax: media.max } }, (app) => installTestLicence(app, vendor.dir, 'M'));
}, 180_000);

afterAll(async () => {
  await pbx?.close();
  vendor?.cleanup();
  work?.cleanup();
});

describe('korobka backup and restore with calls up (issue 18)', () => {
  it(`backs up while ${CALLS} calls are up and recorded calls end: none dropped, the archive verifies, a second data directory restored from it holds the same data`, async () => {
    // Recorded calls go from 303 only (extension policy): the 50 held calls are not converted afterwards.
    pbx.store.recordings.replacePolicies(tenantId(), [
      { scope: 'tenant', target: '', mode: 'never' },
      { scope: 'extension', target: '303', mode: 'always' },
    ]);
    // Two recorded calls first: finished CDRs and recordings the backup must carry exactly.
    const rcallee = await startCallee(uasScenario('answer-play'), 2);
    await registerPhone(pbx, '304', rcallee.port);
    const rcaller = await startCaller(pbx, uacScenario('bk-rec', { answer: true, play: true }), '303', '304', { calls: 2, holdMs: 2000 });
    expect(await rcaller.exited).toBe(0);
    expect(await rcallee.exited).toBe(0);
    await waitFor(() => pbx.store.recordings.list({ limit: 10 }).rows.length === 2, 60_000, 'two recordings stored');
    pbx.store.settings.set('backup.test.marker', { ok: 'да' });
    // Incompressible data as encrypted recordings are, so the archive takes a few seconds to write and the churn below overlaps it.
    writeFileSync(path.join(pbx.app.dataDir, 'recordings', 'filler-for-overlap.bin'), randomBytes(48 * 1024 * 1024));

    const callee = await startCallee(uasScenario('answer'), CALLS);
    await registerPhone(pbx, '302', callee.port);
    const caller = await startCaller(pbx, uacScenario('bk-held', { answer: true }), '301', '302', { calls: CALLS, limit: CALLS, rate: 10, holdMs: 40_000 });
    await waitFor(async () => (await pbx.health()).activeCalls === CALLS, 60_000, `${CALLS} calls up`);
    // Recorded calls that start and end all through the backup: CDRs written and recordings converted meanwhile.
    const churnCallee = await startCallee(uasScenario('answer-play'), CHURN);
    await registerPhone(pbx, '304', churnCallee.port);
    const churn = await startCaller(pbx, uacScenario('bk-churn', { answer: true, play: true }), '303', '304', { calls: CHURN, limit: 4, rate: 2, holdMs: 1000 });
    await waitFor(() => cdrsTo('304').filter((c) => c.status === 'completed').length >= 4, 60_000, 'the first churn calls ended');

    const endedBefore = cdrsTo('304').filter((c) => c.status === 'completed').length;
    const r = await pbx.app.korobka('backup', '--passphrase-file', passFile);
    const endedDuring = cdrsTo('304').filter((c) => c.status === 'completed').length - endedBefore;
    expect(r.stderr).toMatch(/backup: 100%/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backup written: .*korobka-backup-\d+\.\d+\.\d+-\d{8}T\d{6}Z\.tar$/m);
    archive = /^backup written: (.*)$/m.exec(r.stdout)![1]!;
    // Still all up right after: the online copy held no lock the calls needed.
    expect((await pbx.health()).activeCalls).toBeGreaterThanOrEqual(CALLS);
    // CDRs were written while the backup ran (else this test would not show the backup beside a writer).
    expect(endedDuring, 'recorded calls that ended while the backup ran').toBeGreaterThan(0);

    expect(await churn.exited).toBe(0);
    expect(await churnCallee.exited).toBe(0);
    expect(await caller.exited).toBe(0); // sipp: every call answered and hung up normally, none failed
    expect(await callee.exited).toBe(0);
    await waitFor(() => cdrsTo('302').filter((c) => c.status === 'completed').length === CALLS, 20_000, 'every CDR completed');
    expect(cdrsTo('302').every((c) => c.disposition === 'answered')).toBe(true);
    await waitFor(() => cdrsTo('304').filter((c) => c.status === 'completed').length === CHURN + 2, 20_000, 'every recorded call completed');
    expect(cdrsTo('304').every((c) => c.disposition === 'answered')).toBe(true);

    const v = await pbx.app.korobka('backup', '--verify', archive, '--passphrase-file', passFile);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK .*\n.*\n .*files checked \(SHA-256\).*matches its \.sha256\n {3}passphrase correct/m);

    const second = path.join(work.dir, 'second');
    const restored = execFileSync(process.execPath, [CLI, 'restore', archive, '--passphrase-file', passFile, '--data-dir', second], { encoding: 'utf8', timeout: 120_000 });
    expect(restored).toMatch(/\[verify\]\n(.|\n)*\[switch\]\n(.|\n)*restored korobka-backup-/);
    expect(restored).toMatch(/OK {3}audit log/);
    const copy = openStore(path.join(second, 'korobka.db'));
    try {
      const t = tenantId();
      const rows = (s: Pbx['store']) => s.cdrs.list({ tenantId: t, limit: 500 });
      const now = new Map(rows(pbx.store).map((c) => [c.callId, c]));
      // The call history as it was at the copy: every row in it is on the box, and every call that had ended is identical.
      const history = rows(copy);
      expect(history.length).toBeGreaterThanOrEqual(CALLS + endedBefore);
      for (const c of history) {
        expect(now.has(c.callId), `CDR ${c.callId} of the copy is on the box`).toBe(true);
        if (c.status === 'completed') expect(c).toEqual(now.get(c.callId));
      }
      const recordedEnded = history.filter((c) => c.callee.dialled === '304' && c.status === 'completed');
      expect(recordedEnded.length).toBeGreaterThanOrEqual(endedBefore);
      // The 50 calls were answered when the copy was taken: their rows are in it, not yet ended.
      const held = history.filter((c) => c.callee.dialled === '302');
      expect(held).toHaveLength(CALLS);
      expect(held.every((c) => c.disposition === 'answered' || c.status !== 'completed')).toBe(true);
      expect(copy.users.list()).toEqual(pbx.store.users.list());
      expect(copy.extensions.list(t).map((e) => e.extension)).toEqual(pbx.store.extensions.list(t).map((e) => e.extension));
      expect(copy.settings.get('backup.test.marker')).toEqual({ ok: 'да' });
      expect(copy.recordings.policies(t)).toEqual(pbx.store.recordings.policies(t));
      // Recordings that play: each one the copy's index names decrypts with the restored keys to the same audio as on the box.
      const recs = copy.recordings.list({ limit: 100 }).rows;
      expect(recs.length).toBeGreaterThanOrEqual(2);
      const box = new Map(pbx.store.recordings.list({ limit: 100 }).rows.map((x) => [x.recordingId, x]));
      const vaultHere = new Vault(openKeyring({ dataDir: pbx.app.dataDir }));
      const vaultThere = new Vault(openKeyring({ dataDir: second }));
      for (const rec of recs) {
        expect(rec).toEqual(box.get(rec.recordingId));
        const there = path.join(second, 'recordings', rec.path);
        expect(sha(there)).toBe(rec.sha256);
        expect(sha(there)).toBe(sha(path.join(pbx.app.dataDir, 'recordings', rec.path)));
        expect(await vaultThere.plainSha256(there)).toBe(await vaultHere.plainSha256(path.join(pbx.app.dataDir, 'recordings', rec.path)));
        const head = await vaultThere.decryptRange(there, 0, 64);
        expect(head.subarray(0, 4).toString('latin1')).toBe(rec.mediaType === 'audio/wav' ? 'RIFF' : 'OggS');
        expect(await vaultThere.plainLength(there)).toBe(rec.plainBytes);
      }
      expect(sha(path.join(second, 'keys', 'master.key'))).toBe(sha(path.join(pbx.app.dataDir, 'keys', 'master.key')));
      expect(copy.audit.verify().ok).toBe(true);
    } finally {
      copy.close();
    }
  }, 300_000);

  it('refuses a damaged archive, naming it, and changes nothing', async () => {
    const bad = path.join(work.dir, 'damaged.tar');
    const bytes = readFileSync(archive);
    const spot = Math.floor(bytes.length / 3);
    bytes[spot] = bytes[spot]! ^ 0x01;
    writeFileSync(bad, bytes);
    const target = path.join(work.dir, 'third');
    mkdirSync(target);
    writeFileSync(path.join(target, 'marker'), 'untouched');
    const r = await pbx.app.korobka('restore', bad, '--passphrase-file', passFile, '--set', `dataDir=${target}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/korobka restore: damaged\.tar is damaged: .*; nothing was changed \[archive-damaged\]/);
    expect(readdirSync(target)).toEqual(['marker']);
    const wrong = path.join(work.dir, 'wrong');
    writeFileSync(wrong, 'not the passphrase\n');
    const w = await pbx.app.korobka('backup', '--verify', archive, '--passphrase-file', wrong);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/the backup passphrase is wrong .*\[passphrase-wrong\]/);
  }, 120_000);

  it('a full target disk: a clear error and nothing written', async () => {
    const mnt = path.join(work.dir, 'tiny');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      const r = await pbx.app.korobka('backup', '--passphrase-file', passFile, '--target', mnt);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/korobka backup: not enough space in .*tiny: the backup needs about [\d.]+ MB, [\d.]+ MB free; nothing was written \[target-disk-full\]/);
      expect(readdirSync(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  }, 60_000);

  it('a backup killed with SIGKILL leaves no archive and the box unchanged; the next backup clears its leftovers', async () => {
    const backups = path.join(pbx.app.dataDir, 'backups');
    const before = archives(backups);
    // A large (sparse) file keeps the backup busy long enough to be killed in the middle.
    const big = path.join(pbx.app.dataDir, 'recordings', 'large-for-kill-test.bin');
    writeFileSync(big, '');
    truncateSync(big, 1024 * 1024 * 1024);
    try {
      const p = startProcess(process.execPath, [CLI, 'backup', '--passphrase-file', passFile, '--data-dir', pbx.app.dataDir], { logFile: path.join(testOutputDir('appliance'), 'backup-kill.log'), timeoutMs: 120_000 });
      await waitFor(() => /backup: \d+% .*files/.test(p.output()), 60_000, 'the backup writing files');
      process.kill(p.pid, 'SIGKILL');
      await p.exited;
      expect(archives(backups)).toEqual(before);
      expect(readdirSync(backups).some((n) => n.startsWith('.korobka-backup-'))).toBe(true); // its work files, not an archive
    } finally {
      rmSync(big);
    }
    expect((await pbx.app.korobka('doctor')).stdout).toMatch(/OK {3}database/);
    const again = await pbx.app.korobka('backup', '--passphrase-file', passFile);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(backups).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(archives(backups)).toHaveLength(before.length + 1);
  }, 180_000);

  it('restores over the running box: stops it, keeps what it replaces, starts it again', async () => {
    const t = tenantId();
    pbx.store.settings.set('after.backup', true);
    pbx.store.extensions.create({ tenantId: t, extension: '305', ha1: computeHa1Set('305', pbx.domain, 'pw-305') });
    const r = await pbx.app.korobka('restore', archive, '--passphrase-file', passFile);
    try {
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/\[stop\]\n(.|\n)*what it replaced is kept in .*backups\/before-restore-\d{8}T\d{6}Z/);
      expect(r.stdout).toMatch(/Korobka is running \(pid \d+\)/);
      expect(await pbx.app.supervisor!.exited).toBe(0); // the supervisor the test started was stopped by the restore
      await waitFor(async () => (await pbx.app.get('/api/health').catch(() => ({ status: 0 }))).status === 200, 60_000, 'the restored appliance healthy');
      const kept = readdirSync(path.join(pbx.app.dataDir, 'backups')).filter((n) => n.startsWith('before-restore-'));
      expect(kept).toHaveLength(1);
      const replaced = openStore(path.join(pbx.app.dataDir, 'backups', kept[0]!, 'korobka.db'), { migrate: false, readonly: true });
      const now = openStore(path.join(pbx.app.dataDir, 'korobka.db'));
      try {
        expect(replaced.settings.get('after.backup')).toBe(true);
        expect(now.settings.get('after.backup')).toBeUndefined();
        expect(now.settings.get('backup.test.marker')).toEqual({ ok: 'да' });
        expect(now.extensions.list(t).map((e) => e.extension)).not.toContain('305');
      } finally {
        replaced.close();
        now.close();
      }
    } finally {
      await pbx.app.korobka('stop');
    }
  }, 240_000);
});
