// What `korobka doctor` reports about recordings, on a real data directory.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../appliance/config/schema';
import { silentLogger } from '../../services/common/logger';
import { buildRecordings, recordingsChecks, spoolDirOf } from '../../services/recordings';
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

async function world() {
  const t = tempDir('recdoc-');
  cleanup = t.cleanup;
  const s = openStore(path.join(t.dir, 'korobka.db'));
  store = s;
  const tenant = s.tenants.create({ name: 'A', sipDomain: 'a.example.ru', isDefault: true }).id;
  const config = configSchema.parse({ dataDir: t.dir, recordings: { format: 'wav' } });
  return { dir: t.dir, s, tenant, config };
}

const byName = (checks: Awaited<ReturnType<typeof recordingsChecks>>, name: string) => checks.find((c) => c.name === name);

describe('recordings doctor checks', () => {
  it('before the first start: the key does not exist yet (a warning), the chain is empty', async () => {
    const w = await world();
    const checks = await recordingsChecks(w.config, w.s);
    expect(byName(checks, 'recordings key')).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('does not exist yet') });
    expect(byName(checks, 'recordings chain')).toEqual({ name: 'recordings chain', verdict: 'ok', detail: '0 entries, hash chain intact, every file hashed' });
    expect(byName(checks, 'recordings alarms')).toEqual({ name: 'recordings alarms', verdict: 'ok', detail: 'none active' });
    expect(byName(checks, 'recordings disk')).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/% used, 0 capture\(s\) waiting$/) });
  });

  it('fails a master key others can read, a missing key with recordings, and a changed file', async () => {
    const w = await world();
    const { service, pipeline } = buildRecordings(w.config, { store: w.s, log: silentLogger });
    writeCapture(spoolDirOf(w.dir), 'c1', { recordingId: 'r1', tenantId: String(w.tenant) });
    await service.sweep();
    const keyFile = path.join(w.dir, 'keys', 'master.key');
    expect(byName(await recordingsChecks(w.config, w.s), 'recordings key')?.verdict).toBe('ok');
    chmodSync(keyFile, 0o644);
    expect(byName(await recordingsChecks(w.config, w.s), 'recordings key')).toMatchObject({ verdict: 'fail', detail: `${keyFile}: mode 644 lets others read the master key`, fix: `chmod 600 ${keyFile}` });
    rmSync(keyFile);
    expect(byName(await recordingsChecks(w.config, w.s), 'recordings key')).toMatchObject({ verdict: 'fail', detail: `${keyFile} is missing: 1 recording(s) cannot be decrypted` });
    const file = path.join(pipeline.recordingsDir, w.s.recordings.findRecording('r1')!.path);
    writeFileSync(file, 'not what was stored');
    const chain = byName(await recordingsChecks(w.config, w.s), 'recordings chain');
    expect(chain).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/^1 finding\(s\): recording r1: file changed \(sha256 [0-9a-f]{64}, chain says [0-9a-f]{64}\)$/) });
  });

  it('over its hash budget checks the older files for presence and size only, and says so', async () => {
    const w = await world();
    const { service, pipeline } = buildRecordings(w.config, { store: w.s, log: silentLogger });
    writeCapture(spoolDirOf(w.dir), 'c1', { recordingId: 'old', tenantId: String(w.tenant) }, { startMs: Date.parse('2026-11-01T10:00:00Z') });
    await service.sweep();
    writeCapture(spoolDirOf(w.dir), 'c2', { recordingId: 'new', tenantId: String(w.tenant) }, { startMs: Date.parse('2026-11-02T10:00:00Z') });
    await service.sweep();
    const size = w.s.recordings.findRecording('new')!.sizeBytes;
    const ok = byName(await recordingsChecks(w.config, w.s, { hashBudgetBytes: size }), 'recordings chain');
    expect(ok).toEqual({ name: 'recordings chain', verdict: 'ok', detail: '2 entries, hash chain intact, 1 of 2 files hashed (newest first), the rest checked for presence and size' });
    const oldFile = path.join(pipeline.recordingsDir, w.s.recordings.findRecording('old')!.path);
    writeFileSync(oldFile, 'cut');
    expect(byName(await recordingsChecks(w.config, w.s, { hashBudgetBytes: size }), 'recordings chain')?.detail).toBe(`1 finding(s): recording old: 3 bytes, index says ${size}`);
  });

  it('reports the active recordings alarms, critical ones as failures', async () => {
    const w = await world();
    w.s.alarms.raise({ code: 'recordings-quota-exceeded', severity: 'warning', tenantId: w.tenant, source: 'recordings', message: 'over quota' });
    expect(byName(await recordingsChecks(w.config, w.s), 'recordings alarms')).toMatchObject({ verdict: 'warn', detail: `recordings-quota-exceeded (tenant ${w.tenant}): over quota` });
    w.s.alarms.raise({ code: 'recordings-disk-full', severity: 'critical', tenantId: null, source: 'recordings', message: 'no space' });
    expect(byName(await recordingsChecks(w.config, w.s), 'recordings alarms')?.verdict).toBe('fail');
  });
});
