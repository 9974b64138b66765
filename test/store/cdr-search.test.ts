// Forwards and transfers in the call history search: real rows written by
// call-control's CdrsRepo, read back typed; damaged JSON left out and reported.
import { describe, expect, it, onTestFinished } from 'vitest';
import path from 'node:path';
import { openStore, type Store } from '../../services/store';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';
import type { BadHopReport } from '../../services/store/repos/cdr-search';
import { tempDir } from '../helpers/tmp';

const T0 = Date.parse('2026-11-20T09:00:00.000Z');

function open(): { store: Store; tenant: number; repo: CdrsRepo } {
  const { dir, cleanup } = tempDir();
  onTestFinished(cleanup);
  const store = openStore(path.join(dir, 'k.db'));
  onTestFinished(() => store.close());
  return { store, tenant: store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id, repo: new CdrsRepo(store.db) };
}

function cdr(tenantId: number, n: number, over: Partial<CdrData> = {}): CdrData {
  const at = T0 + n * 60_000;
  return {
    callId: `c${n}`,
    tenantId,
    direction: 'internal',
    caller: { dialled: '201', number: '201' },
    callee: { dialled: '202', number: '202' },
    startedAt: at,
    answeredAt: at + 2000,
    endedAt: at + 32_000,
    durationSeconds: 30,
    billableSeconds: 30,
    disposition: 'answered',
    hangupSide: 'caller',
    transfers: [],
    status: 'completed',
    lastSeenAt: at + 32_000,
    ...over,
  };
}

describe('cdr search: forwards and transfers', () => {
  it('reads hops back typed, in order, with ISO times, and filters on them', () => {
    const { store, tenant, repo } = open();
    repo.close(cdr(tenant, 1));
    repo.close(
      cdr(tenant, 2, {
        forwards: [
          { at: T0 + 125_000, from: '202', to: '305', reason: 'no-answer' },
          { at: T0 + 131_000, from: '305', to: '+74951234567', reason: 'busy' },
        ],
      }),
    );
    repo.close(cdr(tenant, 3, { transfers: [{ at: T0 + 200_000, kind: 'attended', to: '8495', by: 'callee' }] }));
    const rows = store.cdrSearch.page({ tenantId: tenant }, 10, 0);
    expect(rows.map((r) => r.callId)).toEqual(['c3', 'c2', 'c1']);
    expect(rows[1]!.forwards).toEqual([
      { at: '2026-11-20T09:02:05.000Z', from: '202', to: '305', reason: 'no-answer' },
      { at: '2026-11-20T09:02:11.000Z', from: '305', to: '+74951234567', reason: 'busy' },
    ]);
    expect(rows[1]!.transfers).toEqual([]);
    expect(rows[0]!.transfers).toEqual([{ at: '2026-11-20T09:03:20.000Z', kind: 'attended', to: '8495', by: 'callee' }]);
    expect(rows[2]).toMatchObject({ forwards: [], transfers: [] });
    expect(store.cdrSearch.page({ tenantId: tenant, forwarded: true }, 10, 0).map((r) => r.callId)).toEqual(['c2']);
    expect(store.cdrSearch.count({ tenantId: tenant, transferred: true })).toBe(1);
    expect(store.cdrSearch.count({ tenantId: tenant, forwarded: true, transferred: true })).toBe(0);
    expect(store.cdrSearch.page({ tenantId: tenant, forwarded: false, transferred: false }, 10, 0).map((r) => r.callId)).toEqual(['c1']);
    expect(store.cdrSearch.batch({ tenantId: tenant, forwarded: true }, undefined, 10)[0]!.forwards).toHaveLength(2);
  });

  it('leaves out a damaged hop or column, reports it, and still lists the call', () => {
    const { store, tenant, repo } = open();
    repo.close(cdr(tenant, 1, { forwards: [{ at: T0, from: '201', to: '305', reason: 'busy' }] }));
    repo.close(cdr(tenant, 2));
    // Written behind the repo: one bad hop among good ones, and a transfers column that is not a list.
    store.db
      .prepare(
        'UPDATE cdrs SET forwards = json_insert(forwards, \'$[#]\', json(\'{"at":"never","from":"305","to":"306","reason":"busy"}\'), \'$[#]\', json(\'{"at":"2026-11-20T09:00:09Z","from":"305","to":"307","reason":"lunch"}\')) WHERE call_id = \'c1\'',
      )
      .run();
    store.db
      .prepare(
        `UPDATE cdrs SET transfers = '{"kind":"blind"}', forwards = '[1, null, {"at":"2026-11-20T09:02:00Z","from":"201","to":"202","reason":"always"}]' WHERE call_id = 'c2'`,
      )
      .run();
    const bad: Array<Parameters<BadHopReport>[0]> = [];
    const rows = store.cdrSearch.page({ tenantId: tenant }, 10, 0, (info) => bad.push(info));
    expect(rows.map((r) => r.callId)).toEqual(['c2', 'c1']);
    expect(rows[1]!.forwards).toEqual([{ at: '2026-11-20T09:00:00.000Z', from: '201', to: '305', reason: 'busy' }]);
    expect(rows[0]).toMatchObject({ transfers: [], forwards: [{ at: '2026-11-20T09:02:00Z', from: '201', to: '202', reason: 'always' }] });
    expect(bad).toEqual([
      { callId: 'c2', column: 'forwards', index: 0 },
      { callId: 'c2', column: 'forwards', index: 1 },
      { callId: 'c2', column: 'transfers', index: null },
      { callId: 'c1', column: 'forwards', index: 1 },
      { callId: 'c1', column: 'forwards', index: 2 },
    ]);
    // A damaged transfers column is not "transferred".
    expect(store.cdrSearch.count({ tenantId: tenant, transferred: true })).toBe(0);
    expect(store.cdrSearch.count({ tenantId: tenant, transferred: false })).toBe(2);
  });

  it('a callee the dial plan could not normalise (484) shows as dialled, not empty', () => {
    const { store, tenant, repo } = open();
    repo.close(
      cdr(tenant, 1, {
        callee: { dialled: '8495123', number: '' },
        answeredAt: undefined,
        billableSeconds: 0,
        disposition: 'failed',
        hangupSipStatus: 484,
      }),
    );
    repo.close(cdr(tenant, 2));
    const rows = store.cdrSearch.page({ tenantId: tenant }, 10, 0);
    expect(rows.map((r) => [r.callee, r.calleeDialled])).toEqual([
      ['202', '202'],
      ['8495123', '8495123'],
    ]);
  });
});
