// Forwards in the CDR: the state machine keeps them in order before the
// answer and ignores one after it; migration 0042 adds the column over a
// database with CDRs, and CdrsRepo stores and reads them back.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEvent, startCdr, type AttemptEvent } from '../../../services/call-control/cdr/cdr-machine';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { CdrsRepo, type CdrData } from '../../../services/store/repos/cdrs';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { tempDir } from '../../helpers/tmp';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const attempt: AttemptEvent = { type: 'attempt', at: T0, callId: 'fwd-1', tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, extension: '201' };
const t = tempDir('cdr-fwd-');
afterAll(t.cleanup);

describe('forward events in the CDR state machine', () => {
  it('keeps every forward before the answer, in order, and ignores one after the answer', () => {
    let cdr = startCdr(attempt);
    for (const e of [
      { type: 'forward', at: T0 + 10, from: '202', to: '203', reason: 'busy' },
      { type: 'ringing', at: T0 + 20 },
      { type: 'forward', at: T0 + 5_000, from: '203', to: '204', reason: 'no-answer' },
      { type: 'answer', at: T0 + 7_000 },
    ] as const) cdr = applyEvent(cdr, e).cdr;
    expect(cdr.forwards).toEqual([
      { at: T0 + 10, from: '202', to: '203', reason: 'busy' },
      { at: T0 + 5_000, from: '203', to: '204', reason: 'no-answer' },
    ]);
    expect(cdr.callee).toEqual({ dialled: '202', number: '202' });
    const late = applyEvent(cdr, { type: 'forward', at: T0 + 8_000, from: '204', to: '205', reason: 'always' });
    expect(late.ignored).toBe('forward after answer');
    expect(late.cdr.forwards).toHaveLength(2);
  });

  it('leaves a call without forwards without the field', () => {
    expect(applyEvent(startCdr(attempt), { type: 'ringing', at: T0 + 1 }).cdr.forwards).toBeUndefined();
  });
});

describe('migration 0042 and CdrsRepo', () => {
  const base: CdrData = { callId: 'c1', tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, startedAt: T0, endedAt: T0 + 3_000, durationSeconds: 3, billableSeconds: 0, transfers: [], status: 'completed', lastSeenAt: T0 + 3_000, disposition: 'busy', hangupSide: 'callee', hangupSipStatus: 486 };

  it('adds forwards over a database with CDRs, which read without forwards', () => {
    const db = openDatabase(path.join(t.dir, 'm.db'), { migrate: false });
    migrate(db, migrations, 41);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    expect(new CdrsRepo(db).close(base)).toBe(true); // the repo writes a database older than 0042 too
    migrate(db, migrations, 42);
    expect(schemaVersion(db)).toBe(42);
    const repo = new CdrsRepo(db);
    expect(repo.get('c1')).toEqual(base);
    const forwarded: CdrData = { ...base, callId: 'c2', forwards: [{ at: T0 + 100, from: '202', to: '203', reason: 'busy' }] };
    repo.close(forwarded);
    expect(repo.get('c2')).toEqual(forwarded);
    expect(db.prepare("SELECT forwards FROM cdrs WHERE call_id = 'c2'").get()).toEqual({ forwards: '[{"at":"2026-11-22T09:00:00.100Z","from":"202","to":"203","reason":"busy"}]' });
    // The column refuses what is not a JSON array.
    expect(() => db.prepare("UPDATE cdrs SET forwards = '{}' WHERE call_id = 'c1'").run()).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
