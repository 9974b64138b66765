// CdrBatchSink on a real SQLite file (WAL, synchronous=FULL) driven by the
// real CdrRecorder: rows as before, fewer commits, nothing lost when one
// write fails, and a pending row visible to the Call-ID reuse check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, withBusyTimeout } from '../../../services/store';
import { CdrSpill } from '../../../services/call-control/cdr/cdr-spill';
import { CdrsRepo } from '../../../services/store/repos/cdrs';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { CdrBatchSink } from '../../../services/call-control/cdr/cdr-batch-sink';
import { CdrRecorder, type CdrSink } from '../../../services/call-control/cdr/cdr-recorder';
import type { AttemptEvent } from '../../../services/call-control/cdr/cdr-machine';
import { createLogger } from '../../../services/common/logger';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

const attempt = (callId: string): AttemptEvent => ({
  type: 'attempt',
  at: T0,
  callId,
  tenantId: 1,
  direction: 'internal',
  caller: { dialled: '201', number: '201' },
  callee: { dialled: '202', number: '202' },
  extension: '201',
});

function setup(name: string, flushMs = 20) {
  const db = openDatabase(path.join(t.dir, name));
  new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
  const repo = new CdrsRepo(db);
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ sink: (l) => lines.push(JSON.parse(l)) });
  let transactions = 0;
  const batch = new CdrBatchSink({
    sink: repo,
    transaction: (fn) => {
      transactions++;
      db.transaction(fn)();
    },
    log,
    flushMs,
  });
  return { db, repo, batch, recorder: new CdrRecorder({ sink: batch, owner: 'boot-1', log }), lines, transactions: () => transactions };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  return cond();
};

describe('CdrBatchSink', () => {
  it('commits a lone write at once, then the writes of a busy window together', async () => {
    const s = setup('lone.db', 200);
    s.recorder.attempt(attempt('c0'));
    s.recorder.event('c0', { type: 'answer', at: T0 + 1000 });
    expect(s.repo.get('c0')).toBeUndefined(); // queued: committed on the next turn of the event loop
    const queuedAt = Date.now();
    expect(await until(() => s.repo.get('c0') !== undefined)).toBe(true);
    expect(Date.now() - queuedAt).toBeLessThan(100); // not held for the 200 ms window
    expect(s.repo.get('c0')).toMatchObject({ status: 'in-progress' });
    expect(s.transactions()).toBe(1);
    // Within the 200 ms window after that commit: 20 calls answered and ended, one commit later.
    for (let i = 1; i <= 20; i++) {
      s.recorder.attempt(attempt(`c${i}`));
      s.recorder.event(`c${i}`, { type: 'answer', at: T0 + 1000 });
      s.recorder.event(`c${i}`, { type: 'hangup', at: T0 + 5000, side: 'caller', sipStatus: 200 });
    }
    expect(s.batch.pending).toBe(40);
    expect(s.batch.has('c7')).toBe(true);
    expect(await until(() => s.batch.pending === 0)).toBe(true);
    expect(s.transactions()).toBe(2);
    expect(s.batch.counters).toEqual({ commits: 2, writes: 41, failed: 0, spilled: 0, replayed: 0 });
    expect(s.batch.has('c7')).toBe(false);
    for (let i = 1; i <= 20; i++) expect(s.repo.get(`c${i}`)).toMatchObject({ status: 'completed', disposition: 'answered', durationSeconds: 5, billableSeconds: 4 });
    s.db.close();
  });

  it('writes the same rows as the repository alone, open then close in order within one commit', async () => {
    const s = setup('same.db');
    const direct = setup('direct.db');
    const plain = new CdrRecorder({ sink: direct.repo, owner: 'boot-1', log: createLogger({ sink: () => undefined }) });
    for (const rec of [s.recorder, plain]) {
      rec.attempt(attempt('x'));
      rec.event('x', { type: 'ringing', at: T0 + 500 });
      rec.event('x', { type: 'answer', at: T0 + 1000 });
      rec.event('x', { type: 'hangup', at: T0 + 61_000, side: 'callee', sipStatus: 200 });
    }
    s.batch.flush();
    expect(s.repo.get('x')).toEqual(direct.repo.get('x'));
    s.db.close();
    direct.db.close();
  });

  it('never drops a write: a failing commit spills the batch, a database refusal of its own goes to the rejected file', async () => {
    const s = setup('fail.db', 5);
    const dir = path.join(t.dir, 'spill-fail');
    let broken = true;
    const flaky = {
      open: (cdr: Parameters<CdrSink['open']>[0], owner: string) => {
        if (broken && cdr.callId === 'bad') throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        s.repo.open(cdr, owner);
      },
      touch: (ids: readonly string[], at: number) => s.repo.touch(ids, at),
      close: (cdr: Parameters<CdrSink['close']>[0]) => void s.repo.close(cdr),
      get: (id: string) => s.repo.get(id),
    };
    const lines: Array<Record<string, unknown>> = [];
    const batch = new CdrBatchSink({ sink: flaky, transaction: (fn) => s.db.transaction(fn)(), log: createLogger({ sink: (l) => lines.push(JSON.parse(l)) }), flushMs: 5, retryMs: 10_000, spill: new CdrSpill(dir) });
    const rec = new CdrRecorder({ sink: batch, owner: 'boot-1', log: createLogger({ sink: () => undefined }) });
    for (const id of ['good1', 'bad', 'good2']) {
      rec.attempt(attempt(id));
      rec.event(id, { type: 'answer', at: T0 + 1000 });
    }
    batch.flush();
    // The commit failed: all three wait on disk in order, none is lost, and later writes queue behind them.
    expect(batch.spilled).toBe(3);
    expect(new CdrSpill(dir).read().map((w) => (w.op === 'touch' ? '' : w.cdr.callId))).toEqual(['good1', 'bad', 'good2']);
    expect(batch.has('bad')).toBe(true);
    rec.event('good1', { type: 'hangup', at: T0 + 9000, side: 'caller', sipStatus: 200 });
    batch.flush();
    expect(batch.spilled).toBe(4);
    expect(s.repo.get('good1')).toBeUndefined();
    broken = false;
    expect(batch.replay()).toBe(true);
    expect(s.repo.get('good1')).toMatchObject({ status: 'completed' });
    expect(s.repo.get('bad')).toMatchObject({ status: 'in-progress' });
    expect(s.repo.get('good2')).toMatchObject({ status: 'in-progress' });
    expect(batch.spilled).toBe(0);
    expect(new CdrSpill(dir).read()).toEqual([]);
    // Replaying again (a crash between the commit and the truncation) changes nothing.
    new CdrSpill(dir).append([{ op: 'open', cdr: s.repo.get('bad')!, owner: 'boot-1' }]);
    const again = new CdrBatchSink({ sink: flaky, transaction: (fn) => s.db.transaction(fn)(), log: createLogger({ sink: () => undefined }), spill: new CdrSpill(dir) });
    expect(again.replay()).toBe(true);
    // A write the database refuses for a reason of its own (not busy, not full) is kept in the rejected file and logged.
    const never = { ...flaky, open: () => { throw Object.assign(new Error('CHECK constraint failed'), { code: 'SQLITE_CONSTRAINT_CHECK' }); } };
    const b2 = new CdrBatchSink({ sink: never, transaction: (fn) => s.db.transaction(fn)(), log: createLogger({ sink: (l) => lines.push(JSON.parse(l)) }), retryMs: 10_000, spill: new CdrSpill(dir) });
    b2.open({ ...s.repo.get('good2')!, callId: 'bad2' }, 'boot-1');
    b2.flush();
    expect(b2.spilled).toBe(1);
    expect(b2.replay()).toBe(true);
    expect(b2.counters.failed).toBe(1);
    expect(readFileSync(path.join(dir, 'cdr-rejected.jsonl'), 'utf8')).toContain('"callId":"bad2"');
    expect(lines.filter((l) => l.msg === 'cdr write refused by the database, kept in the rejected file')).toHaveLength(1);
    b2.stop();
    batch.stop();
    s.db.close();
  });

  it('a second connection holding the write lock (BEGIN EXCLUSIVE): commits wait only briefly, spill, and go in once it lets go', async () => {
    const file = path.join(t.dir, 'locked.db');
    const s = setup('locked.db', 5);
    const dir = path.join(t.dir, 'spill-locked');
    const batch = new CdrBatchSink({ sink: s.repo, transaction: (fn) => withBusyTimeout(s.db, 25, () => s.db.transaction(fn)()), log: createLogger({ sink: () => undefined }), flushMs: 5, retryMs: 20, spill: new CdrSpill(dir) });
    const rec = new CdrRecorder({ sink: batch, owner: 'boot-1', log: createLogger({ sink: () => undefined }) });
    const other = openDatabase(file);
    other.exec('BEGIN EXCLUSIVE');
    for (let i = 0; i < 10; i++) {
      rec.attempt(attempt(`l${i}`));
      rec.event(`l${i}`, { type: 'answer', at: T0 + 1000 });
      rec.event(`l${i}`, { type: 'hangup', at: T0 + 4000, side: 'callee', sipStatus: 200 });
    }
    const t0 = performance.now();
    batch.flush();
    expect(performance.now() - t0).toBeLessThan(1000); // not SQLite's default 5 s
    expect(batch.spilled).toBe(20);
    await new Promise((r) => setTimeout(r, 100)); // retries meanwhile fail and back off
    expect(batch.spilled).toBe(20);
    other.exec('COMMIT');
    other.close();
    expect(await until(() => batch.spilled === 0, 5000)).toBe(true);
    for (let i = 0; i < 10; i++) expect(s.repo.get(`l${i}`)).toMatchObject({ status: 'completed', billableSeconds: 3 });
    batch.stop();
    s.db.close();
  });
});
