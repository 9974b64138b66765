// Extensions (migration 0020): numbers, SIP credentials as HA1, permissions.
// HA1 values are computed by the caller (call-control's digest module) from
// the password and the tenant's SIP domain; this file never sees a password.
import { AppError } from '../../common/errors';
import type { Db } from '../db';

export const outboundPermissions = ['internal', 'local', 'national', 'international'] as const;
export type OutboundPermissionLevel = (typeof outboundPermissions)[number];

export interface Extension {
  id: number;
  tenantId: number;
  extension: string;
  displayName: string;
  sipUsername: string;
  outboundPermission: OutboundPermissionLevel;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What digest verification needs; lower-case hex. */
export interface ExtensionCredentials {
  extension: Extension;
  ha1: { MD5: string; 'SHA-256': string };
}

export interface NewExtension {
  tenantId: number;
  extension: string;
  displayName?: string;
  /** Defaults to the extension number. */
  sipUsername?: string;
  ha1: { MD5: string; 'SHA-256': string };
  outboundPermission?: OutboundPermissionLevel;
  enabled?: boolean;
}

interface Row {
  id: number;
  tenant_id: number;
  extension: string;
  display_name: string;
  sip_username: string;
  ha1_md5: string;
  ha1_sha256: string;
  outbound_permission: OutboundPermissionLevel;
  enabled: number;
  created_at: string;
  updated_at: string;
}

const toExtension = (r: Row): Extension => ({
  id: r.id,
  tenantId: r.tenant_id,
  extension: r.extension,
  displayName: r.display_name,
  sipUsername: r.sip_username,
  outboundPermission: r.outbound_permission,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const extensionExists = (extension: string): AppError =>
  new AppError(409, 'extension-exists', `extension or SIP username ${extension} already exists in this tenant`, { extension });

export const invalidExtension = (detail: string): AppError => new AppError(400, 'invalid-extension', `extension rejected by the store: ${detail}`);

/** Turns constraint violations into stable errors; the row is not written. */
function guard<T>(extension: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw extensionExists(extension);
    if (code === 'SQLITE_CONSTRAINT_CHECK') throw invalidExtension(e instanceof Error ? e.message : String(e));
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AppError(404, 'tenant-not-found', 'no such tenant');
    throw e;
  }
}

export class ExtensionsRepo {
  constructor(private readonly db: Db) {}

  create(e: NewExtension, now = new Date()): Extension {
    const at = now.toISOString();
    const info = guard(e.extension, () =>
      this.db
        .prepare(
          `INSERT INTO extensions (tenant_id, extension, display_name, sip_username, ha1_md5, ha1_sha256, outbound_permission, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.tenantId, e.extension, e.displayName ?? '', e.sipUsername ?? e.extension, e.ha1.MD5, e.ha1['SHA-256'], e.outboundPermission ?? 'internal', e.enabled === false ? 0 : 1, at, at),
    );
    return this.byId(Number(info.lastInsertRowid))!;
  }

  byId(id: number): Extension | undefined {
    const r = this.db.prepare('SELECT * FROM extensions WHERE id = ?').get(id) as Row | undefined;
    return r && toExtension(r);
  }

  get(tenantId: number, extension: string): Extension | undefined {
    const r = this.db.prepare('SELECT * FROM extensions WHERE tenant_id = ? AND extension = ?').get(tenantId, extension) as Row | undefined;
    return r && toExtension(r);
  }

  list(tenantId: number): Extension[] {
    return (this.db.prepare('SELECT * FROM extensions WHERE tenant_id = ? ORDER BY extension').all(tenantId) as Row[]).map(toExtension);
  }

  /** For digest verification: enabled extensions only. */
  credentials(tenantId: number, sipUsername: string): ExtensionCredentials | undefined {
    const r = this.db.prepare('SELECT * FROM extensions WHERE tenant_id = ? AND sip_username = ? AND enabled = 1').get(tenantId, sipUsername) as Row | undefined;
    return r && { extension: toExtension(r), ha1: { MD5: r.ha1_md5, 'SHA-256': r.ha1_sha256 } };
  }

  update(tenantId: number, extension: string, patch: { displayName?: string; outboundPermission?: OutboundPermissionLevel; enabled?: boolean }, now = new Date()): Extension | undefined {
    const cur = this.get(tenantId, extension);
    if (!cur) return undefined;
    guard(extension, () =>
      this.db
        .prepare('UPDATE extensions SET display_name = ?, outbound_permission = ?, enabled = ?, updated_at = ? WHERE id = ?')
        .run(patch.displayName ?? cur.displayName, patch.outboundPermission ?? cur.outboundPermission, (patch.enabled ?? cur.enabled) ? 1 : 0, now.toISOString(), cur.id),
    );
    return this.byId(cur.id);
  }

  setHa1(tenantId: number, extension: string, ha1: { MD5: string; 'SHA-256': string }, now = new Date()): boolean {
    return guard(extension, () =>
      this.db
        .prepare('UPDATE extensions SET ha1_md5 = ?, ha1_sha256 = ?, updated_at = ? WHERE tenant_id = ? AND extension = ?')
        .run(ha1.MD5, ha1['SHA-256'], now.toISOString(), tenantId, extension),
    ).changes === 1;
  }

  delete(tenantId: number, extension: string): boolean {
    return this.db.prepare('DELETE FROM extensions WHERE tenant_id = ? AND extension = ?').run(tenantId, extension).changes === 1;
  }

  /** All extensions of the box, for the licence's extension limit. */
  countAll(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM extensions').get() as { n: number }).n;
  }
}
