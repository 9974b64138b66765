// Extension features (migration 0040) and the queries over call-control's
// `extensions` table that the admin API needs and its repo lacks (search,
// paging, a count per tenant). Read-only on `extensions`: writes to it go
// through call-control's ExtensionsRepo.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db';
import type { Extension, OutboundPermissionLevel } from './extensions';
import { isSealed, PdFieldsSlot } from './pd-fields';

/** Forward targets are often employees' private mobiles: sealed like CDR parties (issue 15); an extension target stays plain. */
const FORWARD_FIELDS = ['forward_always', 'forward_busy', 'forward_no_answer', 'forward_unreachable'] as const;
const forwardRef = (tenantId: number, extensionId: number, field: string) => ({ table: 'extension_features', tenantId, rowId: String(extensionId), field });

export interface ExtensionFeatures {
  userId: number | null;
  callerIdName: string;
  callerIdNumber: string;
  dnd: boolean;
  /** TLS signalling and SRTP media only (migration 0178): anything in clear is refused. */
  requireTls: boolean;
  forward: {
    always: string | null;
    busy: string | null;
    noAnswer: string | null;
    noAnswerSeconds: number;
    unreachable: string | null;
  };
}

export type ExtensionView = Extension & ExtensionFeatures;

export const defaultFeatures = (): ExtensionFeatures => ({
  userId: null,
  callerIdName: '',
  callerIdNumber: '',
  dnd: false,
  requireTls: false,
  forward: { always: null, busy: null, noAnswer: null, noAnswerSeconds: 20, unreachable: null },
});

interface Row {
  id: number;
  tenant_id: number;
  extension: string;
  display_name: string;
  sip_username: string;
  outbound_permission: OutboundPermissionLevel;
  enabled: number;
  created_at: string;
  updated_at: string;
  user_id: number | null;
  caller_id_name: string | null;
  caller_id_number: string | null;
  dnd: number | null;
  require_tls: number | null;
  forward_always: string | null;
  forward_busy: string | null;
  forward_no_answer: string | null;
  no_answer_seconds: number | null;
  forward_unreachable: string | null;
  /** Sealed outside forward targets by column (migration 0161); absent before it. */
  forward_sealed?: string | null;
}

const SELECT = `SELECT e.id, e.tenant_id, e.extension, e.display_name, e.sip_username, e.outbound_permission, e.enabled, e.created_at, e.updated_at,
  f.user_id, f.caller_id_name, f.caller_id_number, f.dnd, f.require_tls, f.forward_always, f.forward_busy, f.forward_no_answer, f.no_answer_seconds, f.forward_unreachable
  FROM extensions e LEFT JOIN extension_features f ON f.extension_id = e.id`;

function toView(r: Row, pd: PdFieldsSlot): ExtensionView {
  const sealed = r.forward_sealed ? (JSON.parse(r.forward_sealed) as Record<string, unknown>) : {};
  for (const f of FORWARD_FIELDS) {
    const v = sealed[f];
    if (isSealed(v as string)) r = { ...r, [f]: pd.open(v as string, forwardRef(r.tenant_id, r.id, f)) };
  }
  const d = defaultFeatures();
  return {
    id: r.id,
    tenantId: r.tenant_id,
    extension: r.extension,
    displayName: r.display_name,
    sipUsername: r.sip_username,
    outboundPermission: r.outbound_permission,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    userId: r.user_id ?? null,
    callerIdName: r.caller_id_name ?? d.callerIdName,
    callerIdNumber: r.caller_id_number ?? d.callerIdNumber,
    dnd: r.dnd === 1,
    requireTls: r.require_tls === 1,
    forward: {
      always: r.forward_always ?? null,
      busy: r.forward_busy ?? null,
      noAnswer: r.forward_no_answer ?? null,
      noAnswerSeconds: r.no_answer_seconds ?? d.forward.noAnswerSeconds,
      unreachable: r.forward_unreachable ?? null,
    },
  };
}

export interface ExtensionSearch {
  /** undefined: every tenant (appliance-level reader). */
  tenantId?: number;
  /** Matches the number, the SIP user name or the display name. */
  q?: string;
  /** Only the extensions linked to this user (an employee's own). */
  userId?: number;
  limit?: number;
  offset?: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export class ExtensionFeaturesRepo {
  /** The feature columns this database has (one older than 0161 has no forward_sealed: the migration tests). */
  private readonly select: string;
  private readonly sealedColumn: boolean;

  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {
    this.sealedColumn = db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('extension_features', 'forward_sealed') !== undefined;
    this.select = this.sealedColumn ? SELECT.replace('f.forward_unreachable', 'f.forward_unreachable, f.forward_sealed') : SELECT;
  }

  get(id: number): ExtensionView | undefined {
    const r = this.db.prepare(`${this.select} WHERE e.id = ?`).get(id) as Row | undefined;
    return r && toView(r, this.pd);
  }

  search(s: ExtensionSearch): { extensions: ExtensionView[]; total: number } {
    const where = `WHERE (@tenantId IS NULL OR e.tenant_id = @tenantId) AND (@userId IS NULL OR f.user_id = @userId)
      AND (@q IS NULL OR e.extension LIKE @q ESCAPE '\\' OR e.sip_username LIKE @q ESCAPE '\\' OR e.display_name LIKE @q ESCAPE '\\')`;
    const p = { tenantId: s.tenantId ?? null, userId: s.userId ?? null, q: s.q ? `%${escapeLike(s.q)}%` : null };
    const total = (this.db.prepare(`SELECT count(*) AS n FROM extensions e LEFT JOIN extension_features f ON f.extension_id = e.id ${where}`).get(p) as { n: number }).n;
    const rows = this.db
      .prepare(`${this.select} ${where} ORDER BY e.tenant_id, length(e.extension), e.extension LIMIT @limit OFFSET @offset`)
      .all({ ...p, limit: Math.min(Math.max(s.limit ?? 50, 1), 500), offset: Math.max(s.offset ?? 0, 0) }) as Row[];
    return { extensions: rows.map((r) => toView(r, this.pd)), total };
  }

  /** Every number of a tenant, for duplicate checks over an import. */
  numbers(tenantId: number): { extensions: Set<string>; usernames: Set<string> } {
    const rows = this.db.prepare('SELECT extension, sip_username FROM extensions WHERE tenant_id = ?').all(tenantId) as Array<{ extension: string; sip_username: string }>;
    return { extensions: new Set(rows.map((r) => r.extension)), usernames: new Set(rows.map((r) => r.sip_username)) };
  }

  /** Extension numbers linked to a user (an employee's own calls). */
  numbersOfUser(userId: number): string[] {
    return (this.db.prepare('SELECT e.extension FROM extensions e JOIN extension_features f ON f.extension_id = e.id WHERE f.user_id = ? ORDER BY e.extension').all(userId) as Array<{ extension: string }>).map((r) => r.extension);
  }

  /** What still points at an extension: other extensions forwarding to it, inbound numbers routed to it. */
  usersOf(tenantId: number, extension: string): { forwardedFrom: string[]; dids: string[] } {
    const forwardedFrom = (
      this.db
        .prepare(
          `SELECT e.extension FROM extensions e JOIN extension_features f ON f.extension_id = e.id WHERE e.tenant_id = @t AND e.extension != @x
           AND @x IN (f.forward_always, f.forward_busy, f.forward_no_answer, f.forward_unreachable) ORDER BY e.extension`,
        )
        .all({ t: tenantId, x: extension }) as Array<{ extension: string }>
    ).map((r) => r.extension);
    const hasDids = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dids'").get() !== undefined;
    const dids = hasDids
      ? (this.db.prepare("SELECT number FROM dids WHERE tenant_id = ? AND destination_type = 'extension' AND destination = ? ORDER BY number").all(tenantId, extension) as Array<{ number: string }>).map((r) => r.number)
      : [];
    return { forwardedFrom, dids };
  }

  private upsert: Statement<unknown[]> | undefined;

  /** Writes the whole feature row (insert or replace). The statement is prepared once: an import writes thousands. */
  set(extensionId: number, f: ExtensionFeatures, now = new Date()): void {
    const sealedCol = this.sealedColumn ? ', forward_sealed' : '';
    this.upsert ??= this.db.prepare(
        `INSERT INTO extension_features (extension_id, user_id, caller_id_name, caller_id_number, dnd, require_tls, forward_always, forward_busy, forward_no_answer, no_answer_seconds, forward_unreachable, updated_at${sealedCol})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?${this.sealedColumn ? ', ?' : ''})
         ON CONFLICT(extension_id) DO UPDATE SET user_id = excluded.user_id, caller_id_name = excluded.caller_id_name, caller_id_number = excluded.caller_id_number,
           dnd = excluded.dnd, require_tls = excluded.require_tls, forward_always = excluded.forward_always, forward_busy = excluded.forward_busy, forward_no_answer = excluded.forward_no_answer,
           no_answer_seconds = excluded.no_answer_seconds, forward_unreachable = excluded.forward_unreachable, updated_at = excluded.updated_at${this.sealedColumn ? ', forward_sealed = excluded.forward_sealed' : ''}`,
    );
    const sealed: Record<string, string> = {};
    let tenantId: number | undefined;
    const plain = (v: string | null, field: string): string | null => {
      if (v === null || !this.pd.cipher || !this.sealedColumn) return v;
      tenantId ??= (this.db.prepare('SELECT tenant_id FROM extensions WHERE id = ?').get(extensionId) as { tenant_id: number } | undefined)?.tenant_id;
      const s = tenantId === undefined ? v : this.pd.seal(v, forwardRef(tenantId, extensionId, field));
      if (!isSealed(s)) return v;
      sealed[field] = s;
      return null;
    };
    const fw = f.forward;
    const args = [extensionId, f.userId, f.callerIdName, f.callerIdNumber, f.dnd ? 1 : 0, f.requireTls ? 1 : 0, plain(fw.always, 'forward_always'), plain(fw.busy, 'forward_busy'), plain(fw.noAnswer, 'forward_no_answer'), fw.noAnswerSeconds, plain(fw.unreachable, 'forward_unreachable'), now.toISOString()];
    if (this.sealedColumn) args.push(Object.keys(sealed).length > 0 ? JSON.stringify(sealed) : null);
    this.upsert.run(...args);
  }
}
