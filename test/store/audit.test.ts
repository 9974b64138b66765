import { describe, expect, it, onTestFinished } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../services/store';
import { tempDir } from '../helpers/tmp';

describe('audit log', () => {
  it('appends hash-chained rows and refuses UPDATE and DELETE', () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = openStore(path.join(dir, 'k.db'));
    store.audit.append({ actorId: null, actor: 'system', tenantId: null, action: 'init' });
    store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'user.create', target: 'user:2', details: { role: 'auditor' }, ip: '10.0.0.5' });
    expect(store.audit.verify()).toEqual({ ok: true, rows: 2 });
    const { rows, total } = store.audit.list({ tenantId: 1 });
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({ actor: 'admin', action: 'user.create', target: 'user:2', details: { role: 'auditor' }, ip: '10.0.0.5' });
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    store.close();
  });

  it('detects a row changed behind the API', () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const file = path.join(dir, 'k.db');
    const store = openStore(file);
    for (let i = 0; i < 5; i++) store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: `a${i}` });
    store.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare("UPDATE audit_log SET action = 'forged' WHERE id = 3").run();
    raw.close();
    const again = openStore(file);
    expect(again.audit.verify()).toEqual({ ok: false, brokenAt: 3, reason: 'the row was changed' });
    again.close();
  });
});
