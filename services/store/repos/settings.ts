import type { Db } from '../db';

/** Key/value settings, appliance-wide (tenantId null) or per tenant; values are JSON. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get<T>(key: string, tenantId: number | null = null): T | undefined {
    const r = this.db
      .prepare('SELECT value FROM settings WHERE key = ? AND coalesce(tenant_id, 0) = ?')
      .get(key, tenantId ?? 0) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  set(key: string, value: unknown, tenantId: number | null = null, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (coalesce(tenant_id, 0), key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(tenantId, key, JSON.stringify(value), now.toISOString());
  }

  delete(key: string, tenantId: number | null = null): void {
    this.db.prepare('DELETE FROM settings WHERE key = ? AND coalesce(tenant_id, 0) = ?').run(key, tenantId ?? 0);
  }
}
