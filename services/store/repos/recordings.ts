// The recordings index on SQLite: implements RecordingRepository
// (recording-rows.ts) (record + chain entry in one transaction, refusing an
// entry that does not extend the chain's head), plus what the API and the
// recordings service need: listing, legal hold, retention, quotas, policy,
// listen grants. The alarms the service raises are in AlarmsRepo below.
//
// Recording tenant ids are strings in the pipeline (they name key files);
// here they are the tenants table's integer ids written in decimal.
import { AppError, validationFailed } from '../../common/errors';
import type { ChainEntry, PausedSpan, RecordingIndexRecord, RecordingRepository } from './recording-rows';
import type { Db } from '../db';

export type RecordingPolicyMode = 'always' | 'never' | 'on-demand';
export type RecordingPolicyScope = 'tenant' | 'extension' | 'trunk';

export interface RecordingPolicyRow {
  tenantId: number;
  scope: RecordingPolicyScope;
  /** '' for the tenant-wide policy, else the extension number or trunk name. */
  target: string;
  mode: RecordingPolicyMode;
}

export interface RecordingTenantSettings {
  retentionDays: number | null;
  quotaBytes: number | null;
}

export interface RecordingQuery {
  /** undefined: every tenant. */
  tenantId?: number;
  since?: string;
  until?: string;
  /** Matches caller or callee exactly. */
  number?: string;
  /** Only these numbers as caller or callee (an employee's own extensions). */
  parties?: string[];
  limit?: number;
  offset?: number;
}

interface Row {
  id: string;
  tenant_id: number;
  cdr_id: string | null;
  caller: string | null;
  callee: string | null;
  started_at: string;
  duration_ms: number;
  size_bytes: number;
  plain_bytes: number;
  codec: RecordingIndexRecord['codec'];
  media_type: RecordingIndexRecord['mediaType'];
  key_id: string;
  sha256: string;
  path: string;
  legal_hold: number;
  paused_spans: string;
  channel_source: RecordingIndexRecord['channelSource'];
  created_at: string;
}

interface ChainRow {
  seq: number;
  recording_id: string;
  file_sha256: string | null;
  time: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** The pipeline's tenant id → the tenants table's id. */
export function tenantRowId(tenantId: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(tenantId)) {
    throw validationFailed([{ field: 'tenantId', message: `expected a tenant's numeric id, got ${JSON.stringify(tenantId)}` }]);
  }
  return Number(tenantId);
}

const toRecord = (r: Row): RecordingIndexRecord => ({
  recordingId: r.id,
  cdrId: r.cdr_id,
  tenantId: String(r.tenant_id),
  caller: r.caller,
  callee: r.callee,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  plainBytes: r.plain_bytes,
  codec: r.codec,
  mediaType: r.media_type,
  keyId: r.key_id,
  sha256: r.sha256,
  legalHold: r.legal_hold === 1,
  path: r.path,
  channelSource: r.channel_source,
  pausedSpans: JSON.parse(r.paused_spans) as PausedSpan[],
  createdAt: r.created_at,
});

const toEntry = (r: ChainRow): ChainEntry => ({
  seq: r.seq,
  recordingId: r.recording_id,
  fileSha256: r.file_sha256,
  time: r.time,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class RecordingsRepo implements RecordingRepository {
  constructor(private readonly db: Db) {}

  /** False on a database from before the recordings migration (`korobka doctor` reads without migrating). */
  hasIndex(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recording_chain'").get() !== undefined;
  }

  findRecording(recordingId: string): RecordingIndexRecord | undefined {
    const r = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(recordingId) as Row | undefined;
    return r && toRecord(r);
  }

  chainHead(): ChainEntry | undefined {
    const r = this.db.prepare('SELECT * FROM recording_chain ORDER BY seq DESC LIMIT 1').get() as ChainRow | undefined;
    return r && toEntry(r);
  }

  /** Appends inside the caller's transaction; the entry must extend the newest one. */
  private append(entry: ChainEntry): void {
    const head = this.chainHead();
    const expected = head?.hash ?? GENESIS;
    if (entry.prevHash !== expected || entry.seq !== (head?.seq ?? 0) + 1) {
      throw new AppError(409, 'chain-head-moved', 'the hash chain grew since this entry was built', { expected, actual: entry.prevHash });
    }
    this.db
      .prepare('INSERT INTO recording_chain (seq, recording_id, file_sha256, time, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.seq, entry.recordingId, entry.fileSha256, entry.time, entry.prevHash, entry.hash);
  }

  saveRecording(record: RecordingIndexRecord, entry: ChainEntry): void {
    const tenantId = tenantRowId(record.tenantId);
    this.db.transaction(() => {
      this.append(entry);
      this.db
        .prepare(
          `INSERT INTO recordings (id, tenant_id, cdr_id, caller, callee, started_at, duration_ms, size_bytes, plain_bytes,
             codec, media_type, key_id, sha256, path, legal_hold, paused_spans, channel_source, created_at)
           VALUES (@id, @tenantId, @cdrId, @caller, @callee, @startedAt, @durationMs, @sizeBytes, @plainBytes,
             @codec, @mediaType, @keyId, @sha256, @path, @legalHold, @pausedSpans, @channelSource, @createdAt)`,
        )
        .run({
          ...record,
          id: record.recordingId,
          tenantId,
          legalHold: record.legalHold ? 1 : 0,
          pausedSpans: JSON.stringify(record.pausedSpans ?? []),
        });
    }).immediate();
  }

  updateRecordingFile(recordingId: string, change: Pick<RecordingIndexRecord, 'keyId' | 'sha256' | 'sizeBytes'>, entry: ChainEntry): void {
    this.db.transaction(() => {
      const r = this.db
        .prepare('UPDATE recordings SET key_id = ?, sha256 = ?, size_bytes = ? WHERE id = ?')
        .run(change.keyId, change.sha256, change.sizeBytes, recordingId);
      if (r.changes === 0) throw new AppError(404, 'recording-not-found', `recording ${recordingId} not found`, { recordingId });
      this.append(entry);
    }).immediate();
  }

  chainEntries(): Iterable<ChainEntry> {
    return (this.db.prepare('SELECT * FROM recording_chain ORDER BY seq').all() as ChainRow[]).map(toEntry);
  }

  recordingKeys(tenantId: string): Array<{ recordingId: string; keyId: string }> {
    return this.db
      .prepare('SELECT id AS recordingId, key_id AS keyId FROM recordings WHERE tenant_id = ? ORDER BY id')
      .all(tenantRowId(tenantId)) as Array<{ recordingId: string; keyId: string }>;
  }

  /** Newest first. */
  list(q: RecordingQuery = {}): { rows: RecordingIndexRecord[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.tenantId !== undefined) {
      where.push('tenant_id = @tenantId');
      args.tenantId = q.tenantId;
    }
    if (q.since) {
      where.push('started_at >= @since');
      args.since = q.since;
    }
    if (q.until) {
      where.push('started_at < @until');
      args.until = q.until;
    }
    if (q.number) {
      where.push('(caller = @number OR callee = @number)');
      args.number = q.number;
    }
    if (q.parties) {
      // json_each keeps the list a bound parameter however long it is.
      where.push('(caller IN (SELECT value FROM json_each(@parties)) OR callee IN (SELECT value FROM json_each(@parties)))');
      args.parties = JSON.stringify(q.parties);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM recordings ${clause}`).get(args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM recordings ${clause} ORDER BY started_at DESC, id LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: q.limit ?? 50, offset: q.offset ?? 0 }) as Row[];
    return { rows: rows.map(toRecord), total };
  }

  setLegalHold(recordingId: string, hold: boolean): RecordingIndexRecord | undefined {
    this.db.prepare('UPDATE recordings SET legal_hold = ? WHERE id = ?').run(hold ? 1 : 0, recordingId);
    return this.findRecording(recordingId);
  }

  /**
   * Recordings older than their tenant's retention (`defaultDays` where the
   * tenant set none) and not under legal hold, oldest first.
   */
  expired(now: Date, defaultDays: number, limit = 1000): RecordingIndexRecord[] {
    const rows = this.db
      .prepare(
        `SELECT r.* FROM recordings r LEFT JOIN recording_tenant_settings s ON s.tenant_id = r.tenant_id
         WHERE r.legal_hold = 0
           AND julianday(r.started_at) < julianday(@now) - coalesce(s.retention_days, @defaultDays)
         ORDER BY r.started_at LIMIT @limit`,
      )
      .all({ now: now.toISOString(), defaultDays, limit }) as Row[];
    return rows.map(toRecord);
  }

  /**
   * Retention or erasure: the row goes and the chain records a deliberate
   * removal (entry with fileSha256 null), in one transaction. Refuses a
   * recording under legal hold. The caller deletes the file afterwards.
   */
  removeRecording(recordingId: string, entry: ChainEntry): void {
    if (entry.fileSha256 !== null || entry.recordingId !== recordingId) {
      throw validationFailed([{ field: 'entry', message: 'a removal entry names the recording and has no file hash' }]);
    }
    this.db.transaction(() => {
      const r = this.db.prepare('SELECT legal_hold FROM recordings WHERE id = ?').get(recordingId) as { legal_hold: number } | undefined;
      if (!r) throw new AppError(404, 'recording-not-found', `recording ${recordingId} not found`, { recordingId });
      if (r.legal_hold === 1) throw new AppError(409, 'recording-legal-hold', `recording ${recordingId} is under legal hold`, { recordingId });
      this.append(entry);
      this.db.prepare('DELETE FROM recordings WHERE id = ?').run(recordingId);
    }).immediate();
  }

  /** Whether the chain's newest entry for this id is a deliberate removal (its file may be deleted). */
  removedOnPurpose(recordingId: string): boolean {
    const r = this.db
      .prepare('SELECT file_sha256 FROM recording_chain WHERE recording_id = ? ORDER BY seq DESC LIMIT 1')
      .get(recordingId) as { file_sha256: string | null } | undefined;
    return r !== undefined && r.file_sha256 === null;
  }

  /** Bytes of encrypted files per tenant. */
  usageByTenant(): Map<number, number> {
    const rows = this.db.prepare('SELECT tenant_id AS t, sum(size_bytes) AS n FROM recordings GROUP BY tenant_id').all() as Array<{ t: number; n: number }>;
    return new Map(rows.map((r) => [r.t, r.n]));
  }

  tenantSettings(tenantId: number): RecordingTenantSettings {
    const r = this.db
      .prepare('SELECT retention_days, quota_bytes FROM recording_tenant_settings WHERE tenant_id = ?')
      .get(tenantId) as { retention_days: number | null; quota_bytes: number | null } | undefined;
    return { retentionDays: r?.retention_days ?? null, quotaBytes: r?.quota_bytes ?? null };
  }

  setTenantSettings(tenantId: number, s: RecordingTenantSettings, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO recording_tenant_settings (tenant_id, retention_days, quota_bytes, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days, quota_bytes = excluded.quota_bytes,
           updated_at = excluded.updated_at`,
      )
      .run(tenantId, s.retentionDays, s.quotaBytes, now.toISOString());
  }

  policies(tenantId: number): RecordingPolicyRow[] {
    return this.db
      .prepare('SELECT tenant_id AS tenantId, scope, target, mode FROM recording_policies WHERE tenant_id = ? ORDER BY scope, target')
      .all(tenantId) as RecordingPolicyRow[];
  }

  /** Replaces the tenant's whole policy list in one transaction. */
  replacePolicies(tenantId: number, list: Array<Omit<RecordingPolicyRow, 'tenantId'>>, now = new Date()): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM recording_policies WHERE tenant_id = ?').run(tenantId);
      const ins = this.db.prepare('INSERT INTO recording_policies (tenant_id, scope, target, mode, updated_at) VALUES (?, ?, ?, ?, ?)');
      for (const p of list) ins.run(tenantId, p.scope, p.target, p.mode, now.toISOString());
    }).immediate();
  }

  /** The user's listen grant as stored (migration 0140), or undefined. */
  listenGrant(userId: number, now = new Date()): ListenGrant | undefined {
    const r = this.db.prepare(`${GRANT_SELECT} WHERE g.user_id = ?`).get(userId) as GrantRow | undefined;
    return r && grantOf(r, now);
  }

  /** Grants of one tenant's users, or of every user (null: a superadmin's view). */
  listenGrants(tenantId: number | null, now = new Date()): ListenGrant[] {
    const rows = (
      tenantId === null
        ? this.db.prepare(`${GRANT_SELECT} ORDER BY g.user_id`).all()
        : this.db.prepare(`${GRANT_SELECT} WHERE u.tenant_id = ? ORDER BY g.user_id`).all(tenantId)
    ) as GrantRow[];
    return rows.map((r) => grantOf(r, now));
  }

  /** Active: approved and not yet expired. */
  hasListenGrant(userId: number, now = new Date()): boolean {
    return this.listenGrant(userId, now)?.active ?? false;
  }

  /** The first "yes": a request that a second person must approve; an active grant stays while its renewal waits. */
  requestListenGrant(userId: number, by: string, days: number, reason: string, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO recording_listen_grants (user_id, requested_by, requested_at, request_days, reason) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = excluded.requested_at,
           request_days = excluded.request_days, reason = excluded.reason`,
      )
      .run(userId, by, now.toISOString(), days, reason);
  }

  /** The second "yes": the pending request takes effect for its days from now. False when nothing was pending. */
  approveListenGrant(userId: number, by: string, now = new Date()): boolean {
    const r = this.db
      .prepare(
        `UPDATE recording_listen_grants SET granted_by = ?, granted_at = ?,
           expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+' || request_days || ' days'),
           requested_at = NULL, request_days = NULL
         WHERE user_id = ? AND requested_at IS NOT NULL`,
      )
      .run(by, now.toISOString(), now.toISOString(), userId);
    return r.changes === 1;
  }

  /** A grant given at once, by the box's root on the console (the owner's first step on a fresh box). */
  grantListenDirectly(userId: number, by: string, days: number, reason: string, now = new Date()): void {
    const until = new Date(now.getTime() + days * 86_400_000).toISOString();
    this.db
      .prepare(
        `INSERT INTO recording_listen_grants (user_id, requested_by, reason, granted_by, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = NULL, request_days = NULL,
           reason = excluded.reason, granted_by = excluded.granted_by, granted_at = excluded.granted_at, expires_at = excluded.expires_at`,
      )
      .run(userId, by, reason, by, now.toISOString(), until);
  }

  /** Ends a grant and any request at once. True when there was one. */
  revokeListenGrant(userId: number): boolean {
    return this.db.prepare('DELETE FROM recording_listen_grants WHERE user_id = ?').run(userId).changes === 1;
  }
}

export interface ListenGrant {
  userId: number;
  username: string;
  role: string;
  tenantId: number | null;
  /** Approved and not expired. */
  active: boolean;
  grantedBy: string | null;
  grantedAt: string | null;
  expiresAt: string | null;
  /** A request waiting for its second person. */
  pending: { requestedBy: string; requestedAt: string; days: number } | null;
  requestedBy: string | null;
  reason: string;
}

interface GrantRow {
  userId: number;
  username: string;
  role: string;
  tenantId: number | null;
  requestedBy: string | null;
  requestedAt: string | null;
  requestDays: number | null;
  reason: string;
  grantedBy: string | null;
  grantedAt: string | null;
  expiresAt: string | null;
}

const GRANT_SELECT = `SELECT g.user_id AS userId, u.username, u.role, u.tenant_id AS tenantId, g.requested_by AS requestedBy,
  g.requested_at AS requestedAt, g.request_days AS requestDays, g.reason, g.granted_by AS grantedBy, g.granted_at AS grantedAt,
  g.expires_at AS expiresAt FROM recording_listen_grants g JOIN users u ON u.id = g.user_id`;

const grantOf = (r: GrantRow, now: Date): ListenGrant => ({
  userId: r.userId,
  username: r.username,
  role: r.role,
  tenantId: r.tenantId,
  active: r.expiresAt !== null && Date.parse(r.expiresAt) > now.getTime(),
  grantedBy: r.grantedBy,
  grantedAt: r.grantedAt,
  expiresAt: r.expiresAt,
  pending: r.requestedAt !== null && r.requestDays !== null ? { requestedBy: r.requestedBy ?? '', requestedAt: r.requestedAt, days: r.requestDays } : null,
  requestedBy: r.requestedBy,
  reason: r.reason,
});

export type AlarmSeverity = 'info' | 'warning' | 'critical';

export interface Alarm {
  id: number;
  code: string;
  severity: AlarmSeverity;
  tenantId: number | null;
  source: string;
  message: string;
  details: Record<string, unknown>;
  raisedAt: string;
  clearedAt: string | null;
}

interface AlarmRow {
  id: number;
  code: string;
  severity: AlarmSeverity;
  tenant_id: number | null;
  source: string;
  message: string;
  details: string;
  raised_at: string;
  cleared_at: string | null;
}

const toAlarm = (r: AlarmRow): Alarm => ({
  id: r.id,
  code: r.code,
  severity: r.severity,
  tenantId: r.tenant_id,
  source: r.source,
  message: r.message,
  details: JSON.parse(r.details) as Record<string, unknown>,
  raisedAt: r.raised_at,
  clearedAt: r.cleared_at,
});

/** Alarms the box raises (first user: the recordings service); at most one active per code and tenant. */
export class AlarmsRepo {
  constructor(private readonly db: Db) {}

  /** Raises the alarm, or refreshes the message of the active one; returns whether it is new. */
  raise(a: Pick<Alarm, 'code' | 'severity' | 'tenantId' | 'source' | 'message'> & { details?: Record<string, unknown> }, now = new Date()): boolean {
    return this.db.transaction(() => {
      const active = this.db
        .prepare('SELECT id FROM alarms WHERE code = ? AND coalesce(tenant_id, 0) = ? AND cleared_at IS NULL')
        .get(a.code, a.tenantId ?? 0) as { id: number } | undefined;
      const details = JSON.stringify(a.details ?? {});
      if (active) {
        this.db.prepare('UPDATE alarms SET severity = ?, message = ?, details = ? WHERE id = ?').run(a.severity, a.message, details, active.id);
        return false;
      }
      this.db
        .prepare('INSERT INTO alarms (code, severity, tenant_id, source, message, details, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(a.code, a.severity, a.tenantId, a.source, a.message, details, now.toISOString());
      return true;
    }).immediate();
  }

  /** Clears the active alarm; returns whether there was one. */
  clear(code: string, tenantId: number | null = null, now = new Date()): boolean {
    const r = this.db
      .prepare('UPDATE alarms SET cleared_at = ? WHERE code = ? AND coalesce(tenant_id, 0) = ? AND cleared_at IS NULL')
      .run(now.toISOString(), code, tenantId ?? 0);
    return r.changes > 0;
  }

  /** Newest first. `tenantId` given: that tenant's alarms and the appliance-wide ones. */
  list(q: { active?: boolean; tenantId?: number; limit?: number; offset?: number } = {}): { rows: Alarm[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.active) where.push('cleared_at IS NULL');
    if (q.tenantId !== undefined) {
      where.push('(tenant_id IS NULL OR tenant_id = @tenantId)');
      args.tenantId = q.tenantId;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM alarms ${clause}`).get(args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM alarms ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: q.limit ?? 100, offset: q.offset ?? 0 }) as AlarmRow[];
    return { rows: rows.map(toAlarm), total };
  }
}
