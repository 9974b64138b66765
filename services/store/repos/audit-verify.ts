// What `korobka audit verify` checks, and so what it can and cannot see.
//
// Detected, each named by the first row it concerns:
// - a row changed in place (any column): its HMAC link does not verify;
// - rows deleted between other rows: ids are dense (rowid = max + 1) and each
//   link covers the id and the previous link, so the gap is named;
// - rows removed from the end (truncation) up to or past a checkpoint: a
//   checkpoint (in the DB table or in the file outside it) names a row id and
//   its link that no longer exist, or exist with another link (rows removed
//   and new ones written in their place);
// - forged, altered or removed checkpoints: their HMAC does not verify, or
//   the file holds a checkpoint the table lost;
// - rows written under another key (another master key).
// Not detected: removal of the newest rows written after the last checkpoint
// that survives (at most checkpointEveryRows rows or the checkpoint interval;
// the SIEM copy covers that window), and anything done by someone holding the
// master key, who can recompute every link.
import type { AuditKeys } from '../../common/audit-keys';
import { checkpointMac, GENESIS, legacyRowHash, rowMac, sameHex, type Checkpoint, type StoredAuditRow } from './audit-chain';

export type AuditFindingKind =
  | 'row-changed'
  | 'row-deleted'
  | 'rows-truncated'
  | 'row-replaced'
  | 'row-other-key'
  | 'checkpoint-invalid'
  | 'checkpoint-deleted'
  | 'checkpoint-file-damaged';

export interface AuditFinding {
  kind: AuditFindingKind;
  /** The first audit row concerned; null for findings about checkpoints only. */
  rowId: number | null;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  rows: number;
  lastRowId: number;
  checkpoints: { database: number; file: number; lastCoveredRow: number };
  /** Rows after the newest checkpoint: their removal would not be detected. */
  uncoveredRows: number;
  findings: AuditFinding[];
  /** The lowest row id any finding names. */
  firstBadRow: number | null;
}

function walkRows(rows: Iterable<StoredAuditRow>, keys: AuditKeys, findings: AuditFinding[]): { rows: number; lastRowId: number; links: Map<number, string> } {
  const links = new Map<number, string>();
  let prev = GENESIS;
  let expected = 1;
  let n = 0;
  for (const r of rows) {
    if (r.id > expected) {
      const range = r.id - 1 === expected ? `row ${expected} was deleted` : `rows ${expected}–${r.id - 1} were deleted`;
      findings.push({ kind: 'row-deleted', rowId: expected, message: range });
    }
    if ((r.chain_version ?? 1) === 1) {
      // Not sealed yet (a read-only check before the first keyed write): the old link.
      if (r.prev_hash !== prev || legacyRowHash(prev, r) !== r.hash) findings.push({ kind: 'row-changed', rowId: r.id, message: 'the row was changed' });
    } else if (r.key_id !== keys.id) {
      findings.push({ kind: 'row-other-key', rowId: r.id, message: `the row was sealed under another key (${r.key_id}, this box has ${keys.id})` });
    } else if (!sameHex(rowMac(keys.chain, r.prev_hash, r), r.hash)) {
      findings.push({ kind: 'row-changed', rowId: r.id, message: 'the row was changed' });
    } else if (r.id === expected && r.prev_hash !== prev) {
      findings.push({ kind: 'row-changed', rowId: r.id, message: 'the row does not link to the row before it (a row was replaced)' });
    }
    links.set(r.id, r.hash);
    prev = r.hash;
    expected = r.id + 1;
    n++;
  }
  return { rows: n, lastRowId: expected - 1, links };
}

export function verifyAudit(
  rowsIn: Iterable<StoredAuditRow>,
  dbCheckpoints: Checkpoint[],
  external: { checkpoints: Checkpoint[]; damagedLines: number[] },
  keys: AuditKeys,
): AuditReport {
  const findings: AuditFinding[] = [];
  const { rows, lastRowId, links } = walkRows(rowsIn, keys, findings);
  for (const line of external.damagedLines) findings.push({ kind: 'checkpoint-file-damaged', rowId: null, message: `checkpoint file line ${line} is not a checkpoint` });

  const valid = (c: Checkpoint, where: string): boolean => {
    const { mac, ...body } = c;
    if (c.keyId === keys.id && sameHex(checkpointMac(keys.checkpoint, body), mac)) return true;
    findings.push({ kind: 'checkpoint-invalid', rowId: null, message: `checkpoint ${c.id} in the ${where} does not verify (forged or altered)` });
    return false;
  };
  const byId = new Map<number, Checkpoint>();
  for (const c of dbCheckpoints) if (valid(c, 'database')) byId.set(c.id, c);
  for (const c of external.checkpoints) {
    if (!valid(c, 'file')) continue;
    const inDb = dbCheckpoints.find((d) => d.id === c.id);
    if (!inDb) findings.push({ kind: 'checkpoint-deleted', rowId: null, message: `checkpoint ${c.id} (rows up to ${c.lastId}) is in the file but was removed from the database` });
    else if (inDb.mac !== c.mac) findings.push({ kind: 'checkpoint-invalid', rowId: null, message: `checkpoint ${c.id} differs between the file and the database` });
    if (!byId.has(c.id) || inDb?.mac !== c.mac) byId.set(c.id, c);
  }

  let lastCovered = 0;
  let truncatedNamed = false;
  for (const c of [...byId.values()].sort((a, b) => a.id - b.id)) {
    lastCovered = Math.max(lastCovered, c.lastId);
    if (c.lastId > lastRowId) {
      if (!truncatedNamed) {
        findings.push({
          kind: 'rows-truncated',
          rowId: lastRowId + 1,
          message: `rows from ${lastRowId + 1} on were removed (truncated): checkpoint ${c.id} of ${c.at} covers rows up to ${c.lastId}`,
        });
        truncatedNamed = true;
      }
      continue;
    }
    const link = links.get(c.lastId);
    if (link !== undefined && link !== c.lastMac) {
      findings.push({ kind: 'row-replaced', rowId: c.lastId, message: `row ${c.lastId} is not the row checkpoint ${c.id} of ${c.at} signed (rows removed and others written in their place)` });
    }
  }
  const rowIds = findings.map((f) => f.rowId).filter((id): id is number => id !== null);
  findings.sort((a, b) => (a.rowId ?? Infinity) - (b.rowId ?? Infinity));
  return {
    ok: findings.length === 0,
    rows,
    lastRowId,
    checkpoints: { database: dbCheckpoints.length, file: external.checkpoints.length, lastCoveredRow: lastCovered },
    uncoveredRows: Math.max(0, lastRowId - lastCovered),
    findings,
    firstBadRow: rowIds.length ? Math.min(...rowIds) : null,
  };
}
