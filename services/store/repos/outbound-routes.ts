// Outbound routes (migration 0023): the admin saves a tenant's whole ordered
// list at once, so reordering is one atomic replace.
import type { Db } from '../db';

/** Same shape as call-control's OutboundRoute. */
export interface OutboundRouteData {
  id: string;
  name: string;
  enabled: boolean;
  patterns: string[];
  strip: number;
  prepend: string;
  trunks: string[];
}

interface Row {
  route_key: string;
  name: string;
  enabled: number;
  patterns: string;
  strip: number;
  prepend: string;
  trunks: string;
}

export class OutboundRoutesRepo {
  constructor(private readonly db: Db) {}

  list(tenantId: number): OutboundRouteData[] {
    const rows = this.db.prepare('SELECT * FROM outbound_routes WHERE tenant_id = ? ORDER BY position').all(tenantId) as Row[];
    return rows.map((r) => ({
      id: r.route_key,
      name: r.name,
      enabled: r.enabled === 1,
      patterns: JSON.parse(r.patterns) as string[],
      strip: r.strip,
      prepend: r.prepend,
      trunks: JSON.parse(r.trunks) as string[],
    }));
  }

  /** The tenant's routes become exactly `routes`, in this order; all or nothing. */
  replaceAll(tenantId: number, routes: readonly OutboundRouteData[], now = new Date()): void {
    const ins = this.db.prepare(
      `INSERT INTO outbound_routes (tenant_id, route_key, position, name, enabled, patterns, strip, prepend, trunks, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbound_routes WHERE tenant_id = ?').run(tenantId);
      routes.forEach((r, i) => {
        ins.run(tenantId, r.id, i, r.name, r.enabled ? 1 : 0, JSON.stringify(r.patterns), r.strip, r.prepend, JSON.stringify(r.trunks), now.toISOString());
      });
    })();
  }
}
