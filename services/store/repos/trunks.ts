// Trunks and inbound DIDs (migration 0041). The trunk password arrives
// sealed (SecretBox) and leaves only through sealedPassword(), for
// call-control; the Trunk shape says only whether one is set.
import type { Destination } from '../../call-flows';
import { AppError } from '../../common/errors';
import type { Db } from '../db';
// The frozen rule of the migration that made numbers canonical is also the rule rows are written by.
import { canonicalDid } from '../migrations/0125-did-canonical';

export const trunkKinds = ['register', 'ip'] as const;
export const transports = ['udp', 'tcp', 'tls'] as const;
/** Where an inbound number goes (services/call-flows Destination), or 'main': the tenant's main destination. */
export const didDestinationTypes = ['extension', 'external', 'hangup', 'feature', 'main'] as const;

export interface TrunkFields {
  name: string;
  kind: (typeof trunkKinds)[number];
  host: string | null;
  port: number;
  transport: (typeof transports)[number];
  username: string | null;
  registerExpiry: number;
  addresses: string[];
  optionsInterval: number;
  channelLimit: number;
  outboundCallerId: string;
  enabled: boolean;
}

export interface Trunk extends TrunkFields {
  id: number;
  tenantId: number;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

/** null: the tenant's main destination. */
export type DidDestination = Destination | null;

export interface Did {
  id: number;
  tenantId: number;
  number: string;
  trunkId: number | null;
  destination: DidDestination;
  createdAt: string;
}

interface TrunkRow {
  id: number;
  tenant_id: number;
  name: string;
  kind: Trunk['kind'];
  host: string | null;
  port: number;
  transport: Trunk['transport'];
  username: string | null;
  password_sealed: string | null;
  register_expiry: number;
  addresses: string;
  options_interval: number;
  channel_limit: number;
  outbound_caller_id: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

interface DidRow {
  id: number;
  tenant_id: number;
  number: string;
  trunk_id: number | null;
  destination_type: (typeof didDestinationTypes)[number];
  destination: string;
  created_at: string;
}

const toTrunk = (r: TrunkRow): Trunk => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  kind: r.kind,
  host: r.host,
  port: r.port,
  transport: r.transport,
  username: r.username,
  hasPassword: r.password_sealed !== null,
  registerExpiry: r.register_expiry,
  addresses: JSON.parse(r.addresses) as string[],
  optionsInterval: r.options_interval,
  channelLimit: r.channel_limit,
  outboundCallerId: r.outbound_caller_id,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDid = (r: DidRow): Did => ({
  id: r.id,
  tenantId: r.tenant_id,
  number: r.number,
  trunkId: r.trunk_id,
  destination: r.destination_type === 'main' ? null : r.destination_type === 'extension' ? { type: 'extension', extension: r.destination } : (JSON.parse(r.destination) as Destination),
  createdAt: r.created_at,
});

/** 0041 stored an extension's bare number; every other destination is JSON. */
const didColumns = (d: DidDestination): [string, string] =>
  d === null ? ['main', ''] : d.type === 'extension' ? ['extension', d.extension] : [d.type, JSON.stringify(d)];

function guard<T>(what: 'trunk' | 'did', write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE')
      throw what === 'trunk'
        ? new AppError(409, 'trunk-exists', 'a trunk with this name exists in this tenant', { field: 'name' })
        : new AppError(409, 'did-exists', 'this number is already routed', { field: 'number' });
    if (code === 'SQLITE_CONSTRAINT_CHECK') throw new AppError(400, `invalid-${what}`, `${what} rejected by the store: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

const params = (tenantId: number, f: TrunkFields, sealed: string | null, at: string) => ({
  tenant_id: tenantId,
  name: f.name,
  kind: f.kind,
  host: f.host,
  port: f.port,
  transport: f.transport,
  username: f.username,
  password_sealed: sealed,
  register_expiry: f.registerExpiry,
  addresses: JSON.stringify(f.addresses),
  options_interval: f.optionsInterval,
  channel_limit: f.channelLimit,
  outbound_caller_id: f.outboundCallerId,
  enabled: f.enabled ? 1 : 0,
  at,
});

export class TrunksRepo {
  constructor(private readonly db: Db) {}

  list(tenantId?: number): Trunk[] {
    return (this.db.prepare('SELECT * FROM trunks WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, name').all({ t: tenantId ?? null }) as TrunkRow[]).map(toTrunk);
  }

  get(id: number): Trunk | undefined {
    const r = this.db.prepare('SELECT * FROM trunks WHERE id = ?').get(id) as TrunkRow | undefined;
    return r && toTrunk(r);
  }

  /**
   * A cheap fingerprint of the whole trunks table (each row's id and last
   * update): it changes on every insert, update and delete, so call-control
   * re-reads its trunk directory only when an admin changed something.
   */
  version(): string {
    const r = this.db.prepare("SELECT count(*) AS n, coalesce(group_concat(id || '@' || updated_at, ','), '') AS v FROM (SELECT id, updated_at FROM trunks ORDER BY id)").get() as { n: number; v: string };
    return `${r.n}|${r.v}`;
  }

  /** For call-control: the sealed password to open with the same SecretBox. */
  sealedPassword(id: number): string | null {
    return (this.db.prepare('SELECT password_sealed AS p FROM trunks WHERE id = ?').get(id) as { p: string | null } | undefined)?.p ?? null;
  }

  create(tenantId: number, f: TrunkFields, sealed: string | null, now = new Date()): Trunk {
    const info = guard('trunk', () =>
      this.db
        .prepare(
          `INSERT INTO trunks (tenant_id, name, kind, host, port, transport, username, password_sealed, register_expiry, addresses, options_interval, channel_limit, outbound_caller_id, enabled, created_at, updated_at)
           VALUES (@tenant_id, @name, @kind, @host, @port, @transport, @username, @password_sealed, @register_expiry, @addresses, @options_interval, @channel_limit, @outbound_caller_id, @enabled, @at, @at)`,
        )
        .run(params(tenantId, f, sealed, now.toISOString())),
    );
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** `sealed` undefined keeps the stored password. */
  update(id: number, f: TrunkFields, sealed: string | null | undefined, now = new Date()): Trunk | undefined {
    const cur = this.db.prepare('SELECT * FROM trunks WHERE id = ?').get(id) as TrunkRow | undefined;
    if (!cur) return undefined;
    guard('trunk', () =>
      this.db
        .prepare(
          `UPDATE trunks SET name = @name, kind = @kind, host = @host, port = @port, transport = @transport, username = @username, password_sealed = @password_sealed,
             register_expiry = @register_expiry, addresses = @addresses, options_interval = @options_interval, channel_limit = @channel_limit,
             outbound_caller_id = @outbound_caller_id, enabled = @enabled, updated_at = @at WHERE id = @id`,
        )
        .run({ ...params(cur.tenant_id, f, sealed === undefined ? cur.password_sealed : sealed, now.toISOString()), id }),
    );
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM trunks WHERE id = ?').run(id).changes === 1;
  }

  listDids(tenantId?: number): Did[] {
    return (this.db.prepare('SELECT * FROM dids WHERE (@t IS NULL OR tenant_id = @t) ORDER BY number').all({ t: tenantId ?? null }) as DidRow[]).map(toDid);
  }

  getDid(id: number): Did | undefined {
    const r = this.db.prepare('SELECT * FROM dids WHERE id = ?').get(id) as DidRow | undefined;
    return r && toDid(r);
  }

  /** For call-control: where an inbound number goes. */
  didByNumber(number: string): Did | undefined {
    const r = this.db.prepare('SELECT * FROM dids WHERE number = ?').get(canonicalDid(number)) as DidRow | undefined;
    return r && toDid(r);
  }

  /**
   * Stored canonical whatever the caller passed (migration 0125's rule), so the
   * UNIQUE index on `number` holds over every spelling and over all tenants.
   * Another tenant's number is refused by its own code, naming no tenant.
   */
  createDid(tenantId: number, d: { number: string; trunkId: number | null; destination: DidDestination }, now = new Date()): Did {
    const number = canonicalDid(d.number);
    const holder = this.db.prepare('SELECT tenant_id FROM dids WHERE number = ?').get(number) as { tenant_id: number } | undefined;
    if (holder && holder.tenant_id !== tenantId)
      throw new AppError(409, 'did-held-by-another-tenant', `${number} is another tenant's inbound number (in any spelling); a superadmin can move it`, { field: 'number' });
    const info = guard('did', () =>
      this.db
        .prepare('INSERT INTO dids (tenant_id, number, trunk_id, destination_type, destination, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(tenantId, number, d.trunkId, ...didColumns(d.destination), now.toISOString()),
    );
    return this.getDid(Number(info.lastInsertRowid))!;
  }

  updateDid(id: number, d: { trunkId: number | null; destination: DidDestination }): Did | undefined {
    const n = this.db.prepare('UPDATE dids SET trunk_id = ?, destination_type = ?, destination = ? WHERE id = ?').run(d.trunkId, ...didColumns(d.destination), id).changes;
    return n === 1 ? this.getDid(id) : undefined;
  }

  deleteDid(id: number): boolean {
    return this.db.prepare('DELETE FROM dids WHERE id = ?').run(id).changes === 1;
  }
}
