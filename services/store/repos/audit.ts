// The audit log: append-only (triggers refuse UPDATE and DELETE) and chained
// with HMAC-SHA-256 under a key derived from the master key (audit-chain.ts),
// with signed checkpoints every `checkpointEveryRows` rows (and on demand, see
// checkpointIfDue) written to a table and handed to `onCheckpoint`, which keeps
// a copy outside the database (audit-checkpoint-file.ts). What verification
// detects is in audit-verify.ts.
import type { AuditKeys } from '../../common/audit-keys';
import type { Db } from '../db';
import { checkpointMac, GENESIS, legacyRowHash, rowMac, type Checkpoint, type StoredAuditRow } from './audit-chain';
import { verifyAudit, type AuditReport } from './audit-verify';
import { scrubDetails, scrubText, subjectRef } from './audit-scrub';

export interface AuditEntry {
  actorId: number | null;
  actor: string;
  tenantId: number | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
  outcome?: 'ok' | 'denied' | 'failed';
}

export interface AuditRow extends Required<Omit<AuditEntry, 'details'>> {
  id: number;
  at: string;
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditQuery {
  tenantId?: number;
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export interface AuditOptions {
  /** The audit keys; called on first use (the master key may sit on separate media). */
  keys: () => AuditKeys;
  /** A checkpoint every this many rows (default 100). */
  checkpointEveryRows?: number;
  /** Called after the transaction that wrote a checkpoint committed: keep a copy outside the DB. */
  onCheckpoint?: (c: Checkpoint) => void;
}

interface CheckpointRow {
  id: number;
  at: string;
  last_id: number;
  last_mac: string;
  key_id: string;
  mac: string;
}

export const toCheckpoint = (r: CheckpointRow): Checkpoint => ({ id: r.id, at: r.at, lastId: r.last_id, lastMac: r.last_mac, keyId: r.key_id, mac: r.mac });

const toAuditRow = (r: StoredAuditRow): AuditRow => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  actor: r.actor,
  tenantId: r.tenant_id,
  action: r.action,
  target: r.target,
  details: JSON.parse(r.details) as Record<string, unknown>,
  ip: r.ip,
  outcome: r.outcome as AuditRow['outcome'],
  hash: r.hash,
});

export class AuditRepo {
  private sealed = false;
  private cachedKeys: AuditKeys | undefined;
  private copyError: string | undefined;
  private hasKeyedSchema: boolean | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: AuditOptions,
  ) {}

  private keys(): AuditKeys {
    return (this.cachedKeys ??= this.opts.keys());
  }

  /** Whether migration 0085 ran (a test may hold a store at an older schema; so may a backup being restored). */
  private keyedSchema(): boolean {
    return (this.hasKeyedSchema ??= (this.db.prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'chain_version'").get() as unknown) !== undefined);
  }

  append(e: AuditEntry, now = new Date()): void {
    if (!this.keyedSchema()) return this.appendLegacy(e, now);
    const written = this.db.transaction(() => {
      this.sealLegacyRows(now);
      this.insert(e, now);
      return this.checkpointIfRowsDue(now);
    }).immediate();
    if (written) this.keepCopy(written);
  }

  /** The copy outside the DB failing must not fail the write whose row is committed; the verifier sees the file behind. */
  private keepCopy(c: Checkpoint): void {
    try {
      this.opts.onCheckpoint?.(c);
      this.copyError = undefined;
    } catch (e) {
      this.copyError = (e as Error).message;
    }
  }

  /** Why the last copy of a checkpoint outside the DB failed, if it did (health). */
  get checkpointCopyError(): string | undefined {
    return this.copyError;
  }

  private insert(e: AuditEntry, now: Date): void {
    const keys = this.keys();
    const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    const prev = last?.hash ?? GENESIS;
    const r = {
      id: (last?.id ?? 0) + 1,
      at: now.toISOString(),
      actor_id: e.actorId,
      actor: e.actor,
      tenant_id: e.tenantId,
      action: e.action,
      // References, never numbers or names (audit-scrub.ts).
      target: scrubText(keys.subject, e.target ?? ''),
      details: JSON.stringify(scrubDetails(keys.subject, e.details ?? {})),
      ip: e.ip ?? '',
      outcome: e.outcome ?? 'ok',
    };
    this.db
      .prepare(
        `INSERT INTO audit_log (id, at, actor_id, actor, tenant_id, action, target, details, ip, outcome, prev_hash, hash, chain_version, key_id)
         VALUES (@id, @at, @actor_id, @actor, @tenant_id, @action, @target, @details, @ip, @outcome, @prev, @hash, 2, @keyId)`,
      )
      .run({ ...r, prev, hash: rowMac(keys.chain, prev, r), keyId: keys.id });
  }

  /**
   * Rows written before migration 0085 carry the unkeyed link: their old chain
   * is checked, then each gets its HMAC link, and one audit row records how
   * many and whether the old chain was intact (a break before sealing cannot
   * be repaired, only reported). Runs once, inside the caller's transaction.
   */
  private sealLegacyRows(now: Date): void {
    if (this.sealed) return;
    const legacy = this.db.prepare('SELECT * FROM audit_log WHERE chain_version = 1 ORDER BY id').all() as StoredAuditRow[];
    if (legacy.length > 0) {
      const keys = this.keys();
      let prevLegacy = GENESIS;
      let prevMac = GENESIS;
      let broken: string | undefined;
      const update = this.db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ?, chain_version = 2, key_id = ? WHERE id = ?');
      for (const r of legacy) {
        if (!broken && (r.prev_hash !== prevLegacy || legacyRowHash(prevLegacy, r) !== r.hash)) broken = `row ${r.id}`;
        prevLegacy = r.hash;
        const mac = rowMac(keys.chain, prevMac, r);
        update.run(prevMac, mac, keys.id, r.id);
        prevMac = mac;
      }
      this.insert(
        { actorId: null, actor: 'korobka', tenantId: null, action: 'audit.chain-sealed', details: { rows: legacy.length, legacyChain: broken ? `broken at ${broken}` : 'intact', keyId: keys.id } },
        now,
      );
    }
    this.sealed = true;
  }

  /** The pre-0085 row (unkeyed link) for a database at an older schema; sealed when it is migrated. */
  private appendLegacy(e: AuditEntry, now: Date): void {
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
      const prev = last?.hash ?? GENESIS;
      const r = { id: (last?.id ?? 0) + 1, at: now.toISOString(), actor_id: e.actorId, actor: e.actor, tenant_id: e.tenantId, action: e.action, target: e.target ?? '', details: JSON.stringify(e.details ?? {}), ip: e.ip ?? '', outcome: e.outcome ?? 'ok' };
      this.db
        .prepare(
          `INSERT INTO audit_log (id, at, actor_id, actor, tenant_id, action, target, details, ip, outcome, prev_hash, hash)
           VALUES (@id, @at, @actor_id, @actor, @tenant_id, @action, @target, @details, @ip, @outcome, @prev, @hash)`,
        )
        .run({ ...r, prev, hash: legacyRowHash(prev, r) });
    }).immediate();
  }

  private lastCheckpoint(): Checkpoint | undefined {
    const r = this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1').get() as CheckpointRow | undefined;
    return r ? toCheckpoint(r) : undefined;
  }

  private writeCheckpoint(now: Date): Checkpoint | null {
    const last = this.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    if (!last) return null;
    const before = this.lastCheckpoint();
    if (before && before.lastId >= last.id) return null;
    const keys = this.keys();
    const body = { id: (before?.id ?? 0) + 1, at: now.toISOString(), lastId: last.id, lastMac: last.hash, keyId: keys.id };
    const c: Checkpoint = { ...body, mac: checkpointMac(keys.checkpoint, body) };
    this.db.prepare('INSERT INTO audit_checkpoints (id, at, last_id, last_mac, key_id, mac) VALUES (?, ?, ?, ?, ?, ?)').run(c.id, c.at, c.lastId, c.lastMac, c.keyId, c.mac);
    return c;
  }

  private checkpointIfRowsDue(now: Date): Checkpoint | null {
    const every = this.opts.checkpointEveryRows ?? 100;
    const covered = this.lastCheckpoint()?.lastId ?? 0;
    const newest = (this.db.prepare('SELECT max(id) AS id FROM audit_log').get() as { id: number | null }).id ?? 0;
    return newest - covered >= every ? this.writeCheckpoint(now) : null;
  }

  /** A checkpoint over the newest row now, unless the newest row is already covered. */
  checkpoint(now = new Date()): Checkpoint | null {
    const written = this.db.transaction(() => {
      this.sealLegacyRows(now);
      return this.writeCheckpoint(now);
    }).immediate();
    if (written) this.keepCopy(written);
    return written;
  }

  /** The periodic timer's call: a checkpoint when rows are uncovered and the last checkpoint is older than maxAgeMs. */
  checkpointIfDue(maxAgeMs: number, now = new Date()): Checkpoint | null {
    const last = this.lastCheckpoint();
    if (last && now.getTime() - Date.parse(last.at) < maxAgeMs) return null;
    return this.checkpoint(now);
  }

  /** The reference that stands for this phone number (or name) in audit rows. */
  subjectRef(kind: 'num' | 'name', value: string): string {
    return subjectRef(this.keys().subject, kind, value);
  }

  /** Rows that mention a subject by its reference (a subject request: "audit rows about them"). */
  about(ref: string, limit = 1000): AuditRow[] {
    if (!/^(num|name):[0-9a-f]{16}$/.test(ref)) return [];
    const like = `%${ref}%`;
    return (this.db.prepare('SELECT * FROM audit_log WHERE target LIKE ? OR details LIKE ? ORDER BY id LIMIT ?').all(like, like, limit) as StoredAuditRow[]).map(toAuditRow);
  }

  checkpoints(): Checkpoint[] {
    if (!this.keyedSchema()) return [];
    return (this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY id').all() as CheckpointRow[]).map(toCheckpoint);
  }

  /** Rows after `afterId` in order (the SIEM forwarder's cursor). */
  after(afterId: number, limit: number): AuditRow[] {
    return (this.db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as StoredAuditRow[]).map(toAuditRow);
  }

  list(q: AuditQuery = {}): { rows: AuditRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.tenantId !== undefined) {
      where.push('tenant_id = @tenantId');
      args.tenantId = q.tenantId;
    }
    if (q.action) {
      where.push('action = @action');
      args.action = q.action;
    }
    if (q.since) {
      where.push('at >= @since');
      args.since = q.since;
    }
    if (q.until) {
      where.push('at < @until');
      args.until = q.until;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${clause}`).get(args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: q.limit ?? 100, offset: q.offset ?? 0 }) as StoredAuditRow[];
    return { total, rows: rows.map(toAuditRow) };
  }

  /**
   * Walks the chain and the checkpoints (those in the DB and `external` ones,
   * read from the file outside it). Rows are not sealed by a read-only check.
   */
  report(external: { checkpoints: Checkpoint[]; damagedLines: number[] } = { checkpoints: [], damagedLines: [] }): AuditReport {
    return verifyAudit(this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<StoredAuditRow>, this.checkpoints(), external, this.keys());
  }

  /** The chain in the database alone; the first row that does not fit, or null. */
  verify(): { ok: true; rows: number } | { ok: false; brokenAt: number; reason: string } {
    const r = this.report();
    const first = r.findings.find((f) => f.rowId !== null);
    return first && first.rowId !== null ? { ok: false, brokenAt: first.rowId, reason: first.message } : { ok: true, rows: r.rows };
  }
}
