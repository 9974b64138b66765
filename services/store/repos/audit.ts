// The audit log: append-only (triggers refuse UPDATE and DELETE) and
// hash-chained, so a row edited or removed behind the API's back breaks
// the chain that `verify()` walks.
import { createHash } from 'node:crypto';
import type { Db } from '../db';

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

interface Row {
  id: number;
  at: string;
  actor_id: number | null;
  actor: string;
  tenant_id: number | null;
  action: string;
  target: string;
  details: string;
  ip: string;
  outcome: 'ok' | 'denied' | 'failed';
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function rowHash(prev: string, r: Omit<Row, 'id' | 'prev_hash' | 'hash'>): string {
  const canonical = JSON.stringify([r.at, r.actor_id, r.actor, r.tenant_id, r.action, r.target, r.details, r.ip, r.outcome]);
  return createHash('sha256').update(prev).update(canonical).digest('hex');
}

export interface AuditQuery {
  tenantId?: number;
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export class AuditRepo {
  constructor(private readonly db: Db) {}

  append(e: AuditEntry, now = new Date()): void {
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
      const prev = last?.hash ?? GENESIS;
      const r = {
        at: now.toISOString(),
        actor_id: e.actorId,
        actor: e.actor,
        tenant_id: e.tenantId,
        action: e.action,
        target: e.target ?? '',
        details: JSON.stringify(e.details ?? {}),
        ip: e.ip ?? '',
        outcome: e.outcome ?? 'ok',
      };
      this.db
        .prepare(
          `INSERT INTO audit_log (at, actor_id, actor, tenant_id, action, target, details, ip, outcome, prev_hash, hash)
           VALUES (@at, @actor_id, @actor, @tenant_id, @action, @target, @details, @ip, @outcome, @prev, @hash)`,
        )
        .run({ ...r, prev, hash: rowHash(prev, r) });
    }).immediate();
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
      .all({ ...args, limit: q.limit ?? 100, offset: q.offset ?? 0 }) as Row[];
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        actor: r.actor,
        tenantId: r.tenant_id,
        action: r.action,
        target: r.target,
        details: JSON.parse(r.details) as Record<string, unknown>,
        ip: r.ip,
        outcome: r.outcome,
        hash: r.hash,
      })),
    };
  }

  /** Walks the whole chain; returns the first row id that does not fit, or null. */
  verify(): { ok: true; rows: number } | { ok: false; brokenAt: number; reason: string } {
    let prev = GENESIS;
    let n = 0;
    for (const r of this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<Row>) {
      if (r.prev_hash !== prev) return { ok: false, brokenAt: r.id, reason: 'a row before it was removed or changed' };
      if (rowHash(prev, r) !== r.hash) return { ok: false, brokenAt: r.id, reason: 'the row was changed' };
      prev = r.hash;
      n++;
    }
    return { ok: true, rows: n };
  }
}
