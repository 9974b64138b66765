// Issue 16 item 14 against the running call-control: a second connection
// holds SQLite's write lock (BEGIN EXCLUSIVE, as a stuck backup or a long
// report would) while calls are made. The calls go on, their CDRs are spilled
// to the append-only file instead of dropped, and every one ends up in the
// table once the lock goes; spilled CDRs of a call-control killed with
// SIGKILL are replayed by the next process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../../services/store';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

let pbx: Pbx;
let lock: Db | undefined;

beforeAll(async () => {
  pbx = await startPbx('cdr-spill', ['251', '252', '253', '254']);
}, 120_000);

afterAll(async () => {
  if (lock?.inTransaction) lock.exec('ROLLBACK');
  lock?.close();
  await pbx?.close();
});

const dbFile = () => path.join(pbx.app.dataDir, 'korobka.db');
const spillFile = () => path.join(pbx.app.dataDir, 'cdr-spill', 'cdr-spill.jsonl');
const spilledCallIds = () =>
  existsSync(spillFile())
    ? readFileSync(spillFile(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { op: string; cdr?: { callId: string; callee: { dialled: string } } })
        .filter((w) => w.cdr)
        .map((w) => ({ ...w.cdr!, op: w.op }))
    : [];
const cdrsTo = (ext: string) => pbx.store.cdrs.list({ tenantId: pbx.store.tenants.defaultTenant()!.id, limit: 100 }).filter((c) => c.callee.dialled === ext);
const cdrHealth = async () => (await pbx.health()).cdrWrites as { spilled: number; replayed: number; reserve: boolean };

/** A second connection takes the write lock and keeps it until unlock(). */
function lockDatabase(): void {
  lock = openDatabase(dbFile(), { migrate: false });
  lock.exec('BEGIN EXCLUSIVE');
}
function unlock(): void {
  lock?.exec('COMMIT');
  lock?.close();
  lock = undefined;
}

describe('CDRs while the database is locked (issue 16 item 14)', () => {
  it('calls made while another connection holds the write lock all get their CDR once it is released', async () => {
    const CALLS = 3;
    const callee = await startCallee(uasScenario('answer'), CALLS);
    await registerPhone(pbx, '252', callee.port);
    lockDatabase();
    try {
      const t0 = Date.now();
      const caller = await startCaller(pbx, uacScenario('spill', { answer: true }), '251', '252', { calls: CALLS, rate: 10, limit: 1, holdMs: 300 });
      expect(await caller.exited).toBe(0);
      expect(await callee.exited).toBe(0);
      // Three answered calls in a few seconds: no 5 s busy wait per write held the SIP loop.
      expect(Date.now() - t0).toBeLessThan(CALLS * 5000);
      await waitFor(async () => spilledCallIds().filter((c) => c.callee.dialled === '252').length >= 2 * CALLS, 10_000, 'open and close of each call spilled');
      expect(cdrsTo('252')).toEqual([]);
      await waitFor(async () => (await cdrHealth()).spilled >= 2 * CALLS, 10_000, 'health to show the spilled writes');
    } finally {
      unlock();
    }
    await waitFor(() => cdrsTo('252').filter((c) => c.status === 'completed').length === CALLS, 40_000, 'every CDR in the table');
    expect(cdrsTo('252').every((c) => c.disposition === 'answered')).toBe(true);
    await waitFor(async () => (await cdrHealth()).spilled === 0, 10_000, 'the spill emptied');
    expect(spilledCallIds()).toEqual([]);
  }, 120_000);

  it('CDRs spilled by a call-control killed with SIGKILL are replayed by the next one', async () => {
    const callee = await startCallee(uasScenario('answer'), 1);
    await registerPhone(pbx, '254', callee.port);
    lockDatabase();
    let pid = 0;
    try {
      const caller = await startCaller(pbx, uacScenario('spill-kill', { answer: true }), '253', '254', { holdMs: 300 });
      expect(await caller.exited).toBe(0);
      // The answer's open and the hangup's close, both on disk in the spill file.
      await waitFor(() => spilledCallIds().filter((c) => c.callee.dialled === '254').map((c) => c.op).join() === 'open,close', 10_000, 'the call spilled');
      pid = await pbx.callControlPid();
      process.kill(pid, 'SIGKILL');
    } finally {
      unlock();
    }
    await waitFor(async () => {
      const now = await pbx.callControlPid().catch(() => pid);
      return now !== pid && now > 0;
    }, 30_000, 'call-control restarted');
    await waitFor(() => cdrsTo('254').some((c) => c.status === 'completed'), 30_000, 'the spilled CDR replayed');
    expect(cdrsTo('254')).toHaveLength(1);
    expect(cdrsTo('254')[0]).toMatchObject({ disposition: 'answered', status: 'completed' });
    await waitFor(() => spilledCallIds().length === 0, 10_000, 'the spill emptied');
  }, 120_000);
});
