// Call detail records (migrations 0021, 0042 forwards, 0095 path and answered_by). Written by call-control's
// CdrRecorder (open at answer, touch on heartbeat, close at hangup) and
// completed after a crash by its CdrRecovery. A completed row is final:
// nothing here updates it again.
import type { Db } from '../db';
import { openCdrColumns, sealCdrParams } from './cdr-parties';
import { PdFieldsSlot } from './pd-fields';

type Disposition = 'answered' | 'busy' | 'no-answer' | 'failed' | 'cancelled' | 'refused-by-licence';

/** Same shape as call-control's CdrRecord (times in Unix ms); the store does not import services. */
export interface CdrData {
  callId: string;
  tenantId: number;
  direction: 'internal' | 'inbound' | 'outbound';
  caller: { dialled: string; number: string };
  callee: { dialled: string; number: string };
  extension?: string;
  trunk?: string;
  startedAt: number;
  ringingAt?: number;
  earlyMediaAt?: number;
  answeredAt?: number;
  endedAt?: number;
  durationSeconds: number;
  billableSeconds: number;
  disposition?: Disposition;
  hangupSide?: 'caller' | 'callee' | 'system';
  hangupSipStatus?: number;
  hangupReason?: string;
  transfers: Array<{ at: number; kind: 'blind' | 'attended'; to: string; by: 'caller' | 'callee' }>;
  /** Call forwarding on the way (migration 0042); absent when there was none. */
  forwards?: Array<{ at: number; from: string; to: string; reason: 'always' | 'busy' | 'no-answer' | 'unreachable' }>;
  /** The destinations the call went through (migration 0095); absent when none was recorded. */
  path?: string[];
  /** Who took the call: the member or extension that answered, or a trunk call's outside number (0095). */
  answeredBy?: string;
  /** A gateway's 200 that may come while the GSM callee still rings (0196): billable time starts at `audioAt`. */
  answerUnreliable?: boolean;
  /** The first audio from the callee's side after such an answer (0196). */
  audioAt?: number;
  status: 'in-progress' | 'completed' | 'ended-by-recovery';
  lastSeenAt: number;
}

interface Row {
  id: number;
  call_id: string;
  tenant_id: number;
  direction: CdrData['direction'];
  caller_dialled: string;
  caller_number: string;
  callee_dialled: string;
  callee_number: string;
  extension: string | null;
  trunk: string | null;
  started_at: string;
  ringing_at: string | null;
  early_media_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number;
  billable_seconds: number;
  disposition: Disposition | null;
  hangup_side: CdrData['hangupSide'] | null;
  hangup_sip_status: number | null;
  hangup_reason: string | null;
  transfers: string;
  /** Absent in a database older than migration 0042. */
  forwards?: string;
  /** Absent in a database older than migration 0095. */
  path?: string;
  answered_by?: string | null;
  /** Absent in a database older than migration 0196. */
  answer_unreliable?: number;
  audio_at?: string | null;
  /** Absent in a database older than migration 0160. */
  answered_by_sealed?: string | null;
  status: CdrData['status'];
  last_seen_at: string;
  owner: string;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const ms = (text: string | null): number | undefined => (text === null ? undefined : Date.parse(text));

/** The stored personal columns of a row and the field names their ciphertexts are bound to. */
const PERSONAL_COLUMNS = {
  caller_dialled: 'caller_dialled',
  caller_number: 'caller_number',
  callee_dialled: 'callee_dialled',
  callee_number: 'callee_number',
  answered_by_sealed: 'answered_by',
  transfers: 'transfers',
  forwards: 'forwards',
  path: 'path',
};

/** The columns sealCdrParams may change (besides the blind indexes). */
const PARTY_COLUMNS = ['caller_dialled', 'caller_number', 'callee_dialled', 'callee_number', 'answered_by', 'answered_by_sealed', 'transfers', 'forwards', 'path'];

function toCdr(slot: PdFieldsSlot, stored: Row): CdrData {
  const r = openCdrColumns(slot, stored, { tenantId: 'tenant_id', callId: 'call_id', columns: PERSONAL_COLUMNS });
  const c: CdrData = {
    callId: r.call_id,
    tenantId: r.tenant_id,
    direction: r.direction,
    caller: { dialled: r.caller_dialled, number: r.caller_number },
    callee: { dialled: r.callee_dialled, number: r.callee_number },
    startedAt: Date.parse(r.started_at),
    durationSeconds: r.duration_seconds,
    billableSeconds: r.billable_seconds,
    transfers: (JSON.parse(r.transfers) as Array<Omit<CdrData['transfers'][number], 'at'> & { at: string }>).map((t) => ({
      ...t,
      at: Date.parse(t.at),
    })),
    status: r.status,
    lastSeenAt: Date.parse(r.last_seen_at),
  };
  const forwards = (JSON.parse(r.forwards ?? '[]') as Array<Omit<NonNullable<CdrData['forwards']>[number], 'at'> & { at: string }>).map(
    (f) => ({ ...f, at: Date.parse(f.at) }),
  );
  const path = JSON.parse(r.path ?? '[]') as string[];
  const optional: Array<[keyof CdrData, unknown]> = [
    ['forwards', forwards.length > 0 ? forwards : undefined],
    ['path', path.length > 0 ? path : undefined],
    ['answeredBy', r.answered_by ?? r.answered_by_sealed ?? undefined],
    ['answerUnreliable', r.answer_unreliable === 1 ? true : undefined],
    ['audioAt', ms(r.audio_at ?? null)],
    ['extension', r.extension ?? undefined],
    ['trunk', r.trunk ?? undefined],
    ['ringingAt', ms(r.ringing_at)],
    ['earlyMediaAt', ms(r.early_media_at)],
    ['answeredAt', ms(r.answered_at)],
    ['endedAt', ms(r.ended_at)],
    ['disposition', r.disposition ?? undefined],
    ['hangupSide', r.hangup_side ?? undefined],
    ['hangupSipStatus', r.hangup_sip_status ?? undefined],
    ['hangupReason', r.hangup_reason ?? undefined],
  ];
  for (const [k, v] of optional) if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  return c;
}

function params(c: CdrData, owner: string): Record<string, unknown> {
  return {
    call_id: c.callId,
    tenant_id: c.tenantId,
    direction: c.direction,
    caller_dialled: c.caller.dialled,
    caller_number: c.caller.number,
    callee_dialled: c.callee.dialled,
    callee_number: c.callee.number,
    extension: c.extension ?? null,
    trunk: c.trunk ?? null,
    started_at: iso(c.startedAt),
    ringing_at: iso(c.ringingAt),
    early_media_at: iso(c.earlyMediaAt),
    answered_at: iso(c.answeredAt),
    ended_at: iso(c.endedAt),
    duration_seconds: c.durationSeconds,
    billable_seconds: c.billableSeconds,
    disposition: c.disposition ?? null,
    hangup_side: c.hangupSide ?? null,
    hangup_sip_status: c.hangupSipStatus ?? null,
    hangup_reason: c.hangupReason ?? null,
    transfers: JSON.stringify(c.transfers.map((t) => ({ ...t, at: iso(t.at) }))),
    forwards: JSON.stringify((c.forwards ?? []).map((f) => ({ ...f, at: iso(f.at) }))),
    path: JSON.stringify(c.path ?? []),
    answered_by: c.answeredBy ?? null,
    answer_unreliable: c.answerUnreliable ? 1 : 0,
    audio_at: iso(c.audioAt),
    // Filled by sealCdrParams when the store has the personal-data keys (migration 0160).
    caller_bidx: null,
    callee_bidx: null,
    answered_by_sealed: null,
    status: c.status,
    last_seen_at: iso(c.lastSeenAt),
    owner,
  };
}

const ALL_COLUMNS = Object.keys(params({ caller: {}, callee: {}, transfers: [] } as unknown as CdrData, ''));

/** The insert and the closing upsert for the columns this database has (a file older than 0042 lacks `forwards`, one older than 0095 `path` and `answered_by`). */
function statements(columns: readonly string[]): { insert: string; close: string } {
  const insert = `INSERT INTO cdrs (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`;
  // Closing an open row rewrites everything but the identity and the owner; a finished row never changes.
  const final = columns.filter((c) => c !== 'call_id' && c !== 'owner');
  return {
    insert,
    close: `${insert} ON CONFLICT(call_id) DO UPDATE SET ${final.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE cdrs.status = 'in-progress'`,
  };
}

export interface CdrQuery {
  tenantId: number;
  /** ISO-8601 bounds on started_at. */
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export class CdrsRepo {
  private readonly sql: { insert: string; close: string; columns: readonly string[] };

  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {
    const present = new Set(
      (db.prepare('SELECT name FROM pragma_table_info(?)').all('cdrs') as Array<{ name: string }>).map((c) => c.name),
    );
    const columns = ALL_COLUMNS.filter((c) => present.size === 0 || present.has(c));
    this.sql = { ...statements(columns), columns };
  }

  /** The parameters of the columns the statements name. */
  private bind(c: CdrData, owner: string): Record<string, unknown> {
    const all = this.pd.cipher ? sealCdrParams(this.pd, params(c, owner)) : params(c, owner);
    return Object.fromEntries(this.sql.columns.map((k) => [k, all[k]]));
  }

  /** The in-progress row at answer. */
  open(cdr: CdrData, owner: string): void {
    this.db.prepare(this.sql.insert).run({ ...this.bind(cdr, owner), status: 'in-progress', ended_at: null });
  }

  /** Moves lastSeenAt forward for live rows, all in one transaction. */
  touch(callIds: readonly string[], at: number): void {
    const stmt = this.db.prepare("UPDATE cdrs SET last_seen_at = ? WHERE call_id = ? AND status = 'in-progress' AND last_seen_at < ?");
    const when = iso(at);
    this.db.transaction(() => {
      for (const id of callIds) stmt.run(when, id, when);
    })();
  }

  /** Writes the final record; false when the call already had a final row (nothing changed). */
  close(cdr: CdrData): boolean {
    return this.db.prepare(this.sql.close).run(this.bind(cdr, '')).changes === 1;
  }

  /** In-progress rows of other call-control processes (see CdrRecovery). */
  orphans(owner: string): CdrData[] {
    return (this.db.prepare("SELECT * FROM cdrs WHERE status = 'in-progress' AND owner != ? ORDER BY id").all(owner) as Row[]).map((r) => toCdr(this.pd, r));
  }

  get(callId: string): CdrData | undefined {
    const r = this.db.prepare('SELECT * FROM cdrs WHERE call_id = ?').get(callId) as Row | undefined;
    return r && toCdr(this.pd, r);
  }

  /**
   * Seals the personal columns of rows written in plain text before the
   * personal-data cipher was installed (issue 15, migration 0160), in
   * batches of `batch` rows per transaction; how many rows changed. Without
   * a cipher nothing changes. The plain bytes are gone from the file only
   * after `scrubFreePages`.
   */
  sealPlainRows(batch = 500): number {
    if (!this.pd.cipher || !this.sql.columns.includes('caller_bidx')) return 0;
    const select = this.db.prepare('SELECT * FROM cdrs WHERE id > ? ORDER BY id LIMIT ?');
    const sets = [...PARTY_COLUMNS, 'caller_bidx', 'callee_bidx'].map((c) => `${c} = @${c}`).join(', ');
    const update = this.db.prepare(`UPDATE cdrs SET ${sets} WHERE id = @id`);
    let after = 0;
    let changed = 0;
    for (;;) {
      const rows = select.all(after, batch) as Array<Row & { caller_bidx: Buffer | null; callee_bidx: Buffer | null }>;
      if (rows.length === 0) return changed;
      this.db.transaction(() => {
        for (const r of rows) {
          after = r.id;
          const stored = r as unknown as Record<string, unknown>;
          const sealed = sealCdrParams(this.pd, { ...stored, answered_by: r.answered_by ?? null });
          if (sealed.answered_by === null && r.answered_by_sealed) sealed.answered_by_sealed = r.answered_by_sealed;
          if (!PARTY_COLUMNS.some((c) => sealed[c] !== stored[c])) continue;
          // A party sealed before keeps its index (sealing leaves a sealed value as it is and cannot index it).
          update.run({ ...Object.fromEntries(PARTY_COLUMNS.map((c) => [c, sealed[c]])), caller_bidx: r.caller_bidx ?? sealed.caller_bidx, callee_bidx: r.callee_bidx ?? sealed.callee_bidx, id: r.id });
          changed++;
        }
      })();
    }
  }

  /**
   * After plain values were rewritten: secure_delete from now on, VACUUM so
   * no free page keeps an old copy, and a TRUNCATE checkpoint so the WAL's
   * old frames go (SQLite's WAL keeps page images until it restarts).
   */
  scrubFreePages(): void {
    this.db.pragma('secure_delete = ON');
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  list(q: CdrQuery): CdrData[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM cdrs WHERE tenant_id = @tenantId AND (@since IS NULL OR started_at >= @since) AND (@until IS NULL OR started_at < @until)
         ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({
        tenantId: q.tenantId,
        since: q.since ?? null,
        until: q.until ?? null,
        limit: Math.min(Math.max(q.limit ?? 100, 1), 1000),
        offset: Math.max(q.offset ?? 0, 0),
      }) as Row[];
    return rows.map((r) => toCdr(this.pd, r));
  }
}
