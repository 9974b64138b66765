// Call-flow objects (migration 0050): ring groups, IVR menus, schedules,
// announcements and lists, each a validated config kept as JSON (lists'
// entries as rows); the tenant's main destination (a setting); recording
// notices per DID/route/queue; a ring group's round-robin memory. The api
// validates with services/call-flows before writing; this repo only stores.
import type { Destination } from '../../call-flows';
import { AppError } from '../../common/errors';
import type { Db } from '../db';

export const flowKinds = ['ring-group', 'ivr', 'schedule', 'announcement', 'list', 'queue'] as const;
export type FlowKind = (typeof flowKinds)[number];

const TABLES: Record<FlowKind, string> = {
  'ring-group': 'ring_groups',
  ivr: 'ivr_menus',
  schedule: 'schedules',
  announcement: 'announcements',
  list: 'call_lists',
  queue: 'queues',
};

export interface FlowRecord<C = unknown> {
  id: number;
  tenantId: number;
  name: string;
  config: C;
  createdAt: string;
  updatedAt: string;
}

export interface StoredListEntry {
  match: 'number' | 'prefix' | 'anonymous';
  value: string;
  note: string;
}

export const noticeScopes = ['did', 'route', 'queue'] as const;
export type NoticeScope = (typeof noticeScopes)[number];

export interface NoticeRecord {
  tenantId: number;
  scope: NoticeScope;
  ref: string;
  config: unknown;
  updatedAt: string;
}

interface Row {
  id: number;
  tenant_id: number;
  name: string;
  config: string;
  created_at: string;
  updated_at: string;
}

const MAIN_KEY = 'callFlows.mainDestination';

const toRecord = (r: Row): FlowRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  config: JSON.parse(r.config) as unknown,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function guard<T>(kind: FlowKind, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE')
      throw new AppError(409, `${kind}-exists`, `a ${kind.replace('-', ' ')} with this name exists in this tenant`, { field: 'name' });
    throw e;
  }
}

export class CallFlowsRepo {
  constructor(private readonly db: Db) {}

  list(kind: FlowKind, tenantId?: number): FlowRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM ${TABLES[kind]} WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, name`)
      .all({ t: tenantId ?? null }) as Row[];
    return rows.map((r) => this.withEntries(kind, toRecord(r)));
  }

  get(kind: FlowKind, id: number): FlowRecord | undefined {
    const r = this.db.prepare(`SELECT * FROM ${TABLES[kind]} WHERE id = ?`).get(id) as Row | undefined;
    return r && this.withEntries(kind, toRecord(r));
  }

  /** `config` is the whole validated object, its `name` included; a list's `entries` go to their own rows. */
  create(kind: FlowKind, tenantId: number, config: { name: string }, now = new Date()): FlowRecord {
    const at = now.toISOString();
    return this.db.transaction(() => {
      const { body, entries } = split(kind, config);
      const info = guard(kind, () =>
        this.db
          .prepare(`INSERT INTO ${TABLES[kind]} (tenant_id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
          .run(tenantId, config.name, JSON.stringify(body), at, at),
      );
      const id = Number(info.lastInsertRowid);
      if (entries) this.writeEntries(id, entries);
      return this.get(kind, id)!;
    })();
  }

  update(kind: FlowKind, id: number, config: { name: string }, now = new Date()): FlowRecord | undefined {
    return this.db.transaction(() => {
      const { body, entries } = split(kind, config);
      const n = guard(
        kind,
        () =>
          this.db
            .prepare(`UPDATE ${TABLES[kind]} SET name = ?, config = ?, updated_at = ? WHERE id = ?`)
            .run(config.name, JSON.stringify(body), now.toISOString(), id).changes,
      );
      if (n === 0) return undefined;
      if (entries) this.writeEntries(id, entries);
      return this.get(kind, id);
    })();
  }

  delete(kind: FlowKind, id: number): boolean {
    return this.db.prepare(`DELETE FROM ${TABLES[kind]} WHERE id = ?`).run(id).changes === 1;
  }

  /** Changes whenever any flow object of the tenant (or the main destination) changes: call-control re-reads then. */
  version(tenantId: number): string {
    const parts = flowKinds.map((k) => {
      const r = this.db
        .prepare(`SELECT count(*) AS n, coalesce(max(updated_at), '') AS m FROM ${TABLES[k]} WHERE tenant_id = ?`)
        .get(tenantId) as { n: number; m: string };
      return `${r.n}@${r.m}`;
    });
    const main = this.db.prepare('SELECT updated_at AS u FROM settings WHERE tenant_id = ? AND key = ?').get(tenantId, MAIN_KEY) as
      { u: string } | undefined;
    return [...parts, main?.u ?? ''].join('|');
  }

  mainDestination(tenantId: number): Destination | null {
    const r = this.db.prepare('SELECT value FROM settings WHERE tenant_id = ? AND key = ?').get(tenantId, MAIN_KEY) as
      { value: string } | undefined;
    return r ? (JSON.parse(r.value) as Destination | null) : null;
  }

  setMainDestination(tenantId: number, d: Destination | null, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (coalesce(tenant_id, 0), key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(tenantId, MAIN_KEY, JSON.stringify(d), now.toISOString());
  }

  /** Round-robin memory: the member a group rang last. */
  lastMember(groupId: number): string | undefined {
    return (
      this.db.prepare('SELECT last_extension AS e FROM ring_group_memory WHERE group_id = ?').get(groupId) as { e: string } | undefined
    )?.e;
  }

  rememberMember(groupId: number, extension: string, now = new Date()): void {
    this.db
      .prepare(
        'INSERT INTO ring_group_memory (group_id, last_extension, updated_at) VALUES (?, ?, ?) ON CONFLICT (group_id) DO UPDATE SET last_extension = excluded.last_extension, updated_at = excluded.updated_at',
      )
      .run(groupId, extension, now.toISOString());
  }

  notices(tenantId?: number): NoticeRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM recording_notices WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, scope, ref')
      .all({ t: tenantId ?? null }) as {
      tenant_id: number;
      scope: NoticeScope;
      ref: string;
      config: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      scope: r.scope,
      ref: r.ref,
      config: JSON.parse(r.config) as unknown,
      updatedAt: r.updated_at,
    }));
  }

  notice(tenantId: number, scope: NoticeScope, ref: string): NoticeRecord | undefined {
    return this.notices(tenantId).find((n) => n.scope === scope && n.ref === ref);
  }

  setNotice(tenantId: number, scope: NoticeScope, ref: string, config: object, now = new Date()): NoticeRecord {
    this.db
      .prepare(
        `INSERT INTO recording_notices (tenant_id, scope, ref, config, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, scope, ref) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run(tenantId, scope, ref, JSON.stringify(config), now.toISOString());
    return this.notice(tenantId, scope, ref)!;
  }

  deleteNotice(tenantId: number, scope: NoticeScope, ref: string): boolean {
    return (
      this.db.prepare('DELETE FROM recording_notices WHERE tenant_id = ? AND scope = ? AND ref = ?').run(tenantId, scope, ref).changes === 1
    );
  }

  private withEntries(kind: FlowKind, r: FlowRecord): FlowRecord {
    if (kind !== 'list') return r;
    const entries = this.db
      .prepare('SELECT match, value, note FROM call_list_entries WHERE list_id = ? ORDER BY position')
      .all(r.id) as StoredListEntry[];
    return { ...r, config: { ...(r.config as object), entries } };
  }

  private writeEntries(listId: number, entries: readonly StoredListEntry[]): void {
    this.db.prepare('DELETE FROM call_list_entries WHERE list_id = ?').run(listId);
    const ins = this.db.prepare('INSERT INTO call_list_entries (list_id, position, match, value, note) VALUES (?, ?, ?, ?, ?)');
    entries.forEach((e, i) => ins.run(listId, i, e.match, e.value, e.note));
  }
}

function split(kind: FlowKind, config: { name: string }): { body: object; entries?: StoredListEntry[] } {
  if (kind !== 'list') return { body: config };
  const { entries, ...body } = config as { name: string; entries?: StoredListEntry[] };
  return { body, entries: entries ?? [] };
}
