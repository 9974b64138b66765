// The recordings service over a real data directory and SQLite file: sweeps
// convert the spool, retention removes exactly the expired unheld recordings
// (chain entries, audit rows, files), quotas and the disk gate new recordings.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../appliance/config/schema';
import { silentLogger } from '../../services/common/logger';
import { canRecord, type DiskUsage } from '../../services/recordings/recording-gate';
import { spoolDirOf } from '../../services/recordings/spool';
import { buildRecordings } from '../../services/recordings/start';
import { openStore, type Store } from '../../services/store';
import { tempDir } from '../helpers/tmp';
import { writeCapture } from './spool-writer';

let store: Store | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  store?.close();
  cleanup?.();
  store = undefined;
});

function world(opts: { now?: Date; disk?: { current: DiskUsage }; settings?: Record<string, unknown> } = {}) {
  const t = tempDir('recsvc-');
  cleanup = t.cleanup;
  const s = openStore(path.join(t.dir, 'korobka.db'));
  store = s;
  const a = s.tenants.create({ name: 'A', sipDomain: 'a.example.ru', isDefault: true }).id;
  const b = s.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  const config = configSchema.parse({ dataDir: t.dir, recordings: { format: 'wav', purgeHour: 0, ...opts.settings } });
  const clock = { now: opts.now ?? new Date('2026-11-22T12:00:00Z') };
  const disk = opts.disk;
  const { service, pipeline } = buildRecordings(config, { store: s, log: silentLogger, now: () => clock.now, ...(disk ? { diskUsage: () => disk.current } : {}) });
  return { dir: t.dir, s, a, b, service, pipeline, clock, spool: spoolDirOf(t.dir) };
}

const day = (d: string) => Date.parse(`${d}T10:00:00Z`);

describe('recordings service', () => {
  it('converts the spool into the SQLite index and reports it in health', async () => {
    const w = world();
    writeCapture(w.spool, 'c1', { recordingId: 'r1', tenantId: String(w.a), caller: '201', callee: '+74951234567' });
    writeCapture(w.spool, 'c2', { recordingId: 'r2' }); // no tenant: the default one
    const r = await w.service.sweep();
    expect(r.failed).toEqual([]);
    expect(r.stored).toBe(2);
    expect(w.s.recordings.findRecording('r1')).toMatchObject({ tenantId: String(w.a), caller: '201' });
    expect(w.s.recordings.findRecording('r2')).toMatchObject({ tenantId: String(w.a) });
    expect(w.service.health()).toMatchObject({ ok: true, queue: 0, stored: 2, lastRun: '2026-11-22T12:00:00.000Z', alarms: [] });
  });

  it('keeps a capture it cannot convert encrypted in quarantine, raises an alarm, retries with backoff and clears it once stored', async () => {
    const w = world({ settings: { quarantineRetryMs: 60_000 } });
    const c = w.s.tenants.create({ name: 'C', sipDomain: 'c.example.ru' }).id;
    const bad = writeCapture(w.spool, 'c1', { recordingId: 'r1', tenantId: String(c + 1) }); // a tenant that does not exist yet
    const plain = readFileSync(bad.pcapPath);
    const r = await w.service.sweep();
    // The index refuses a row for an unknown tenant (a foreign key, not one of our codes).
    expect(r.failed).toEqual([expect.objectContaining({ code: 'recording-conversion-failed', message: expect.stringContaining('FOREIGN KEY') })]);
    expect(r.quarantined).toEqual([expect.objectContaining({ code: 'recording-conversion-failed', attempts: 1, nextAttemptAt: '2026-11-22T12:01:00.000Z' })]);
    expect(existsSync(bad.pcapPath)).toBe(false);
    expect(existsSync(bad.metadataPath)).toBe(false);
    // No byte of the capture's audio in plain anywhere under the data directory.
    const audio = plain.subarray(plain.length - 160);
    for (const f of readdirSync(w.dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())) {
      expect(readFileSync(path.join(f.parentPath, f.name)).includes(audio), f.name).toBe(false);
    }
    expect(w.service.health()).toMatchObject({ queue: 0, alarms: [{ code: 'recordings-conversion-failed', severity: 'warning' }] });
    // Not retried before its time; then retried, failing again: the delay doubles.
    w.clock.now = new Date('2026-11-22T12:00:30Z');
    expect((await w.service.sweep()).quarantined[0]).toMatchObject({ attempts: 1 });
    w.clock.now = new Date('2026-11-22T12:01:00Z');
    expect((await w.service.sweep()).quarantined[0]).toMatchObject({ attempts: 2, nextAttemptAt: '2026-11-22T12:03:00.000Z' });
    // The cause goes away (the tenant now exists): the next attempt stores it and the alarm clears.
    expect(w.s.tenants.create({ name: 'D', sipDomain: 'd.example.ru' }).id).toBe(c + 1);
    w.clock.now = new Date('2026-11-22T12:03:00Z');
    const last = await w.service.sweep();
    expect(last).toMatchObject({ stored: 1, quarantined: [] });
    expect(w.s.recordings.findRecording('r1')).toMatchObject({ tenantId: String(c + 1) });
    expect(w.service.health().alarms).toEqual([]);
    expect(readdirSync(path.join(w.pipeline.recordingsDir, 'quarantine'))).toEqual([]);
  });

  it('retention deletes exactly the expired, unheld recordings, with chain entries and audit rows', async () => {
    const w = world({ now: new Date('2026-12-01T12:00:00Z') });
    w.s.recordings.setTenantSettings(w.a, { retentionDays: 30, quotaBytes: null });
    writeCapture(w.spool, 'c1', { recordingId: 'a-old', tenantId: String(w.a) }, { startMs: day('2026-10-01') });
    writeCapture(w.spool, 'c2', { recordingId: 'a-held', tenantId: String(w.a) }, { startMs: day('2026-10-02') });
    writeCapture(w.spool, 'c3', { recordingId: 'a-fresh', tenantId: String(w.a) }, { startMs: day('2026-11-20') });
    writeCapture(w.spool, 'c4', { recordingId: 'b-mid', tenantId: String(w.b) }, { startMs: day('2026-10-01') }); // default 365 days
    writeCapture(w.spool, 'c5', { recordingId: 'b-ancient', tenantId: String(w.b) }, { startMs: day('2025-12-01') });
    w.clock.now = new Date('2026-11-30T23:00:00Z');
    w.s.recordings.setTenantSettings(w.a, { retentionDays: 3650, quotaBytes: null }); // nothing expires during the first sweep
    await w.service.sweep();
    expect(w.s.recordings.list({}).total).toBe(5);
    w.s.recordings.setTenantSettings(w.a, { retentionDays: 30, quotaBytes: null });
    w.s.recordings.setLegalHold('a-held', true);
    const files = Object.fromEntries(['a-old', 'a-held', 'a-fresh', 'b-mid', 'b-ancient'].map((id) => [id, path.join(w.pipeline.recordingsDir, w.s.recordings.findRecording(id)!.path)]));
    w.clock.now = new Date('2026-12-01T12:00:00Z');
    const removed = await w.service.purge();
    expect(removed.sort()).toEqual(['a-old', 'b-ancient']);
    expect(w.s.recordings.list({}).rows.map((r) => r.recordingId).sort()).toEqual(['a-fresh', 'a-held', 'b-mid']);
    for (const [id, file] of Object.entries(files)) expect(existsSync(file), id).toBe(!removed.includes(id));
    const chain = [...w.s.recordings.chainEntries()];
    expect(chain.filter((e) => e.fileSha256 === null).map((e) => e.recordingId).sort()).toEqual(['a-old', 'b-ancient']);
    const audit = w.s.audit.list({ action: 'recording.deleted' }).rows;
    expect(audit.map((r) => r.target).sort()).toEqual(['a-old', 'b-ancient']);
    expect(audit[0]).toMatchObject({ actor: 'recordings-service', details: { reason: 'retention' } });
    // the chain and every remaining file verify: deliberate removals are not findings
    const { verifyChain, chainKeyFrom } = await import('../../services/recordings/hash-chain');
    const { loadMasterKey } = await import('../../services/common/keys');
    const chainKey = chainKeyFrom(loadMasterKey({ dataDir: w.dir }).key);
    const { createReadStream } = await import('node:fs');
    const findings = await verifyChain(w.s.recordings.chainEntries(), async (e) => {
      const rec = w.s.recordings.findRecording(e.recordingId);
      return rec ? createReadStream(path.join(w.pipeline.recordingsDir, rec.path)) : null;
    }, chainKey);
    expect(findings).toEqual([]);
    // keyed links: the removals retention wrote cannot be recomputed without the master key
    expect([...w.s.recordings.chainEntries()].every((e) => e.hash.startsWith('k1:'))).toBe(true);
    expect(await w.service.purge()).toEqual([]);
    // a crash between the index transaction and the unlink leaves the file: the next purge removes it,
    // and leaves alone a file the chain knows nothing of
    const { copyFileSync } = await import('node:fs');
    copyFileSync(files['a-fresh']!, files['a-old']!);
    const stranger = path.join(path.dirname(files['a-fresh']!), 'stranger.krec');
    copyFileSync(files['a-fresh']!, stranger);
    await w.service.purge();
    expect(existsSync(files['a-old']!)).toBe(false);
    expect(existsSync(stranger)).toBe(true);
    expect(existsSync(files['a-fresh']!)).toBe(true);
  });

  it('converts an orphan of a dead rtpengine once idle, unless rtpengine still knows the call', async () => {
    const live = new Set(['live-call']);
    const t = world({ settings: { orphanIdleMs: 60_000 } });
    const { writeFileSync, mkdirSync, renameSync } = await import('node:fs');
    for (const call of ['dead-call', 'live-call']) {
      const c = writeCapture(t.spool, `${call}-0123456789abcdef`, { recordingId: `rec-${call}`, tenantId: String(t.a) });
      // rtpengine died mid-call: the metadata never left tmp/ and lacks the metadata string
      mkdirSync(path.join(t.spool, 'tmp'), { recursive: true });
      renameSync(c.metadataPath, path.join(t.spool, 'tmp', `rtpengine-meta-${call}-0123456789abcdef.tmp`));
      writeFileSync(path.join(t.spool, 'tmp', `rtpengine-meta-${call}-0123456789abcdef.tmp`), `${c.pcapPath}\n\n`);
    }
    t.clock.now = new Date(Date.now() + 10_000); // not idle yet
    expect((await t.service.sweep()).stored).toBe(0);
    const svc = buildRecordings(configSchema.parse({ dataDir: t.dir, recordings: { format: 'wav', orphanIdleMs: 60_000 } }), {
      store: t.s,
      log: silentLogger,
      now: () => new Date(Date.now() + 3_600_000),
      isCallLive: async (callId) => live.has(callId),
    }).service;
    const r = await svc.sweep();
    expect(r.failed).toEqual([]);
    expect(r.stored).toBe(1);
    // the orphan has no metadata string: the default tenant and an id from its file name
    expect(t.s.recordings.list({}).rows[0]).toMatchObject({ tenantId: String(t.a), recordingId: expect.stringMatching(/^r-[0-9a-f]{24}$/) });
    expect(existsSync(path.join(t.spool, 'tmp', 'rtpengine-meta-live-call-0123456789abcdef.tmp'))).toBe(true);
  });

  it('a quota of a few bytes refuses the tenant\'s new recordings with an alarm; others record', async () => {
    const w = world();
    w.s.recordings.setTenantSettings(w.a, { retentionDays: null, quotaBytes: 10 });
    expect(canRecord({ enabled: true, alarms: w.s.alarms }, w.a)).toEqual({ ok: true });
    writeCapture(w.spool, 'c1', { recordingId: 'r1', tenantId: String(w.a) });
    await w.service.sweep();
    // the recording already captured is stored (never dropped); the next one is refused
    expect(w.s.recordings.findRecording('r1')).toBeDefined();
    expect(w.service.canRecord(w.a)).toEqual({ ok: false, reason: 'quota-exceeded' });
    expect(w.service.canRecord(w.b)).toEqual({ ok: true });
    const alarm = w.s.alarms.list({ active: true, tenantId: w.a }).rows[0];
    expect(alarm).toMatchObject({ code: 'recordings-quota-exceeded', tenantId: w.a, severity: 'warning' });
    expect(alarm?.message).toMatch(/^recordings use \d+ of the tenant's 10 bytes; new recordings are refused$/);
    w.s.recordings.setTenantSettings(w.a, { retentionDays: null, quotaBytes: 1e9 });
    await w.service.sweep();
    expect(w.service.canRecord(w.a)).toEqual({ ok: true });
    expect(w.s.alarms.list({ tenantId: w.a }).rows[0]?.clearedAt).not.toBeNull();
  });

  it('warns at diskAlarmPercent and refuses new recordings at diskStopPercent, until there is room again', async () => {
    const disk = { current: { totalBytes: 100, freeBytes: 50, usedPercent: 50 } };
    const w = world({ disk });
    await w.service.sweep();
    expect(w.service.health().alarms).toEqual([]);
    disk.current = { totalBytes: 100, freeBytes: 15, usedPercent: 85 };
    await w.service.sweep();
    expect(w.service.health().alarms).toEqual([{ code: 'recordings-disk-high', severity: 'warning', tenantId: null }]);
    expect(w.service.canRecord(w.a)).toEqual({ ok: true });
    disk.current = { totalBytes: 100, freeBytes: 3, usedPercent: 97 };
    await w.service.sweep();
    expect(w.service.canRecord(w.a)).toEqual({ ok: false, reason: 'disk-full' });
    expect(w.s.alarms.list({ active: true }).rows.find((a) => a.code === 'recordings-disk-full')?.message).toBe(
      'new recordings are refused: disk 97% used (stop at 95%); calls go on unrecorded',
    );
    disk.current = { totalBytes: 100, freeBytes: 40, usedPercent: 60 };
    await w.service.sweep();
    expect(w.service.canRecord(w.a)).toEqual({ ok: true });
    expect(w.service.health().alarms).toEqual([]);
  });

  it('refuses every recording when recordings are disabled', () => {
    const w = world({ settings: { enabled: false } });
    expect(w.service.canRecord(w.a)).toEqual({ ok: false, reason: 'disabled' });
  });
});
