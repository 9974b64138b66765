// Migration 0021 and CdrsRepo on a real SQLite file, driven by the real
// CdrRecorder and CdrRecovery, including a process that dies mid-call.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { CdrsRepo } from '../../../services/store/repos/cdrs';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { ExtensionsRepo } from '../../../services/store/repos/extensions';
import { CdrRecorder, type CdrSink } from '../../../services/call-control/cdr/cdr-recorder';
import { CdrRecovery, type OrphanStore } from '../../../services/call-control/cdr/cdr-recovery';
import type { AttemptEvent } from '../../../services/call-control/cdr/cdr-machine';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { createLogger } from '../../../services/common/logger';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const log = createLogger({ sink: () => undefined });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

function attemptOf(callId: string, at = T0): AttemptEvent {
  return {
    type: 'attempt',
    at,
    callId,
    tenantId: 1,
    direction: 'outbound',
    caller: { dialled: '201', number: '201' },
    callee: { dialled: '8 916 123-45-67', number: '+79161234567' },
    extension: '201',
    trunk: 'gsm-gateway',
  };
}

function freshDb(name: string) {
  const file = path.join(t.dir, name);
  const db = openDatabase(file);
  new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
  return { file, db, repo: new CdrsRepo(db) };
}

describe('migration 0021-cdrs', () => {
  it('migrates N-1 → N keeping tenants and extensions, and the new table takes CDRs', () => {
    const db = openDatabase(path.join(t.dir, 'm21.db'), { migrations: migrations.filter((m) => m.version < 21) });
    expect(schemaVersion(db)).toBe(20);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    new ExtensionsRepo(db).create({ tenantId: 1, extension: '201', ha1: computeHa1Set('201', 'bank.example.ru', 'pw') });
    migrate(db, migrations, 21);
    expect(schemaVersion(db)).toBe(21);
    expect(new ExtensionsRepo(db).list(1).map((e) => e.extension)).toEqual(['201']);
    const rec = new CdrRecorder({ sink: new CdrsRepo(db), owner: 'b1', log });
    rec.attempt(attemptOf('m21'));
    rec.event('m21', { type: 'hangup', at: T0 + 2_000, side: 'callee', sipStatus: 486 });
    expect(new CdrsRepo(db).get('m21')).toMatchObject({ disposition: 'busy', status: 'completed' });
    db.close();
  });
});

describe('CdrsRepo', () => {
  it('is the CdrSink and OrphanStore call-control expects', () => {
    const { db, repo } = freshDb('types.db');
    const sink: CdrSink = repo;
    const orphans: OrphanStore = repo;
    expect(sink).toBe(orphans);
    db.close();
  });

  it('round-trips a full record through open, touch and close', () => {
    const { db, repo } = freshDb('roundtrip.db');
    const rec = new CdrRecorder({ sink: repo, owner: 'boot-1', log });
    rec.attempt(attemptOf('c1'));
    rec.event('c1', { type: 'ringing', at: T0 + 1_000 });
    rec.event('c1', { type: 'early-media', at: T0 + 1_200 });
    rec.event('c1', { type: 'answer', at: T0 + 7_000 });
    expect(repo.get('c1')).toMatchObject({ status: 'in-progress', answeredAt: T0 + 7_000, lastSeenAt: T0 + 7_000 });
    expect(db.prepare('SELECT owner, ended_at FROM cdrs WHERE call_id = ?').get('c1')).toEqual({ owner: 'boot-1', ended_at: null });
    rec.heartbeat(T0 + 37_000);
    expect(repo.get('c1')?.lastSeenAt).toBe(T0 + 37_000);
    rec.event('c1', { type: 'transfer', at: T0 + 40_000, kind: 'blind', to: '305', by: 'caller' });
    const final = rec.event('c1', { type: 'hangup', at: T0 + 67_250, side: 'caller', sipStatus: 200, reason: 'Q.850;cause=16' });
    expect(repo.get('c1')).toEqual(final);
    expect(final).toMatchObject({ status: 'completed', billableSeconds: 61, durationSeconds: 67, transfers: [{ at: T0 + 40_000, to: '305' }] });
    expect(db.prepare('SELECT started_at, ended_at FROM cdrs WHERE call_id = ?').get('c1')).toEqual({ started_at: '2026-11-22T09:00:00.000Z', ended_at: '2026-11-22T09:01:07.250Z' });
    db.close();
  });

  it('never changes a completed row, and a late heartbeat does not move it', () => {
    const { db, repo } = freshDb('final.db');
    const rec = new CdrRecorder({ sink: repo, owner: 'boot-1', log });
    rec.attempt(attemptOf('c2'));
    rec.event('c2', { type: 'answer', at: T0 + 1_000 });
    const done = rec.event('c2', { type: 'hangup', at: T0 + 11_000, side: 'callee' })!;
    expect(repo.close({ ...done, billableSeconds: 9999 })).toBe(false);
    repo.touch(['c2'], T0 + 99_000);
    expect(repo.get('c2')).toEqual(done);
    db.close();
  });

  it('lists a tenant’s CDRs newest first with bounds and paging', () => {
    const { db, repo } = freshDb('list.db');
    const rec = new CdrRecorder({ sink: repo, owner: 'b', log });
    for (let i = 0; i < 5; i++) {
      rec.attempt(attemptOf(`l${i}`, T0 + i * 60_000));
      rec.event(`l${i}`, { type: 'hangup', at: T0 + i * 60_000 + 5_000, side: 'caller' });
    }
    expect(repo.list({ tenantId: 1 }).map((c) => c.callId)).toEqual(['l4', 'l3', 'l2', 'l1', 'l0']);
    expect(repo.list({ tenantId: 1, since: '2026-11-22T09:01:00.000Z', until: '2026-11-22T09:03:00.000Z' }).map((c) => c.callId)).toEqual(['l2', 'l1']);
    expect(repo.list({ tenantId: 1, limit: 2, offset: 1 }).map((c) => c.callId)).toEqual(['l3', 'l2']);
    expect(repo.list({ tenantId: 2 })).toEqual([]);
    db.close();
  });

  it('refuses rows that break the schema’s rules and writes nothing', () => {
    const { db, repo } = freshDb('rules.db');
    const base = new CdrRecorder({ sink: { open: () => undefined, touch: () => undefined, close: () => undefined }, owner: 'x', log }).attempt(attemptOf('r1'));
    expect(() => repo.close({ ...base, status: 'completed' })).toThrow(/CHECK constraint failed/); // no end, no disposition
    expect(() => repo.open({ ...base, tenantId: 42 }, 'x')).toThrow(/FOREIGN KEY/);
    expect(() => repo.close({ ...base, status: 'completed', endedAt: T0, disposition: 'answered', hangupSide: 'caller', hangupSipStatus: 99 })).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) AS n FROM cdrs').get()).toEqual({ n: 0 });
    db.close();
  });

  it('survives a call-control killed mid-call: a new process completes the row from the file', async () => {
    const { file, db, repo } = freshDb('crash.db');
    const first = new CdrRecorder({ sink: repo, owner: 'boot-1', log });
    first.attempt(attemptOf('cut-off'));
    first.event('cut-off', { type: 'answer', at: T0 + 5_000 });
    first.heartbeat(T0 + 35_000);
    first.attempt(attemptOf('ringing'));
    db.close(); // the process dies: no hangup was ever seen

    const db2 = openDatabase(file);
    const repo2 = new CdrsRepo(db2);
    expect(repo2.orphans('boot-2').map((c) => c.callId)).toEqual(['cut-off']);
    const recovery = new CdrRecovery({ store: repo2, owner: 'boot-2', now: () => T0 + 300_000, log });
    const report = await recovery.sweep();
    expect(report.closed.map((c) => c.callId)).toEqual(['cut-off']);
    expect(repo2.get('cut-off')).toMatchObject({ status: 'ended-by-recovery', disposition: 'answered', hangupSide: 'system', hangupReason: 'ended-by-recovery', endedAt: T0 + 35_000, billableSeconds: 30 });
    expect(repo2.orphans('boot-2')).toEqual([]);
    db2.close();
  });
});
