// A really full disk: the recordings directory on a tiny tmpfs (this box runs
// the tests as root, so mount works; the test fails loudly where it cannot).
// Converting a capture hits ENOSPC: the capture is kept, nothing half-written
// stays, the critical alarm is raised and canRecord refuses new recordings;
// once the tmpfs grows, the next sweep stores the recording and clears it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../../appliance/config/schema';
import { silentLogger } from '../../../services/common/logger';
import { buildRecordings, spoolDirOf, type Recordings } from '../../../services/recordings';
import { openStore, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';
import { writeCapture } from '../../recordings/spool-writer';

let t: ReturnType<typeof tempDir>;
let mnt: string;
let store: Store;
let rec: Recordings;
let tenant: number;

beforeAll(() => {
  t = tempDir('diskfull-');
  mnt = path.join(t.dir, 'data');
  mkdirSync(mnt);
  // 160 KiB: room for the keys and a 3 s capture (~70 KB), not for its 96 KB WAV on top
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160k,mode=0700', 'tmpfs', mnt]);
  store = openStore(path.join(t.dir, 'korobka.db')); // the database lives elsewhere: only recordings are full
  tenant = store.tenants.create({ name: 'A', sipDomain: 'a.example.ru', isDefault: true }).id;
  rec = buildRecordings(configSchema.parse({ dataDir: mnt, recordings: { format: 'wav' } }), { store, log: silentLogger });
});
afterAll(() => {
  store?.close();
  if (mnt && existsSync(mnt)) execFileSync('umount', [mnt]);
  t?.cleanup();
});

describe('recordings on a full disk', () => {
  it('keeps the capture, raises the alarm, refuses new recordings, and recovers when space returns', async () => {
    const spool = spoolDirOf(mnt);
    const c = writeCapture(spool, 'full-1', { recordingId: 'full-1', tenantId: String(tenant) }, { seconds: 3 });
    expect(rec.service.canRecord(tenant)).toEqual({ ok: true });

    const r = await rec.service.sweep();
    expect(r.stored).toBe(0);
    expect(r.failed).toEqual([{ pcapPath: c.pcapPath, code: 'recording-disk-full', message: expect.stringContaining('the capture is kept for a later attempt') }]);
    expect(existsSync(c.pcapPath) && existsSync(c.metadataPath)).toBe(true);
    expect(readdirSync(path.join(mnt, 'recordings', '.work'))).toEqual([]); // nothing half-written left
    expect(store.recordings.findRecording('full-1')).toBeUndefined();
    expect([...store.recordings.chainEntries()]).toEqual([]);
    expect(rec.service.canRecord(tenant)).toEqual({ ok: false, reason: 'disk-full' });
    const alarm = store.alarms.list({ active: true }).rows.find((a) => a.code === 'recordings-disk-full');
    expect(alarm).toMatchObject({ severity: 'critical', message: 'new recordings are refused: a recording could not be written (no space left); calls go on unrecorded' });
    expect(rec.service.health()).toMatchObject({ ok: true, queue: 1 });

    // a second sweep on the still-full disk changes nothing and loses nothing
    expect((await rec.service.sweep()).failed.map((f) => f.code)).toEqual(['recording-disk-full']);
    expect(existsSync(c.pcapPath)).toBe(true);

    execFileSync('mount', ['-o', 'remount,size=4m', mnt]);
    const again = await rec.service.sweep();
    expect(again.failed).toEqual([]);
    expect(again.stored).toBe(1);
    expect(store.recordings.findRecording('full-1')).toMatchObject({ durationMs: expect.any(Number), codec: 'pcm-s16le' });
    expect(existsSync(c.pcapPath)).toBe(false);
    expect(rec.service.canRecord(tenant)).toEqual({ ok: true });
    expect(store.alarms.list({ active: true }).rows).toEqual([]);
  }, 60_000);

  it('reports ffmpeg running out of space while encoding Opus as disk-full too, capture kept', async () => {
    const opus = buildRecordings(configSchema.parse({ dataDir: mnt, recordings: { format: 'opus' } }), { store, log: silentLogger });
    const spool = spoolDirOf(mnt);
    execFileSync('mount', ['-o', 'remount,size=8m', mnt]); // room for the capture itself
    const c = writeCapture(spool, 'full-2', { recordingId: 'full-2', tenantId: String(tenant) }, { seconds: 30 });
    // shrink the tmpfs to what it holds now plus 8 KiB: too little for 30 s of Opus
    const used = statfsSync(mnt);
    const usedKiB = Math.ceil(((used.blocks - used.bfree) * used.bsize) / 1024);
    execFileSync('mount', ['-o', `remount,size=${usedKiB + 8}k`, mnt]);
    const r = await opus.service.sweep();
    expect(r.failed.map((f) => f.code)).toEqual(['recording-disk-full']);
    expect(existsSync(c.pcapPath)).toBe(true);
    expect(opus.service.canRecord(tenant)).toEqual({ ok: false, reason: 'disk-full' });
    execFileSync('mount', ['-o', 'remount,size=8m', mnt]);
    expect((await opus.service.sweep()).stored).toBe(1);
    expect(store.recordings.findRecording('full-2')).toMatchObject({ codec: 'opus' });
    expect(opus.service.canRecord(tenant)).toEqual({ ok: true });
  }, 60_000);
});
