// Every schema version a box can be at upgrades to this code with its data
// (issue 18: "migrations are tested forward from every released schema
// version"). For each migration version N, beginning with the oldest: a real
// database file is migrated to N, filled with representative rows (tenant,
// users, settings, an audit row, an extension, CDRs, a recording with a
// listen grant and an alarm, and a trunk with a DID where the tables exist
// at N), closed, and opened again the way an upgraded appliance opens it
// (openDatabase migrates what is pending). Then every row that existed at N
// is still there with the same values in its columns of N, the database is
// consistent, and its schema equals a fresh database's.
//
// How real upgrades happen: the runner applies only versions above
// user_version. A database at N was written by a release holding every
// migration ≤ N, so "migrate a fresh file to N" is that database only while
// nobody adds a migration numbered below a released schema; numbers landed
// out of order on main (0082 after 0095, 0065 after 0090) but all before the
// last release. The last test pins that: a migration numbered at or below
// the newest released schema that was not in that release would never run on
// an upgraded box.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { latestVersion, migrate, migrations, openDatabase, schemaVersion, type Db } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const t = tempDir('mig-forward-');
afterAll(t.cleanup);

const versions = [...migrations].map((m) => m.version).sort((a, b) => a - b);
const latest = latestVersion(migrations);

/**
 * The newest release's schema and the migrations it held: the end of session
 * 5 (main at dd35ffd; the upgrade test's 790928e was schema 51, all of
 * 1–51). Raise both when a release ships.
 */
const NEWEST_RELEASE = {
  version: 140,
  held: [1, 20, 21, 22, 23, 24, 30, 40, 41, 42, 43, 50, 51, 60, 65, 70, 75, 76, 80, 81, 82, 85, 90, 95, 125, 140],
};

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
}

function columns(db: Db, table: string): string[] {
  return db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table) as string[];
}

/** Rows of a table restricted to the given columns, as sorted JSON lines (a multiset). */
function rows(db: Db, table: string, cols: readonly string[]): string[] {
  const list = cols.map((c) => `"${c}"`).join(', ');
  return (db.prepare(`SELECT ${list} FROM "${table}"`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
}

/** sqlite_master without the whitespace differences SQLite keeps verbatim. */
function schema(db: Db): string[] {
  return (db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all() as {
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }[])
    .map((r) => `${r.type} ${r.name} ON ${r.tbl_name}: ${(r.sql ?? '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim()}`)
    .sort();
}

const HEX = (n: number, c: string) => c.repeat(n);

/** Representative rows in the schema of version N: only the tables that exist then. */
function seed(db: Db): Record<string, number> {
  const has = new Set(tables(db));
  const now = '2026-01-15T09:00:00.000Z';
  db.prepare("INSERT INTO tenants (id, name, sip_domain, is_default, created_at) VALUES (1, 'Банк', 'bank.example.ru', 1, ?), (2, 'Филиал', 'branch.example.ru', 0, ?)").run(now, now);
  const user = db.prepare(
    "INSERT INTO users (tenant_id, username, display_name, role, password_hash, must_change_password, created_at, password_changed_at) VALUES (?, ?, ?, ?, 'scrypt$x', 0, ?, ?)",
  );
  user.run(null, 'root', 'Админ', 'superadmin', now, now);
  user.run(1, 'ivanova', 'Иванова А.', 'tenant-admin', now, now);
  user.run(2, 'petrov', 'Петров', 'supervisor', now, now);
  user.run(1, 'emp', '', 'employee', now, now);
  db.prepare("INSERT INTO settings (tenant_id, key, value, updated_at) VALUES (NULL, 'backup.schedule', '{\"every\":\"daily\"}', ?), (1, 'lang', 'ru', ?)").run(now, now);
  db.prepare(
    "INSERT INTO audit_log (at, actor_id, actor, tenant_id, action, target, details, prev_hash, hash) VALUES (?, 1, 'root', 1, 'extension.create', '201', '{}', ?, ?)",
  ).run(now, HEX(64, '0'), HEX(64, '1'));
  if (has.has('extensions')) {
    const ext = db.prepare(
      "INSERT INTO extensions (tenant_id, extension, display_name, sip_username, ha1_md5, ha1_sha256, outbound_permission, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    ext.run(1, '201', 'Приёмная', '201', HEX(32, 'a'), HEX(64, 'b'), 'national', now, now);
    ext.run(2, '301', '', 'branch301', HEX(32, 'c'), HEX(64, 'd'), 'internal', now, now);
  }
  if (has.has('cdrs')) {
    const cdr = db.prepare(
      `INSERT INTO cdrs (call_id, tenant_id, direction, caller_dialled, caller_number, callee_dialled, callee_number, extension, trunk,
        started_at, answered_at, ended_at, duration_seconds, billable_seconds, disposition, hangup_side, hangup_sip_status, status, last_seen_at, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    cdr.run('c1@box', 1, 'inbound', '+74951234567', '+74951234567', '88001234567', '201', '201', 'operator', now, now, '2026-01-15T09:01:00.000Z', 60, 55, 'answered', 'caller', null, 'completed', now, '');
    cdr.run('c2@box', 2, 'internal', '301', '301', '302', '302', '301', null, now, null, now, 0, 0, 'busy', 'callee', 486, 'completed', now, '');
    cdr.run('c3@box', 1, 'outbound', '201', '201', '84951112233', '+74951112233', '201', 'operator', now, now, null, 0, 0, null, null, null, 'in-progress', now, 'boot-1');
  }
  if (has.has('recordings')) {
    db.prepare(
      `INSERT INTO recordings (id, tenant_id, cdr_id, caller, callee, started_at, duration_ms, size_bytes, plain_bytes, codec, media_type, key_id, sha256, path, channel_source, created_at)
       VALUES ('rec-1', 1, 'c1@box', '+74951234567', '201', ?, 55000, 441000, 440000, 'opus', 'audio/ogg', 'k1', ?, 'recordings/1/2026/01/rec-1.ogg.enc', 'explicit', ?)`,
    ).run(now, HEX(64, 'e'), now);
    // From 0140 a grant is given for a time: granted_by, granted_at and expires_at together.
    if (columns(db, 'recording_listen_grants').includes('expires_at'))
      db.prepare("INSERT INTO recording_listen_grants (user_id, granted_by, granted_at, expires_at) VALUES (2, 'root', ?, '2099-01-01T00:00:00.000Z')").run(now);
    else db.prepare("INSERT INTO recording_listen_grants (user_id, granted_by, granted_at) VALUES (2, 'root', ?)").run(now);
    db.prepare("INSERT INTO alarms (code, severity, tenant_id, source, message, raised_at) VALUES ('recordings-quota', 'warning', 1, 'recordings', 'квота 90 %', ?)").run(now);
  }
  if (has.has('trunks')) seedTrunk(db, now);
  return Object.fromEntries(tables(db).map((name) => [name, db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number]));
}

/** A trunk trusted by address and a DID on it (a canonical number: 0125 rewrites other spellings on purpose). */
function seedTrunk(db: Db, now: string): void {
  db.prepare(
    `INSERT INTO trunks (id, tenant_id, name, kind, addresses, channel_limit, outbound_caller_id, created_at, updated_at)
     VALUES (1, 1, 'operator', 'ip', '["127.0.0.1"]', 30, '+74951234567', ?, ?)`,
  ).run(now, now);
  db.prepare("INSERT INTO dids (tenant_id, number, trunk_id, destination_type, destination, created_at) VALUES (1, '+74951234567', 1, 'extension', '201', ?)").run(now);
}

type Snapshot = Map<string, { cols: string[]; rows: string[] }>;

function snapshot(db: Db): Snapshot {
  return new Map(tables(db).map((name) => [name, { cols: columns(db, name), rows: rows(db, name, columns(db, name)) }]));
}

/** Rows of the snapshot missing from the database now (a dropped table loses all of its rows). */
function lost(before: Snapshot, db: Db): string[] {
  const now = new Set(tables(db));
  const out: string[] = [];
  for (const [name, was] of before) {
    const have = now.has(name) ? rows(db, name, was.cols.filter((c) => columns(db, name).includes(c))) : [];
    const left = [...have];
    for (const row of was.rows) {
      const i = left.indexOf(row);
      if (i >= 0) left.splice(i, 1);
      else out.push(`${name}: ${row}`);
    }
  }
  return out;
}

function fresh(): Db {
  const db = new Database(':memory:');
  migrate(db, migrations);
  return db;
}

describe('migrations forward from every schema version', () => {
  const freshSchema = schema(fresh());

  it.each(versions.filter((v) => v < latest))('a database at schema %i upgrades with its rows and ends equal to a fresh one', (from) => {
    const file = path.join(t.dir, `at-${from}.db`);
    const old = openDatabase(file, { migrate: false });
    migrate(old, migrations, from);
    expect(schemaVersion(old)).toBe(from);
    const counts = seed(old);
    const before = snapshot(old);
    old.close();

    // The upgrade: the appliance opens its database and applies what is pending.
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(latest);
      expect(counts.tenants).toBe(2);
      // A table may be rebuilt or gain columns; its rows of N keep their values in N's columns.
      expect(lost(before, db)).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(schema(db)).toEqual(freshSchema);
    } finally {
      db.close();
    }
  });

  it('the check can fail: a later migration that rewrites an older row is caught', () => {
    const db = new Database(':memory:');
    migrate(db, migrations, 21);
    seed(db);
    const before = snapshot(db);
    const broken = { version: latest + 1, name: 'broken', up: (d: Db) => d.exec("UPDATE cdrs SET caller_number = '' WHERE call_id = 'c1@box'") };
    migrate(db, [...migrations, broken]);
    expect(lost(before, db)).toEqual([expect.stringMatching(/^cdrs: .*c1@box.*\+74951234567/)]);
  });

  it('no migration is numbered at or below the newest released schema unless that release held it', () => {
    const skipped = versions.filter((v) => v <= NEWEST_RELEASE.version && !NEWEST_RELEASE.held.includes(v));
    // A box upgraded from that release has user_version = NEWEST_RELEASE.version: these would never run on it.
    expect(skipped, `renumber above ${NEWEST_RELEASE.version}`).toEqual([]);
  });
});
