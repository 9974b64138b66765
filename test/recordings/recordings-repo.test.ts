// RecordingsRepo on a real SQLite file: the RecordingRepository contract the
// pipeline relies on (record + chain entry together, chain-head-moved), the
// listing the API uses, legal hold and retention removals; and the pipeline
// itself storing into it.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { encodeRecordingMetadata } from '../../services/recordings/capture-metadata';
import { nextEntry, verifyChain } from '../../services/recordings/hash-chain';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import type { RecordingIndexRecord } from '../../services/recordings/recording-index';
import { Vault } from '../../services/recordings/vault';
import { openStore, type Store } from '../../services/store';
import { tempDir } from '../helpers/tmp';
import { callPackets, CALLEE, CALLER } from './call-builder';
import { buildPcap } from './pcap-builder';

let store: Store | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  store?.close();
  cleanup?.();
  store = undefined;
});

function open() {
  const t = tempDir('recrepo-');
  cleanup = t.cleanup;
  store = openStore(path.join(t.dir, 'korobka.db'));
  const a = store.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id;
  const b = store.tenants.create({ name: 'B', sipDomain: 'b.example.ru' }).id;
  return { s: store, dir: t.dir, a, b };
}

function record(id: string, tenantId: number, over: Partial<RecordingIndexRecord> = {}): RecordingIndexRecord {
  return {
    recordingId: id,
    cdrId: null,
    tenantId: String(tenantId),
    caller: '+74951234567',
    callee: '204',
    startedAt: '2026-11-01T10:00:00.000Z',
    durationMs: 1000,
    sizeBytes: 100,
    plainBytes: 80,
    codec: 'opus',
    mediaType: 'audio/ogg',
    keyId: 'tk-1',
    sha256: 'b'.repeat(64),
    legalHold: false,
    path: `vault/${tenantId}/2026/11/${id}.krec`,
    channelSource: 'metadata',
    createdAt: '2026-11-01T10:00:05.000Z',
    ...over,
  };
}

describe('RecordingsRepo', () => {
  it('saves the record and its chain entry together, and reads them back', () => {
    const { s, a } = open();
    const r = record('r1', a, { pausedSpans: [{ startMs: 200, endMs: 700 }] });
    const e = nextEntry(s.recordings.chainHead(), 'r1', r.sha256, new Date('2026-11-01T10:00:06Z'));
    s.recordings.saveRecording(r, e);
    expect(s.recordings.findRecording('r1')).toEqual(r);
    expect(s.recordings.chainHead()).toEqual(e);
    expect([...s.recordings.chainEntries()]).toEqual([e]);
    expect(s.recordings.recordingKeys(String(a))).toEqual([{ recordingId: 'r1', keyId: 'tk-1' }]);
  });

  it('refuses an entry that does not extend the head (chain-head-moved) and writes neither row', () => {
    const { s, a } = open();
    const stale = s.recordings.chainHead();
    s.recordings.saveRecording(record('r1', a), nextEntry(stale, 'r1', 'b'.repeat(64), new Date()));
    const r2 = record('r2', a, { path: 'vault/x/r2.krec' });
    expect(() => s.recordings.saveRecording(r2, nextEntry(stale, 'r2', r2.sha256, new Date()))).toThrow(expect.objectContaining({ code: 'chain-head-moved', status: 409 }));
    expect(s.recordings.findRecording('r2')).toBeUndefined();
    expect([...s.recordings.chainEntries()]).toHaveLength(1);
  });

  it('rolls the chain entry back when the record cannot be written', () => {
    const { s, a } = open();
    s.recordings.saveRecording(record('r1', a), nextEntry(undefined, 'r1', 'b'.repeat(64), new Date()));
    // same path: UNIQUE fails after the chain entry was inserted
    const dup = record('r2', a, { path: record('r1', a).path });
    expect(() => s.recordings.saveRecording(dup, nextEntry(s.recordings.chainHead(), 'r2', dup.sha256, new Date()))).toThrow(/UNIQUE/);
    expect([...s.recordings.chainEntries()]).toHaveLength(1);
  });

  it('refuses a tenant id that is not a tenant row id', () => {
    const { s } = open();
    expect(() => s.recordings.saveRecording(record('r1', 1, { tenantId: 'bank' }), nextEntry(undefined, 'r1', 'b'.repeat(64), new Date()))).toThrow(
      expect.objectContaining({ code: 'validation-failed' }),
    );
    expect(s.recordings.chainHead()).toBeUndefined();
  });

  it('updates the file after a re-wrap with a chain entry', () => {
    const { s, a } = open();
    s.recordings.saveRecording(record('r1', a), nextEntry(undefined, 'r1', 'b'.repeat(64), new Date()));
    s.recordings.updateRecordingFile('r1', { keyId: 'tk-2', sha256: 'c'.repeat(64), sizeBytes: 101 }, nextEntry(s.recordings.chainHead(), 'r1', 'c'.repeat(64), new Date()));
    expect(s.recordings.findRecording('r1')).toMatchObject({ keyId: 'tk-2', sha256: 'c'.repeat(64), sizeBytes: 101 });
    expect(() => s.recordings.updateRecordingFile('nope', { keyId: 'k', sha256: 'c'.repeat(64), sizeBytes: 1 }, nextEntry(s.recordings.chainHead(), 'nope', null, new Date()))).toThrow(
      expect.objectContaining({ code: 'recording-not-found' }),
    );
    expect([...s.recordings.chainEntries()]).toHaveLength(2);
  });

  it('lists per tenant with date range, number filter and paging, newest first', () => {
    const { s, a, b } = open();
    const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'];
    days.forEach((d, i) => {
      const r = record(`a${i}`, a, { startedAt: `${d}T10:00:00.000Z`, callee: i % 2 ? '205' : '204' });
      s.recordings.saveRecording(r, nextEntry(s.recordings.chainHead(), r.recordingId, r.sha256, new Date()));
    });
    const rb = record('b0', b);
    s.recordings.saveRecording(rb, nextEntry(s.recordings.chainHead(), 'b0', rb.sha256, new Date()));
    const ids = (q: Parameters<Store['recordings']['list']>[0]) => s.recordings.list(q).rows.map((r) => r.recordingId);
    expect(ids({ tenantId: a })).toEqual(['a3', 'a2', 'a1', 'a0']);
    expect(ids({ tenantId: b })).toEqual(['b0']);
    expect(ids({})).toHaveLength(5);
    expect(ids({ tenantId: a, since: '2026-11-02T00:00:00.000Z', until: '2026-11-04T00:00:00.000Z' })).toEqual(['a2', 'a1']);
    expect(ids({ tenantId: a, number: '205' })).toEqual(['a3', 'a1']);
    expect(ids({ tenantId: a, parties: ['204'] })).toEqual(['a2', 'a0']);
    expect(ids({ tenantId: a, parties: [] })).toEqual([]);
    expect(s.recordings.list({ tenantId: a, limit: 2, offset: 1 })).toMatchObject({ total: 4, rows: [{ recordingId: 'a2' }, { recordingId: 'a1' }] });
  });

  it('finds exactly the expired, unheld recordings by each tenant\'s retention', () => {
    const { s, a, b } = open();
    s.recordings.setTenantSettings(a, { retentionDays: 30, quotaBytes: null });
    const now = new Date('2026-12-01T12:00:00Z');
    const rows = [
      record('a-old', a, { startedAt: '2026-10-01T10:00:00.000Z' }),
      record('a-held', a, { startedAt: '2026-10-01T10:00:00.000Z', path: 'p/held' }),
      record('a-new', a, { startedAt: '2026-11-20T10:00:00.000Z' }),
      record('b-mid', b, { startedAt: '2026-10-01T10:00:00.000Z' }),
      record('b-old', b, { startedAt: '2025-01-01T10:00:00.000Z' }),
    ];
    for (const r of rows) s.recordings.saveRecording(r, nextEntry(s.recordings.chainHead(), r.recordingId, r.sha256, new Date()));
    s.recordings.setLegalHold('a-held', true);
    // b has no setting: the default (365 days) applies
    expect(s.recordings.expired(now, 365).map((r) => r.recordingId).sort()).toEqual(['a-old', 'b-old']);
    expect(() => s.recordings.removeRecording('a-held', nextEntry(s.recordings.chainHead(), 'a-held', null, now))).toThrow(
      expect.objectContaining({ code: 'recording-legal-hold' }),
    );
    s.recordings.removeRecording('a-old', nextEntry(s.recordings.chainHead(), 'a-old', null, now));
    expect(s.recordings.findRecording('a-old')).toBeUndefined();
    expect(s.recordings.removedOnPurpose('a-old')).toBe(true);
    expect(s.recordings.removedOnPurpose('a-new')).toBe(false);
    expect(s.recordings.chainHead()).toMatchObject({ recordingId: 'a-old', fileSha256: null, seq: 6 });
    expect(s.recordings.usageByTenant().get(a)).toBe(200);
  });

  it('stores what the real pipeline converts, and the chain verifies against the files', async () => {
    const { s, dir, a } = open();
    const spool = path.join(dir, 'spool');
    for (const d of ['pcaps', 'metadata']) mkdirSync(path.join(spool, d), { recursive: true });
    const pcapPath = path.join(spool, 'pcaps', 'call-1.pcap');
    writeFileSync(pcapPath, buildPcap(callPackets(1, Date.UTC(2026, 10, 22, 10) * 1000)));
    const meta = encodeRecordingMetadata({ recordingId: 'rec-1', tenantId: String(a), caller: '201', callee: '202', channels: { left: [CALLER.dst], right: [CALLEE.dst] } });
    writeFileSync(path.join(spool, 'metadata', 'rtpengine-meta-call-1.txt'), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${meta}\n`);
    const pipeline = new RecordingPipeline({ dataDir: dir, vault: new Vault(openKeyring({ dataDir: dir })), repo: s.recordings, log: silentLogger, format: 'wav' });
    const res = await pipeline.processSpool(spool);
    expect(res.failed).toEqual([]);
    expect(s.recordings.findRecording('rec-1')).toMatchObject({ tenantId: String(a), caller: '201', codec: 'pcm-s16le', pausedSpans: [] });
    expect(await pipeline.verifyStore()).toEqual([]);
    expect(await verifyChain(s.recordings.chainEntries(), async () => null)).toHaveLength(1);
  });
});
