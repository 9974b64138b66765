// What a data subject's request (issue 15) needs from the tables that still
// hold numbers in plain text until they are encrypted (CDR parties,
// recordings' parties): find a subject's rows by the spellings of its number,
// and drop the number from them on erasure (the rows stay for statistics).
import type { Db } from '../db';
import { openCdrColumns } from './cdr-parties';
import { PdFieldsSlot } from './pd-fields';

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
  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {}

  /** A subject's CDRs: plain rows by the spellings of the number, sealed ones by its blind index (migration 0160). */
  cdrs(tenantId: number, e164: string): SubjectCdr[] {
    const s = spellings(e164);
    const bidx = this.pd.numberIndex(tenantId, e164);
    const rows = this.db
      .prepare(
        `SELECT id, call_id AS callId, ? AS tenantId, direction, caller_number AS callerNumber, callee_number AS calleeNumber, started_at AS startedAt, answered_at AS answeredAt,
                duration_seconds AS durationSeconds, disposition
         FROM cdrs WHERE tenant_id = ? AND (caller_number IN (${marks(s.length)}) OR callee_number IN (${marks(s.length)}) OR caller_bidx = ? OR callee_bidx = ?) ORDER BY started_at`,
      )
      .all(tenantId, tenantId, ...s, ...s, bidx, bidx) as Array<SubjectCdr & { tenantId: number }>;
    return rows.map((r) => {
      const { tenantId: _t, ...open } = openCdrColumns(this.pd, r, { tenantId: 'tenantId', callId: 'callId', columns: { callerNumber: 'caller_number', calleeNumber: 'callee_number' } });
      return open;
    });
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

  /** Erasure: the number leaves the CDRs (dialled and normalised forms, plain or sealed, and its blind index); counts and durations stay. */
  anonymiseCdrs(tenantId: number, e164: string): number {
    const s = spellings(e164);
    const m = marks(s.length);
    const bidx = this.pd.numberIndex(tenantId, e164);
    const side = (p: 'caller' | 'callee') =>
      this.db
        .prepare(
          `UPDATE cdrs SET ${p}_number = '${ERASED_PARTY}', ${p}_dialled = '${ERASED_PARTY}', ${p}_bidx = NULL
           WHERE tenant_id = ? AND (${p}_number IN (${m}) OR ${p}_dialled IN (${m}) OR ${p}_bidx = ?)`,
        )
        .run(tenantId, ...s, ...s, bidx).changes;
    return side('caller') + side('callee');
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
