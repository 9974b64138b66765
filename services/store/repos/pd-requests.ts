// What a data subject's request (issue 15) needs from the tables that still
// hold numbers in plain text until they are encrypted (CDR parties,
// recordings' parties): find a subject's rows by the spellings of its number,
// and drop the number from them on erasure (the rows stay for statistics).
import type { Db } from '../db';

export interface SubjectCdr {
  id: number;
  callId: string;
  direction: string;
  callerNumber: string;
  calleeNumber: string;
  startedAt: string;
  answeredAt: string | null;
  durationSeconds: number;
  disposition: string | null;
}

export interface SubjectRecording {
  id: string;
  cdrId: string | null;
  caller: string | null;
  callee: string | null;
  startedAt: string;
  durationMs: number;
  mediaType: string;
  path: string;
  legalHold: boolean;
}

/** Ways the same E.164 number is written in the CDR and recordings tables: +7…, 7…, 8… (national). */
export function spellings(e164: string): string[] {
  const digits = e164.slice(1);
  const out = [e164, digits];
  if (digits.startsWith('7') && digits.length === 11) out.push('8' + digits.slice(1));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
export const ERASED_PARTY = 'erased';

export class PdRequestsRepo {
  constructor(private readonly db: Db) {}

  cdrs(tenantId: number, e164: string): SubjectCdr[] {
    const s = spellings(e164);
    return this.db
      .prepare(
        `SELECT id, call_id AS callId, direction, caller_number AS callerNumber, callee_number AS calleeNumber, started_at AS startedAt, answered_at AS answeredAt,
                duration_seconds AS durationSeconds, disposition
         FROM cdrs WHERE tenant_id = ? AND (caller_number IN (${marks(s.length)}) OR callee_number IN (${marks(s.length)})) ORDER BY started_at`,
      )
      .all(tenantId, ...s, ...s) as SubjectCdr[];
  }

  recordings(tenantId: number, e164: string): SubjectRecording[] {
    const s = spellings(e164);
    const rows = this.db
      .prepare(
        `SELECT id, cdr_id AS cdrId, caller, callee, started_at AS startedAt, duration_ms AS durationMs, media_type AS mediaType, path, legal_hold AS legalHold
         FROM recordings WHERE tenant_id = ? AND (caller IN (${marks(s.length)}) OR callee IN (${marks(s.length)})) ORDER BY started_at`,
      )
      .all(tenantId, ...s, ...s) as Array<Omit<SubjectRecording, 'legalHold'> & { legalHold: number }>;
    return rows.map((r) => ({ ...r, legalHold: r.legalHold === 1 }));
  }

  /** Erasure: the number leaves the CDRs (dialled and normalised forms); counts and durations stay. */
  anonymiseCdrs(tenantId: number, e164: string): number {
    const s = spellings(e164);
    const m = marks(s.length);
    const a = this.db
      .prepare(
        `UPDATE cdrs SET caller_number = '${ERASED_PARTY}', caller_dialled = '${ERASED_PARTY}' WHERE tenant_id = ? AND (caller_number IN (${m}) OR caller_dialled IN (${m}))`,
      )
      .run(tenantId, ...s, ...s).changes;
    const b = this.db
      .prepare(
        `UPDATE cdrs SET callee_number = '${ERASED_PARTY}', callee_dialled = '${ERASED_PARTY}' WHERE tenant_id = ? AND (callee_number IN (${m}) OR callee_dialled IN (${m}))`,
      )
      .run(tenantId, ...s, ...s).changes;
    return a + b;
  }

  recordingPath(tenantId: number, id: string): string | undefined {
    return (this.db.prepare('SELECT path FROM recordings WHERE tenant_id = ? AND id = ?').get(tenantId, id) as { path: string } | undefined)
      ?.path;
  }

  forgetRecordingParties(tenantId: number, ids: string[]): void {
    const upd = this.db.prepare(
      `UPDATE recordings SET caller = CASE WHEN caller IS NULL THEN NULL ELSE '${ERASED_PARTY}' END, callee = CASE WHEN callee IS NULL THEN NULL ELSE '${ERASED_PARTY}' END WHERE tenant_id = ? AND id = ?`,
    );
    for (const id of ids) upd.run(tenantId, id);
  }
}
