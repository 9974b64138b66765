// Read-only search over call-control's `cdrs` table (migration 0021) for the
// call history: filters, paging, a count, and keyset batches for the export.
// Call-control's CdrsRepo writes the rows; nothing here changes them.
import type { Db } from '../db';

export interface CdrSearch {
  /** undefined: every tenant (appliance-level reader). */
  tenantId?: number;
  since?: string;
  until?: string;
  /** Any part of the caller's or callee's number, as dialled or normalised. */
  number?: string;
  /** The call touched this extension (as its extension, caller or callee). */
  extension?: string;
  direction?: 'internal' | 'inbound' | 'outbound';
  disposition?: 'answered' | 'busy' | 'no-answer' | 'failed' | 'cancelled' | 'refused-by-licence';
  /** Only calls of these extensions (an employee's own); empty means none. */
  onlyExtensions?: readonly string[];
}

export interface CdrRow {
  id: number;
  callId: string;
  tenantId: number;
  direction: string;
  caller: string;
  callerDialled: string;
  callee: string;
  calleeDialled: string;
  extension: string | null;
  trunk: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number;
  billableSeconds: number;
  disposition: string | null;
  hangupSide: string | null;
  hangupSipStatus: number | null;
  hangupReason: string | null;
  status: string;
}

const COLUMNS = `id, call_id AS callId, tenant_id AS tenantId, direction, caller_number AS caller, caller_dialled AS callerDialled,
  callee_number AS callee, callee_dialled AS calleeDialled, extension, trunk, started_at AS startedAt, answered_at AS answeredAt,
  ended_at AS endedAt, duration_seconds AS durationSeconds, billable_seconds AS billableSeconds, disposition, hangup_side AS hangupSide,
  hangup_sip_status AS hangupSipStatus, hangup_reason AS hangupReason, status`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function where(s: CdrSearch): { sql: string; params: Record<string, unknown> } {
  const parts = ['1 = 1'];
  const params: Record<string, unknown> = {};
  const add = (sql: string, name: string, value: unknown) => {
    parts.push(sql);
    params[name] = value;
  };
  if (s.tenantId !== undefined) add('tenant_id = @tenantId', 'tenantId', s.tenantId);
  if (s.since) add('started_at >= @since', 'since', s.since);
  if (s.until) add('started_at < @until', 'until', s.until);
  if (s.direction) add('direction = @direction', 'direction', s.direction);
  if (s.disposition) add('disposition = @disposition', 'disposition', s.disposition);
  if (s.number)
    add(
      "(caller_number LIKE @number ESCAPE '\\' OR callee_number LIKE @number ESCAPE '\\' OR caller_dialled LIKE @number ESCAPE '\\' OR callee_dialled LIKE @number ESCAPE '\\')",
      'number',
      `%${escapeLike(s.number)}%`,
    );
  if (s.extension) add('(extension = @extension OR caller_number = @extension OR callee_number = @extension)', 'extension', s.extension);
  if (s.onlyExtensions)
    add(
      '(extension IN (SELECT value FROM json_each(@mine)) OR caller_number IN (SELECT value FROM json_each(@mine)) OR callee_number IN (SELECT value FROM json_each(@mine)))',
      'mine',
      JSON.stringify(s.onlyExtensions),
    );
  return { sql: parts.join(' AND '), params };
}

export class CdrSearchRepo {
  constructor(private readonly db: Db) {}

  count(s: CdrSearch): number {
    const w = where(s);
    return (this.db.prepare(`SELECT count(*) AS n FROM cdrs WHERE ${w.sql}`).get(w.params) as { n: number }).n;
  }

  page(s: CdrSearch, limit: number, offset: number): CdrRow[] {
    const w = where(s);
    return this.db.prepare(`SELECT ${COLUMNS} FROM cdrs WHERE ${w.sql} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`).all({ ...w.params, limit, offset }) as CdrRow[];
  }

  /** Keyset batches, newest first: pass the last row of the previous batch. */
  batch(s: CdrSearch, after: { startedAt: string; id: number } | undefined, size: number): CdrRow[] {
    const w = where(s);
    const keyset = after ? ' AND (started_at < @afterAt OR (started_at = @afterAt AND id < @afterId))' : '';
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM cdrs WHERE ${w.sql}${keyset} ORDER BY started_at DESC, id DESC LIMIT @size`)
      .all({ ...w.params, ...(after ? { afterAt: after.startedAt, afterId: after.id } : {}), size }) as CdrRow[];
  }
}
