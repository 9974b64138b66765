// Migration 0178: extension features gain require_tls; rows written before it
// read false (their phones keep working), and only 0/1 is accepted.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, type Db } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const previous = Math.max(...migrations.filter((m) => m.version < 178).map((m) => m.version));
let cleanup: (() => void) | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
});

describe('migration 0178 require TLS', () => {
  it('keeps existing feature rows with require_tls 0 and refuses other values', () => {
    const t = tempDir('mig178-');
    cleanup = t.cleanup;
    const d = (db = openDatabase(path.join(t.dir, 'korobka.db'), { migrate: false }));
    migrate(d, migrations, previous);
    const at = '2026-12-07T07:00:00.000Z';
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', ?)").run(at);
    const id = Number(
      d.prepare(`INSERT INTO extensions (tenant_id, extension, display_name, sip_username, ha1_md5, ha1_sha256, created_at, updated_at) VALUES (1, '201', '', '201', ?, ?, ?, ?)`).run('a'.repeat(32), 'b'.repeat(64), at, at).lastInsertRowid,
    );
    d.prepare('INSERT INTO extension_features (extension_id, dnd, updated_at) VALUES (?, 1, ?)').run(id, at);
    migrate(d, migrations, 178);
    expect(d.prepare('SELECT dnd, require_tls FROM extension_features WHERE extension_id = ?').get(id)).toEqual({ dnd: 1, require_tls: 0 });
    expect(() => d.prepare('UPDATE extension_features SET require_tls = 2 WHERE extension_id = ?').run(id)).toThrow(/CHECK/);
  });
});
