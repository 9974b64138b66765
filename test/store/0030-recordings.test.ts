// Migration 0030: applied over a database at the previous version that
// already holds tenants, users and CDRs; those rows survive untouched and the
// new tables enforce their rules (STRICT, checks, an append-only chain).
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { migrate, migrations, openDatabase, schemaVersion, type Db } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const previous = Math.max(...migrations.filter((m) => m.version < 30).map((m) => m.version));
let cleanup: (() => void) | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
  db = undefined;
});

function atPrevious(): Db {
  const t = tempDir('mig30-');
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'korobka.db'), { migrate: false });
  migrate(db, migrations, previous);
  return db;
}

const rec = (id: string, tenant: number) => ({
  id,
  tenant,
  path: `vault/${tenant}/2026/11/${id}.krec`,
  sha: 'a'.repeat(64),
});

function insertRecording(d: Db, r: ReturnType<typeof rec>, extra: Record<string, unknown> = {}) {
  const v = { codec: 'opus', media: 'audio/ogg', spans: '[]', source: 'metadata', ...extra };
  d.prepare(
    `INSERT INTO recordings (id, tenant_id, started_at, duration_ms, size_bytes, plain_bytes, codec, media_type, key_id, sha256, path, paused_spans, channel_source, created_at)
     VALUES (?, ?, '2026-11-22T10:00:00.000Z', 1000, 10, 8, ?, ?, 'tk-1', ?, ?, ?, ?, '2026-11-22T10:00:01.000Z')`,
  ).run(r.id, r.tenant, v.codec, v.media, r.sha, r.path, v.spans, v.source);
}

describe('migration 0030-recordings', () => {
  it('adds the recordings tables over a database holding earlier rows', () => {
    const d = atPrevious();
    expect(schemaVersion(d)).toBe(previous);
    d.prepare("INSERT INTO tenants (id, name, sip_domain, is_default, created_at) VALUES (1, 'Bank', 'bank.example.ru', 1, 'x')").run();
    d.prepare("INSERT INTO users (tenant_id, username, role, password_hash, created_at, password_changed_at) VALUES (1, 'ann', 'supervisor', 'h', 'x', 'x')").run();
    expect(() => insertRecording(d, rec('r1', 1))).toThrow(/no such table/);

    migrate(d, migrations, 30);
    expect(schemaVersion(d)).toBe(30);
    expect(d.prepare('SELECT name FROM tenants').all()).toEqual([{ name: 'Bank' }]);
    expect(d.prepare('SELECT username FROM users').all()).toEqual([{ username: 'ann' }]);
    insertRecording(d, rec('r1', 1));
    expect(d.prepare('SELECT id, legal_hold, paused_spans FROM recordings').all()).toEqual([{ id: 'r1', legal_hold: 0, paused_spans: '[]' }]);
    const tables = (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['recordings', 'recording_chain', 'recording_tenant_settings', 'recording_policies', 'recording_listen_grants', 'alarms']));
  });

  it('refuses bad rows: unknown tenant, bad codec, bad hash, invalid JSON, duplicate path', () => {
    const d = atPrevious();
    migrate(d, migrations, 30);
    d.prepare("INSERT INTO tenants (id, name, sip_domain, created_at) VALUES (1, 'Bank', 'bank.example.ru', 'x')").run();
    expect(() => insertRecording(d, rec('r1', 99))).toThrow(/FOREIGN KEY/);
    expect(() => insertRecording(d, rec('r1', 1), { codec: 'mp3' })).toThrow(/CHECK/);
    expect(() => insertRecording(d, { ...rec('r1', 1), sha: 'XYZ' })).toThrow(/CHECK/);
    expect(() => insertRecording(d, rec('r1', 1), { spans: '[' })).toThrow(/CHECK/);
    insertRecording(d, rec('r1', 1));
    expect(() => insertRecording(d, { ...rec('r2', 1), path: rec('r1', 1).path })).toThrow(/UNIQUE/);
    expect(() => d.prepare("INSERT INTO recording_policies (tenant_id, scope, target, mode, updated_at) VALUES (1, 'tenant', '204', 'always', 'x')").run()).toThrow(/CHECK/);
    expect(() => d.prepare("INSERT INTO recording_policies (tenant_id, scope, target, mode, updated_at) VALUES (1, 'extension', '204', 'sometimes', 'x')").run()).toThrow(/CHECK/);
  });

  it('keeps the hash chain append-only and one active alarm per code and tenant', () => {
    const d = atPrevious();
    migrate(d, migrations, 30);
    d.prepare("INSERT INTO recording_chain (seq, recording_id, file_sha256, time, prev_hash, hash) VALUES (1, 'r1', NULL, 't', 'p', 'h')").run();
    expect(() => d.prepare("UPDATE recording_chain SET recording_id = 'r2'").run()).toThrow(/append-only/);
    expect(() => d.prepare('DELETE FROM recording_chain').run()).toThrow(/append-only/);
    const raise = () => d.prepare("INSERT INTO alarms (code, severity, source, message, raised_at) VALUES ('disk-full', 'critical', 'recordings', 'm', 't')").run();
    raise();
    expect(raise).toThrow(/UNIQUE/);
    d.prepare("UPDATE alarms SET cleared_at = 't2'").run();
    raise();
    expect(d.prepare('SELECT count(*) AS n FROM alarms').get()).toEqual({ n: 2 });
  });
});
