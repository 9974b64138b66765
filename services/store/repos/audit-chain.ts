// The keyed links of the audit log and of its checkpoints, shared by the repo
// (which writes them) and the verifier (which walks them).
//
//   row link   hash_n = HMAC-SHA-256(K_chain, "korobka-audit-row/v2" ‖ hash_{n-1} ‖ JSON[id, at, actor_id, actor, tenant_id, action, target, details, ip, outcome])
//   checkpoint mac    = HMAC-SHA-256(K_checkpoint, "korobka-audit-checkpoint/v1" ‖ JSON[id, at, last_id, last_mac, key_id])
//
// The row id is inside the MAC, so a row cannot be renumbered into a gap; the
// previous link is too, so a row cannot be moved. Without the key nobody can
// make a link that verifies, which the old unkeyed SHA-256 chain allowed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface AuditRowContent {
  id: number;
  at: string;
  actor_id: number | null;
  actor: string;
  tenant_id: number | null;
  action: string;
  target: string;
  details: string;
  ip: string;
  outcome: string;
}

export interface StoredAuditRow extends AuditRowContent {
  prev_hash: string;
  hash: string;
  /** Absent before migration 0085. */
  chain_version?: number;
  key_id: string;
}

export interface Checkpoint {
  id: number;
  at: string;
  lastId: number;
  lastMac: string;
  keyId: string;
  mac: string;
}

export function rowMac(key: Buffer, prev: string, r: AuditRowContent): string {
  const canonical = JSON.stringify([r.id, r.at, r.actor_id, r.actor, r.tenant_id, r.action, r.target, r.details, r.ip, r.outcome]);
  return createHmac('sha256', key).update('korobka-audit-row/v2\0').update(prev).update('\0').update(canonical).digest('hex');
}

/** The pre-0085 unkeyed link (no id inside), kept to check old rows before sealing them. */
export function legacyRowHash(prev: string, r: AuditRowContent): string {
  const canonical = JSON.stringify([r.at, r.actor_id, r.actor, r.tenant_id, r.action, r.target, r.details, r.ip, r.outcome]);
  return createHash('sha256').update(prev).update(canonical).digest('hex');
}

export function checkpointMac(key: Buffer, c: Omit<Checkpoint, 'mac'>): string {
  return createHmac('sha256', key)
    .update('korobka-audit-checkpoint/v1\0')
    .update(JSON.stringify([c.id, c.at, c.lastId, c.lastMac, c.keyId]))
    .digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
