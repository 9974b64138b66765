// The keyed audit chain on a real SQLite file: rows changed, deleted and
// truncated by hand (triggers dropped, as an intruder with the file would)
// are each named; what is not detectable is asserted as such.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, migrations, openDatabase, openStore, readCheckpoints, defaultCheckpointFile } from '../../services/store';
import { tempDir } from '../helpers/tmp';

function world(rows: number, every = 10) {
  const { dir, cleanup } = tempDir('korobka-audit-');
  onTestFinished(cleanup);
  const file = path.join(dir, 'korobka.db');
  const store = openStore(file, { auditCheckpointEveryRows: every });
  for (let i = 1; i <= rows; i++) store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: `a${i}`, target: `user:${i}` }, new Date(Date.UTC(2026, 11, 1, 0, 0, i)));
  store.close();
  const raw = () => {
    const db = new Database(file);
    db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete');
    return db;
  };
  const report = () => {
    const s = openStore(file, { migrate: false, readonly: true });
    try {
      return s.audit.report(readCheckpoints(defaultCheckpointFile(file)));
    } finally {
      s.close();
    }
  };
  return { dir, file, raw, report };
}

describe('keyed audit chain', () => {
  it('verifies intact, with checkpoints in the table and in the file outside the DB', () => {
    const w = world(25);
    const r = w.report();
    expect(r).toMatchObject({ ok: true, rows: 25, lastRowId: 25, checkpoints: { database: 2, file: 2, lastCoveredRow: 20 }, uncoveredRows: 5, findings: [], firstBadRow: null });
  });

  it('names a row changed by hand, also when the intruder recomputes the old unkeyed chain after it', () => {
    const w = world(25);
    const db = w.raw();
    db.prepare("UPDATE audit_log SET details = '{\"note\":\"nothing to see\"}' WHERE id = 7").run();
    // Recompute every later link the way the pre-0085 chain did: without the key it cannot fit.
    let prev = (db.prepare('SELECT hash FROM audit_log WHERE id = 6').get() as { hash: string }).hash;
    for (const r of db.prepare('SELECT * FROM audit_log WHERE id >= 7 ORDER BY id').all() as Record<string, unknown>[]) {
      const h = createHash('sha256').update(prev).update(JSON.stringify([r.at, r.actor_id, r.actor, r.tenant_id, r.action, r.target, r.details, r.ip, r.outcome])).digest('hex');
      db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, h, r.id);
      prev = h;
    }
    db.close();
    const r = w.report();
    expect(r.ok).toBe(false);
    expect(r.firstBadRow).toBe(7);
    expect(r.findings[0]).toEqual({ kind: 'row-changed', rowId: 7, message: 'the row was changed' });
  });

  it('names a row deleted from the middle', () => {
    const w = world(25);
    const db = w.raw();
    db.prepare('DELETE FROM audit_log WHERE id = 12').run();
    db.close();
    const r = w.report();
    expect(r.firstBadRow).toBe(12);
    expect(r.findings).toEqual([{ kind: 'row-deleted', rowId: 12, message: 'row 12 was deleted' }]);
  });

  it('names the first truncated row when the newest rows (and the checkpoints in the DB) are removed: the file outside remembers', () => {
    const w = world(25);
    const db = w.raw();
    db.prepare('DELETE FROM audit_log WHERE id >= 15').run();
    db.prepare('DELETE FROM audit_checkpoints WHERE id = 2').run();
    db.close();
    const r = w.report();
    expect(r.ok).toBe(false);
    expect(r.firstBadRow).toBe(15);
    expect(r.findings.map((f) => [f.kind, f.rowId])).toEqual([
      ['rows-truncated', 15],
      ['checkpoint-deleted', null],
    ]);
    expect(r.findings[0]!.message).toMatch(/^rows from 15 on were removed \(truncated\): checkpoint 2 of .* covers rows up to 20$/);
  });

  it('names the row a checkpoint signed when rows were removed and new ones appended in their place', () => {
    const w = world(25);
    const db = w.raw();
    db.prepare('DELETE FROM audit_log WHERE id >= 15').run();
    db.prepare('DELETE FROM audit_checkpoints WHERE id = 2').run();
    db.close();
    const s = openStore(w.file, { auditCheckpointEveryRows: 1000 });
    for (let i = 0; i < 8; i++) s.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'later' });
    s.close();
    const r = w.report();
    expect(r.findings.map((f) => [f.kind, f.rowId])).toEqual([
      ['row-replaced', 20],
      ['checkpoint-deleted', null],
    ]);
  });

  it('does not detect removal of rows newer than the last checkpoint (the SIEM copy covers them): documented, not hidden', () => {
    const w = world(25);
    const db = w.raw();
    db.prepare('DELETE FROM audit_log WHERE id > 20').run();
    db.close();
    expect(w.report()).toMatchObject({ ok: true, rows: 20, uncoveredRows: 0 });
  });

  it('names a forged checkpoint line in the file and a damaged one', () => {
    const w = world(25);
    const cpFile = defaultCheckpointFile(w.file);
    const lines = readCheckpoints(cpFile).checkpoints;
    const forged = { ...lines[1]!, id: 3, lastId: 40 };
    writeFileSync(cpFile, [...lines, forged].map((c) => JSON.stringify(c)).join('\n') + '\nnot json\n');
    const r = w.report();
    expect(r.findings.map((f) => f.kind).sort()).toEqual(['checkpoint-file-damaged', 'checkpoint-invalid']);
    expect(r.firstBadRow).toBeNull();
  });

  it('rows sealed under another master key are named as such', () => {
    const w = world(3);
    const other = path.join(w.dir, 'other.key');
    writeFileSync(other, randomBytes(32), { mode: 0o600 });
    const s = openStore(w.file, { migrate: false, readonly: true, masterKeyPath: other });
    try {
      expect(s.audit.verify()).toMatchObject({ ok: false, brokenAt: 1, reason: expect.stringMatching(/^the row was sealed under another key \(ak-[0-9a-f]{16}, this box has ak-/) });
    } finally {
      s.close();
    }
  });
});

describe('migration 0085: the unkeyed chain is converted', () => {
  function legacyDb(tamper: boolean) {
    const { dir, cleanup } = tempDir('korobka-audit-');
    onTestFinished(cleanup);
    const file = path.join(dir, 'korobka.db');
    const db = openDatabase(file, { migrate: false });
    migrate(db, migrations, 51);
    let prev = '0'.repeat(64);
    for (let i = 1; i <= 4; i++) {
      const r = { at: `2026-11-0${i}T10:00:00.000Z`, actor_id: 1, actor: 'admin', tenant_id: 1, action: `old${i}`, target: '', details: '{}', ip: '', outcome: 'ok' };
      const hash = createHash('sha256').update(prev).update(JSON.stringify([r.at, r.actor_id, r.actor, r.tenant_id, r.action, r.target, r.details, r.ip, r.outcome])).digest('hex');
      db.prepare('INSERT INTO audit_log (at, actor_id, actor, tenant_id, action, target, details, ip, outcome, prev_hash, hash) VALUES (@at, @actor_id, @actor, @tenant_id, @action, @target, @details, @ip, @outcome, @prev, @hash)').run({ ...r, prev, hash });
      prev = hash;
    }
    if (tamper) {
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare("UPDATE audit_log SET action = 'edited' WHERE id = 2").run();
    }
    db.close();
    mkdirSync(path.join(dir, 'keys'), { recursive: true });
    return file;
  }

  it('seals the old rows under the key on first use, records that the old chain was intact, and the whole chain verifies', () => {
    const file = legacyDb(false);
    const s = openStore(file);
    // Before the first keyed write the old rows are checked by their old links.
    expect(s.audit.verify()).toEqual({ ok: true, rows: 4 });
    s.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'new' });
    const rows = s.audit.list({ limit: 10 }).rows;
    expect(rows.map((r) => r.action)).toEqual(['new', 'audit.chain-sealed', 'old4', 'old3', 'old2', 'old1']);
    expect(rows[1]!.details).toMatchObject({ rows: 4, legacyChain: 'intact' });
    expect(s.audit.verify()).toEqual({ ok: true, rows: 6 });
    expect(() => s.db.prepare("UPDATE audit_log SET action = 'x' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => s.db.prepare('UPDATE audit_log SET chain_version = 1 WHERE id = 1').run()).toThrow(/append-only/);
    s.close();
  });

  it('reports an old chain already broken before sealing (a break before the key existed cannot be repaired, only recorded)', () => {
    const file = legacyDb(true);
    const s = openStore(file);
    expect(s.audit.verify()).toEqual({ ok: false, brokenAt: 2, reason: 'the row was changed' });
    s.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'new' });
    expect(s.audit.list({ action: 'audit.chain-sealed' }).rows[0]!.details).toMatchObject({ legacyChain: 'broken at row 2' });
    s.close();
  });
});
