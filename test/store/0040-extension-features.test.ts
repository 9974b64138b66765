// Migration 0040: applied over a database at the previous version that holds
// extensions; they survive and read with default features, a feature row
// follows its extension on delete, and the checks refuse bad values.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { defaultFeatures, migrate, migrations, openDatabase, schemaVersion, type Db } from '../../services/store';
import { ExtensionFeaturesRepo } from '../../services/store/repos/extension-features';
import { tempDir } from '../helpers/tmp';

const previous = Math.max(...migrations.filter((m) => m.version < 40).map((m) => m.version));
let cleanup: (() => void) | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
  db = undefined;
});

function atPrevious(): Db {
  const t = tempDir('mig40-');
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'korobka.db'), { migrate: false });
  migrate(db, migrations, previous);
  return db;
}

const at = '2026-11-22T10:00:00.000Z';
function insertExtension(d: Db, tenant: number, ext: string): number {
  return Number(
    d
      .prepare(
        `INSERT INTO extensions (tenant_id, extension, display_name, sip_username, ha1_md5, ha1_sha256, created_at, updated_at) VALUES (?, ?, 'Иван', ?, ?, ?, ?, ?)`,
      )
      .run(tenant, ext, ext, 'a'.repeat(32), 'b'.repeat(64), at, at).lastInsertRowid,
  );
}

describe('migration 0040 extension features', () => {
  it('keeps existing extensions, which read with default features', () => {
    const d = atPrevious();
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', ?)").run(at);
    const id = insertExtension(d, 1, '201');
    migrate(d, migrations, 40);
    expect(schemaVersion(d)).toBe(40);
    // The repo reads today's columns (0178 added require_tls): bring the rest of the schema up first.
    migrate(d, migrations);
    const repo = new ExtensionFeaturesRepo(d);
    expect(repo.get(id)).toMatchObject({ extension: '201', displayName: 'Иван', ...defaultFeatures() });
    expect(repo.search({ tenantId: 1, q: 'Ива' }).total).toBe(1);
    expect(repo.search({ tenantId: 1, q: '%' }).total).toBe(0);
  });

  it('stores features, links a user, and drops them with the extension', () => {
    const d = atPrevious();
    migrate(d, migrations, 40);
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', ?)").run(at);
    d.prepare("INSERT INTO users (tenant_id, username, role, password_hash, created_at, password_changed_at) VALUES (1, 'emp', 'employee', 'x', ?, ?)").run(at, at);
    const id = insertExtension(d, 1, '202');
    // The repo reads today's columns (0178 added require_tls): bring the rest of the schema up first.
    migrate(d, migrations);
    const repo = new ExtensionFeaturesRepo(d);
    const f = { ...defaultFeatures(), userId: 1, dnd: true, callerIdNumber: '+74951234567', forward: { ...defaultFeatures().forward, busy: '203', noAnswerSeconds: 30 } };
    repo.set(id, f);
    expect(repo.get(id)).toMatchObject(f);
    expect(repo.numbersOfUser(1)).toEqual(['202']);
    expect(repo.search({ userId: 1 }).extensions.map((e) => e.extension)).toEqual(['202']);
    d.prepare('DELETE FROM extensions WHERE id = ?').run(id);
    expect(d.prepare('SELECT count(*) AS n FROM extension_features').get()).toEqual({ n: 0 });
  });

  it('refuses bad caller ID numbers and no-answer times', () => {
    const d = atPrevious();
    migrate(d, migrations, 40);
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', ?)").run(at);
    const id = insertExtension(d, 1, '204');
    // The repo reads today's columns (0178 added require_tls): bring the rest of the schema up first.
    migrate(d, migrations);
    const repo = new ExtensionFeaturesRepo(d);
    expect(() => repo.set(id, { ...defaultFeatures(), callerIdNumber: '12ab' })).toThrow(/CHECK/);
    expect(() => repo.set(id, { ...defaultFeatures(), forward: { ...defaultFeatures().forward, noAnswerSeconds: 1 } })).toThrow(/CHECK/);
    expect(d.prepare('SELECT count(*) AS n FROM extension_features').get()).toEqual({ n: 0 });
  });
});
