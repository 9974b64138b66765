// `korobka audit verify` on a real data directory whose SQLite file is edited
// by hand: each kind of damage is named with its first bad row, exit code 1.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { auditCommand } from '../../appliance/cli/commands/audit';
import { openStore } from '../../services/store';
import { tempDir } from '../helpers/tmp';

async function korobkaAudit(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await auditCommand.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

function box(rows: number) {
  const { dir, cleanup } = tempDir('korobka-audit-cli-');
  onTestFinished(cleanup);
  const store = openStore(path.join(dir, 'korobka.db'));
  for (let i = 1; i <= rows; i++) store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: `a${i}` });
  store.close();
  const edit = (sql: string) => {
    const db = new Database(path.join(dir, 'korobka.db'));
    db.exec(`DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_checkpoints_no_delete; ${sql}`);
    db.close();
  };
  return { dir, edit };
}

describe('korobka audit verify', () => {
  it('says OK on an intact log and how much is signed', async () => {
    const b = box(150);
    const r = await korobkaAudit('verify', '--data-dir', b.dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('audit log: 150 rows (last 150); checkpoints: 1 in the database, 1 in');
    expect(r.out).toContain('signed up to row 100; 50 newer rows are chained but not yet under a checkpoint');
    expect(r.out).toContain('OK   the chain and every checkpoint verify');
  });

  it('names a changed row', async () => {
    const b = box(150);
    b.edit("UPDATE audit_log SET actor = 'someone else' WHERE id = 42");
    const r = await korobkaAudit('verify', '--data-dir', b.dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL first bad row: 42 (row-changed)');
  });

  it('names a deleted row', async () => {
    const b = box(150);
    b.edit('DELETE FROM audit_log WHERE id BETWEEN 60 AND 61');
    const r = await korobkaAudit('verify', '--data-dir', b.dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL first bad row: 60 (row-deleted)');
    expect(r.out).toContain('row 60: row-deleted: rows 60–61 were deleted');
  });

  it('names the first truncated row, after `korobka audit checkpoint` signed the newest', async () => {
    const b = box(150);
    const c = await korobkaAudit('checkpoint', '--data-dir', b.dir);
    expect(c.out).toBe('checkpoint 2: rows up to 150 signed\n');
    b.edit('DELETE FROM audit_log WHERE id > 120; DELETE FROM audit_checkpoints');
    const r = await korobkaAudit('verify', '--data-dir', b.dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL first bad row: 121 (rows-truncated)');
    expect(r.out).toContain('checkpoints: checkpoint-deleted: checkpoint 1 (rows up to 100) is in the file but was removed from the database');
  });

  it('--json gives the report', async () => {
    const b = box(3);
    const r = await korobkaAudit('verify', '--json', '--data-dir', b.dir);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, rows: 3, findings: [] });
  });
});
