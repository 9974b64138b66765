// Read-only search over call-control's `cdrs` table (migration 0021) for the
// call history: filters, paging, a count, and keyset batches for the export.
// Call-control's CdrsRepo writes the rows; nothing here changes them.
// The forwards (0042) and transfers (0021) JSON columns are checked hop by
// hop when read: a hop that does not have the shape call-control writes is
// left out and reported through `onBadHop`, so one damaged row never breaks
// the list or the export.
import type { Db } from '../db';
import { openCdrColumns } from './cdr-parties';
import { PdFieldsSlot, SEALED_PREFIX } from './pd-fields';

export type ForwardReason = 'always' | 'busy' | 'no-answer' | 'unreachable';
/** One call-forwarding hop, `at` ISO-8601 UTC. */
export interface CdrForward {
  at: string;
  from: string;
  to: string;
  reason: ForwardReason;
}
/** One transfer, `by` the party that sent the REFER. */
export interface CdrTransfer {
  at: string;
  kind: 'blind' | 'attended';
  to: string;
  by: 'caller' | 'callee';
}
/** Called for every stored hop (or whole column) that is not valid; it was left out. */
export type BadHopReport = (info: { callId: string; column: 'forwards' | 'transfers'; index: number | null }) => void;

export interface CdrSearch {
  /** undefined: every tenant (appliance-level reader). */
  tenantId?: number;
  since?: string;
  until?: string;
  /**
   * Any part of an extension's or service code's number (plain), or a whole
   * outside number in any spelling: sealed parties are found by their blind
   * index (issue 15), so a part of an outside number no longer matches.
   */
  number?: string;
  /** The call touched this extension (as its extension, caller or callee). */
  extension?: string;
  direction?: 'internal' | 'inbound' | 'outbound';
  disposition?: 'answered' | 'busy' | 'no-answer' | 'failed' | 'cancelled' | 'refused-by-licence';
  /** Only calls of these extensions (an employee's own); empty means none. */
  onlyExtensions?: readonly string[];
  /** true: only calls forwarded at least once; false: only calls never forwarded. */
  forwarded?: boolean;
  /** true: only calls transferred at least once; false: only calls never transferred. */
  transferred?: boolean;
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
  forwards: CdrForward[];
  transfers: CdrTransfer[];
  /** The destinations the call went through (migration 0095): `notice:5`, `feature:ivr:2`, `extension:304`. */
  path: string[];
  /** Who took the call: the member or extension that answered, or a trunk call's outside number. */
  answeredBy: string | null;
}

type StoredRow = Omit<CdrRow, 'forwards' | 'transfers' | 'path'> & { forwards: string; transfers: string; path: string; answeredBySealed: string | null };

const PERSONAL = {
  caller: 'caller_number',
  callerDialled: 'caller_dialled',
  callee: 'callee_number',
  calleeDialled: 'callee_dialled',
  answeredBySealed: 'answered_by',
  transfers: 'transfers',
  forwards: 'forwards',
  path: 'path',
};

const FORWARD_REASONS: readonly string[] = ['always', 'busy', 'no-answer', 'unreachable'];
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
type Hop = Record<string, unknown>;
const isHop = (v: unknown): v is Hop => typeof v === 'object' && v !== null && !Array.isArray(v);

const validForward = (h: Hop): CdrForward | undefined =>
  isTime(h.at) && isText(h.from) && isText(h.to) && typeof h.reason === 'string' && FORWARD_REASONS.includes(h.reason)
    ? { at: h.at, from: h.from, to: h.to, reason: h.reason as ForwardReason }
    : undefined;

const validTransfer = (h: Hop): CdrTransfer | undefined =>
  isTime(h.at) && isText(h.to) && (h.kind === 'blind' || h.kind === 'attended') && (h.by === 'caller' || h.by === 'callee')
    ? { at: h.at, kind: h.kind, to: h.to, by: h.by }
    : undefined;

/** The valid hops of one JSON column, in stored order; the rest reported. */
function hopsOf<T>(
  callId: string,
  column: 'forwards' | 'transfers',
  text: string,
  valid: (h: Hop) => T | undefined,
  report: BadHopReport,
): T[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) {
    report({ callId, column, index: null });
    return [];
  }
  const out: T[] = [];
  list.forEach((h: unknown, index) => {
    const hop = isHop(h) ? valid(h) : undefined;
    if (hop) out.push(hop);
    else report({ callId, column, index });
  });
  return out;
}

const ignore: BadHopReport = () => undefined;

/** A path as stored; anything but an array of short strings reads as no path (call-control writes only those). */
function pathOf(text: string): string[] {
  try {
    const p: unknown = JSON.parse(text);
    return Array.isArray(p) && p.every(isText) ? p : [];
  } catch {
    return [];
  }
}

function toRow(slot: PdFieldsSlot, stored: StoredRow, report: BadHopReport): CdrRow {
  const { answeredBySealed, ...r } = openCdrColumns(slot, stored, { tenantId: 'tenantId', callId: 'callId', columns: PERSONAL });
  return {
    ...r,
    // A refused number the dial plan could not normalise (484 Address Incomplete) has no canonical
    // callee: call history shows what was dialled. Chosen after opening: each column is sealed under its own name.
    callee: r.callee === '' ? r.calleeDialled : r.callee,
    answeredBy: r.answeredBy ?? answeredBySealed,
    forwards: hopsOf(r.callId, 'forwards', r.forwards, validForward, report),
    transfers: hopsOf(r.callId, 'transfers', r.transfers, validTransfer, report),
    path: pathOf(r.path),
  };
}

const COLUMNS = `id, call_id AS callId, tenant_id AS tenantId, direction, caller_number AS caller, caller_dialled AS callerDialled,
  callee_number AS callee, callee_dialled AS calleeDialled, extension, trunk, started_at AS startedAt, answered_at AS answeredAt,
  ended_at AS endedAt, duration_seconds AS durationSeconds, billable_seconds AS billableSeconds, disposition, hangup_side AS hangupSide,
  hangup_sip_status AS hangupSipStatus, hangup_reason AS hangupReason, status, forwards, transfers, path, answered_by AS answeredBy`;

const PARTY_COLUMNS = ['caller_number', 'callee_number', 'caller_dialled', 'callee_dialled'];
/** A part of a plain value; a ciphertext's letters never match. */
const plainLike = (col: string) => `(${col} NOT LIKE '${SEALED_PREFIX}%' AND ${col} LIKE @number ESCAPE '\\')`;
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function where(s: CdrSearch, slot: PdFieldsSlot): { sql: string; params: Record<string, unknown> } {
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
  if (s.number) {
    // A whole outside number: its blind index in this tenant (a sealed party). Parts: the plain columns.
    const bidx = s.tenantId === undefined ? null : slot.numberIndex(s.tenantId, s.number);
    if (bidx) params.bidx = bidx;
    add(
      `(${PARTY_COLUMNS.map(plainLike).join(' OR ')}${bidx ? ' OR caller_bidx = @bidx OR callee_bidx = @bidx' : ''})`,
      'number',
      `%${escapeLike(s.number)}%`,
    );
  }
  if (s.extension) add('(extension = @extension OR caller_number = @extension OR callee_number = @extension)', 'extension', s.extension);
  if (s.onlyExtensions)
    add(
      '(extension IN (SELECT value FROM json_each(@mine)) OR caller_number IN (SELECT value FROM json_each(@mine)) OR callee_number IN (SELECT value FROM json_each(@mine)))',
      'mine',
      JSON.stringify(s.onlyExtensions),
    );
  // json_array_length is 0 for a non-array, so a damaged column never matches.
  if (s.forwarded !== undefined) parts.push(`json_array_length(forwards) ${s.forwarded ? '>' : '='} 0`);
  if (s.transferred !== undefined)
    parts.push(`${s.transferred ? '' : 'NOT '}(json_type(transfers) = 'array' AND json_array_length(transfers) > 0)`);
  return { sql: parts.join(' AND '), params };
}

export class CdrSearchRepo {
  private readonly columns: string;

  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {
    // A database older than migration 0160 has no sealed answerer (the migration tests read those).
    const sealed = (db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('cdrs', 'answered_by_sealed') as unknown) !== undefined;
    this.columns = `${COLUMNS}, ${sealed ? 'answered_by_sealed' : 'NULL'} AS answeredBySealed`;
  }

  count(s: CdrSearch): number {
    const w = where(s, this.pd);
    return (this.db.prepare(`SELECT count(*) AS n FROM cdrs WHERE ${w.sql}`).get(w.params) as { n: number }).n;
  }

  page(s: CdrSearch, limit: number, offset: number, onBadHop: BadHopReport = ignore): CdrRow[] {
    const w = where(s, this.pd);
    const rows = this.db
      .prepare(`SELECT ${this.columns} FROM cdrs WHERE ${w.sql} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...w.params, limit, offset }) as StoredRow[];
    return rows.map((r) => toRow(this.pd, r, onBadHop));
  }

  /** Keyset batches, newest first: pass the last row of the previous batch. */
  batch(s: CdrSearch, after: { startedAt: string; id: number } | undefined, size: number, onBadHop: BadHopReport = ignore): CdrRow[] {
    const w = where(s, this.pd);
    const keyset = after ? ' AND (started_at < @afterAt OR (started_at = @afterAt AND id < @afterId))' : '';
    const rows = this.db
      .prepare(`SELECT ${this.columns} FROM cdrs WHERE ${w.sql}${keyset} ORDER BY started_at DESC, id DESC LIMIT @size`)
      .all({ ...w.params, ...(after ? { afterAt: after.startedAt, afterId: after.id } : {}), size }) as StoredRow[];
    return rows.map((r) => toRow(this.pd, r, onBadHop));
  }
}
