// Migration 0140: listen grants become personal, two-person and time-bound
// (issue 16 item 9). Over a database at version 95 holding a grant of the
// old kind, a supervisor, an auditor, a disabled auditor and an employee:
// the old grant and the existing supervisor's and auditor's listening stay
// for 90 days, nobody else gets one, and the repository's request → approve
// → expire cycle and the table's checks hold.
import { describe, expect, it } from 'vitest';
import { RecordingsRepo } from '../../services/store/repos/recordings';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig140-');
const DAY = 86_400_000;

function at140() {
  return mig.at(95, 140, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
    const user = (name: string, role: string, disabled = 0) =>
      d
        .prepare("INSERT INTO users (tenant_id, username, role, password_hash, created_at, password_changed_at, disabled) VALUES (1, ?, ?, 'h', 'x', 'x', ?)")
        .run(name, role, disabled).lastInsertRowid;
    const ta = user('ta', 'tenant-admin');
    user('sup', 'supervisor');
    user('aud', 'auditor');
    user('gone', 'auditor', 1);
    user('emp', 'employee');
    d.prepare("INSERT INTO recording_listen_grants (user_id, granted_by, granted_at) VALUES (?, 'root', '2026-11-01T00:00:00Z')").run(ta);
  });
}

describe('migration 0140 listen grants', () => {
  it('keeps the old grant and the supervisors\' and auditors\' listening for 90 days, and gives nobody else one', () => {
    const db = at140();
    const repo = new RecordingsRepo(db);
    const byName = Object.fromEntries(repo.listenGrants(null).map((g) => [g.username, g]));
    expect(Object.keys(byName).sort()).toEqual(['aud', 'sup', 'ta']);
    expect(byName.ta).toMatchObject({ active: true, grantedBy: 'root', pending: null });
    expect(byName.sup).toMatchObject({ active: true, grantedBy: 'migration 0140' });
    const left = (Date.parse(byName.aud!.expiresAt!) - Date.now()) / DAY;
    expect(left).toBeGreaterThan(89.9);
    expect(left).toBeLessThanOrEqual(90);
    expect(repo.hasListenGrant(byName.sup!.userId, new Date(Date.now() + 91 * DAY))).toBe(false);
  });

  it('a request is pending until approved, then runs for its days; a renewal keeps the active grant meanwhile', () => {
    const db = at140();
    const repo = new RecordingsRepo(db);
    const emp = db.prepare("SELECT id FROM users WHERE username = 'emp'").pluck().get() as number;
    const sup = db.prepare("SELECT id FROM users WHERE username = 'sup'").pluck().get() as number;
    const now = new Date('2026-12-07T10:00:00.000Z');
    repo.requestListenGrant(emp, 'ta', 10, 'test', now);
    expect(repo.listenGrant(emp, now)).toMatchObject({ active: false, pending: { requestedBy: 'ta', days: 10 } });
    expect(repo.approveListenGrant(emp, 'root', now)).toBe(true);
    expect(repo.listenGrant(emp, now)).toMatchObject({ active: true, expiresAt: '2026-12-17T10:00:00.000Z', pending: null, requestedBy: 'ta' });
    expect(repo.approveListenGrant(emp, 'root', now)).toBe(false);

    repo.requestListenGrant(sup, 'ta', 30, 'renewal', now);
    expect(repo.listenGrant(sup, now)).toMatchObject({ active: true, pending: { days: 30 } });
    expect(repo.revokeListenGrant(sup)).toBe(true);
    expect(repo.listenGrant(sup, now)).toBeUndefined();
  });

  it('the table refuses a grant without an expiry and a request without its days', () => {
    const db = at140();
    const emp = db.prepare("SELECT id FROM users WHERE username = 'emp'").pluck().get() as number;
    expect(() => db.prepare("INSERT INTO recording_listen_grants (user_id, granted_by, granted_at) VALUES (?, 'x', 'y')").run(emp)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO recording_listen_grants (user_id, requested_by, requested_at) VALUES (?, 'x', 'y')").run(emp)).toThrow(/CHECK/);
    expect(() => db.prepare('INSERT INTO recording_listen_grants (user_id, request_days, requested_at, requested_by) VALUES (?, 400, ?, ?)').run(emp, 'y', 'x')).toThrow(/CHECK/);
  });
});
