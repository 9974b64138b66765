// Migration 0095: the call-flow path and who answered in the CDR, over a
// database at version 51 holding a CDR written before it; CdrsRepo and the
// history search read and write both, and the checks refuse a path that is
// not a JSON array and an empty answerer.
import { describe, expect, it } from 'vitest';
import { schemaVersion, type Db } from '../../services/store';
import { CdrSearchRepo } from '../../services/store/repos/cdr-search';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig95-');
const T0 = Date.UTC(2026, 11, 6, 9, 0);

const cdr = (callId: string, over: Partial<CdrData> = {}): CdrData => ({
  callId,
  tenantId: 1,
  direction: 'inbound',
  caller: { dialled: '89161234567', number: '+79161234567' },
  callee: { dialled: '84957654331', number: '+74957654331' },
  startedAt: T0,
  answeredAt: T0 + 1000,
  endedAt: T0 + 20_000,
  durationSeconds: 20,
  billableSeconds: 19,
  disposition: 'answered',
  hangupSide: 'caller',
  transfers: [],
  status: 'completed',
  lastSeenAt: T0 + 20_000,
  ...over,
});

function at95(): Db {
  return mig.at(51, 95, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
    // Written by a call-control of version 51: no path, no answerer.
    new CdrsRepo(d).close(cdr('old-1'));
  });
}

describe('migration 0095 cdr path', () => {
  it('keeps an older CDR with an empty path and no answerer; new ones keep both', () => {
    const d = at95();
    expect(schemaVersion(d)).toBe(95);
    const repo = new CdrsRepo(d);
    expect(repo.get('old-1')).not.toHaveProperty('path');
    expect(repo.get('old-1')).not.toHaveProperty('answeredBy');
    const path = ['notice:4', 'feature:schedule:1', 'feature:ivr:2', 'feature:ring-group:3'];
    repo.close(cdr('new-1', { path, answeredBy: '203' }));
    expect(repo.get('new-1')).toMatchObject({ path, answeredBy: '203' });
    const rows = new CdrSearchRepo(d).page({ tenantId: 1 }, 10, 0);
    expect(rows.map((r) => [r.callId, r.path, r.answeredBy])).toEqual([
      ['new-1', path, '203'],
      ['old-1', [], null],
    ]);
  });

  it('refuses a path that is not a JSON array and an empty answerer; a damaged path reads as none', () => {
    const d = at95();
    expect(() => d.prepare("UPDATE cdrs SET path = '{}' WHERE call_id = 'old-1'").run()).toThrow(/CHECK/);
    expect(() => d.prepare("UPDATE cdrs SET path = 'x' WHERE call_id = 'old-1'").run()).toThrow(/CHECK|JSON/);
    expect(() => d.prepare("UPDATE cdrs SET answered_by = '' WHERE call_id = 'old-1'").run()).toThrow(/CHECK/);
    d.prepare("UPDATE cdrs SET path = '[1, {\"a\": 2}]' WHERE call_id = 'old-1'").run();
    expect(new CdrSearchRepo(d).page({ tenantId: 1 }, 10, 0)[0]!.path).toEqual([]);
  });
});
