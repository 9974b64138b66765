import type { Db } from '../db';

export interface Tenant {
  id: number;
  name: string;
  sipDomain: string;
  isDefault: boolean;
  createdAt: string;
}

interface Row {
  id: number;
  name: string;
  sip_domain: string;
  is_default: number;
  created_at: string;
}

const toTenant = (r: Row): Tenant => ({
  id: r.id,
  name: r.name,
  sipDomain: r.sip_domain,
  isDefault: r.is_default === 1,
  createdAt: r.created_at,
});

export class TenantsRepo {
  constructor(private readonly db: Db) {}

  list(): Tenant[] {
    return (this.db.prepare('SELECT * FROM tenants ORDER BY id').all() as Row[]).map(toTenant);
  }

  get(id: number): Tenant | undefined {
    const r = this.db.prepare('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
    return r && toTenant(r);
  }

  byDomain(domain: string): Tenant | undefined {
    const r = this.db.prepare('SELECT * FROM tenants WHERE sip_domain = ?').get(domain) as Row | undefined;
    return r && toTenant(r);
  }

  defaultTenant(): Tenant | undefined {
    const r = this.db.prepare('SELECT * FROM tenants WHERE is_default = 1').get() as Row | undefined;
    return r && toTenant(r);
  }

  create(t: { name: string; sipDomain: string; isDefault?: boolean }, now = new Date()): Tenant {
    const info = this.db
      .prepare('INSERT INTO tenants (name, sip_domain, is_default, created_at) VALUES (?, ?, ?, ?)')
      .run(t.name, t.sipDomain, t.isDefault ? 1 : 0, now.toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(id: number, patch: { name?: string; sipDomain?: string }): Tenant | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.db
      .prepare('UPDATE tenants SET name = ?, sip_domain = ? WHERE id = ?')
      .run(patch.name ?? cur.name, patch.sipDomain ?? cur.sipDomain, id);
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM tenants WHERE id = ?').run(id).changes === 1;
  }

  countUsers(id: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users WHERE tenant_id = ?').get(id) as { n: number }).n;
  }
}
