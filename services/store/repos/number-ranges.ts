// Number ranges and SIM usage for FMC least-cost routing (migration 0195).
// The ranges are checked by services/fmc/number-ranges.ts before they
// arrive; an import replaces the tenant's whole table in one transaction, so
// a call never sees half of an old plan and half of a new one.
import type { SimOperator } from '../../fmc';
import type { Db } from '../db';

export interface NumberRange {
  /** E.164 digits without '+', inclusive. */
  first: number;
  last: number;
  operator: SimOperator;
  operatorName: string;
  region: string;
}

export class NumberRangesRepo {
  constructor(private readonly db: Db) {}

  /** Replaces the tenant's ranges; returns how many were stored. */
  replace(tenantId: number, ranges: readonly NumberRange[]): number {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM number_ranges WHERE tenant_id = ?').run(tenantId);
      const ins = this.db.prepare('INSERT INTO number_ranges (tenant_id, first_number, last_number, operator, operator_name, region) VALUES (?, ?, ?, ?, ?, ?)');
      for (const r of ranges) ins.run(tenantId, r.first, r.last, r.operator, r.operatorName, r.region);
      return ranges.length;
    })();
  }

  /** The range holding an E.164 number (`+79161234567`), if any: the last range starting at or below it, when it also ends above it. */
  find(tenantId: number, e164: string): NumberRange | undefined {
    if (!/^\+7\d{10}$/.test(e164)) return undefined;
    const n = Number(e164.slice(1));
    const r = this.db
      .prepare('SELECT first_number, last_number, operator, operator_name, region FROM number_ranges WHERE tenant_id = ? AND first_number <= ? ORDER BY first_number DESC LIMIT 1')
      .get(tenantId, n) as { first_number: number; last_number: number; operator: SimOperator; operator_name: string; region: string } | undefined;
    if (!r || r.last_number < n) return undefined;
    return { first: r.first_number, last: r.last_number, operator: r.operator, operatorName: r.operator_name, region: r.region };
  }

  count(tenantId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM number_ranges WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }

  /** The operators in the tenant's table with their range counts, for the admin's summary. */
  summary(tenantId: number): Array<{ operator: SimOperator; ranges: number }> {
    return this.db.prepare('SELECT operator, count(*) AS ranges FROM number_ranges WHERE tenant_id = ? GROUP BY operator ORDER BY operator').all(tenantId) as Array<{ operator: SimOperator; ranges: number }>;
  }

  /** A call went out through a SIM: its CDR's billable seconds count toward the SIM's month. */
  recordSimCall(tenantId: number, simId: number, callId: string, at = new Date()): void {
    this.db.prepare('INSERT OR IGNORE INTO sim_calls (call_id, tenant_id, sim_id, started_at) VALUES (?, ?, ?, ?)').run(callId, tenantId, simId, at.toISOString());
  }

  /** Minutes used this calendar month (UTC) per SIM of the tenant, from the CDRs of the calls through it. */
  minutesThisMonth(tenantId: number, now = new Date()): Map<number, number> {
    const month = `${now.toISOString().slice(0, 7)}-01T00:00:00.000Z`;
    const rows = this.db
      .prepare(
        `SELECT s.sim_id AS simId, coalesce(sum(c.billable_seconds), 0) AS seconds FROM sim_calls s JOIN cdrs c ON c.call_id = s.call_id
         WHERE s.tenant_id = ? AND s.started_at >= ? GROUP BY s.sim_id`,
      )
      .all(tenantId, month) as Array<{ simId: number; seconds: number }>;
    return new Map(rows.map((r) => [r.simId, r.seconds / 60]));
  }
}
