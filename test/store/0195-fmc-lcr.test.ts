// Migration 0195 over a database at version 140 with a tenant and a SIM:
// number ranges are found by the range holding a number (not a neighbour's),
// an import replaces the tenant's table, and a SIM's minutes this month are
// the billable seconds of its calls' CDRs — last month's calls do not count.
import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../services/store';
import { CdrsRepo } from '../../services/store/repos/cdrs';
import { NumberRangesRepo } from '../../services/store/repos/number-ranges';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig195-');

describe('migration 0195 fmc lcr', () => {
  it('finds a number’s range and sums a SIM’s minutes this month from CDRs', () => {
    const d = mig.at(140, 195, (db) => {
      db.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
      db.prepare("INSERT INTO sims (tenant_id, iccid, msisdn, operator, created_at, updated_at) VALUES (1, '8970102100000000001', '+79160000001', 'mts', 'x', 'x')").run();
    });
    expect(schemaVersion(d)).toBe(195);
    const ranges = new NumberRangesRepo(d);
    ranges.replace(1, [
      { first: 79160000000, last: 79164999999, operator: 'mts', operatorName: 'МТС', region: 'Москва' },
      { first: 79166000000, last: 79169999999, operator: 'megafon', operatorName: 'МегаФон', region: 'Москва' },
    ]);
    expect(ranges.find(1, '+79161234567')?.operator).toBe('mts');
    expect(ranges.find(1, '+79165500000')).toBeUndefined();
    expect(ranges.find(1, '+79167000000')?.operator).toBe('megafon');
    expect(ranges.find(2, '+79161234567')).toBeUndefined();
    ranges.replace(1, [{ first: 79160000000, last: 79169999999, operator: 't2', operatorName: 'Т2', region: '' }]);
    expect(ranges.count(1)).toBe(1);
    expect(ranges.find(1, '+79165500000')?.operator).toBe('t2');

    const cdrs = new CdrsRepo(d);
    const cdr = (callId: string, at: number, billable: number) => {
      const base = { callId, tenantId: 1, direction: 'outbound' as const, caller: { dialled: '201', number: '201' }, callee: { dialled: '8916', number: '+7916' }, startedAt: at, durationSeconds: billable, billableSeconds: billable, transfers: [], lastSeenAt: at };
      cdrs.open({ ...base, status: 'in-progress' }, 'test');
      cdrs.close({ ...base, answeredAt: at, endedAt: at + billable * 1000, disposition: 'answered', hangupSide: 'caller', status: 'completed' });
    };
    const now = new Date('2026-12-07T06:00:00Z');
    cdr('a', Date.parse('2026-12-03T10:00:00Z'), 90);
    cdr('b', Date.parse('2026-12-05T10:00:00Z'), 30);
    cdr('old', Date.parse('2026-11-30T10:00:00Z'), 600);
    ranges.recordSimCall(1, 1, 'a', new Date('2026-12-03T10:00:00Z'));
    ranges.recordSimCall(1, 1, 'b', new Date('2026-12-05T10:00:00Z'));
    ranges.recordSimCall(1, 1, 'b', new Date('2026-12-05T10:00:00Z'));
    ranges.recordSimCall(1, 1, 'old', new Date('2026-11-30T10:00:00Z'));
    expect(ranges.minutesThisMonth(1, now)).toEqual(new Map([[1, 2]]));
    expect(ranges.minutesThisMonth(2, now).size).toBe(0);
  });
});
