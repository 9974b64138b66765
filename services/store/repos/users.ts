import type { Db } from '../db';

export const roles = ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee', 'dpo'] as const;
export type Role = (typeof roles)[number];

export interface User {
  id: number;
  tenantId: number | null;
  username: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

interface Row {
  id: number;
  tenant_id: number | null;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
}

const toUser = (r: Row): UserWithSecret => ({
  id: r.id,
  tenantId: r.tenant_id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  passwordHash: r.password_hash,
  mustChangePassword: r.must_change_password === 1,
  disabled: r.disabled === 1,
  failedLogins: r.failed_logins,
  lockedUntil: r.locked_until,
  createdAt: r.created_at,
});

/** Drops the password hash: what leaves the store towards the API. */
export function publicUser(u: UserWithSecret): User {
  const { passwordHash: _omit, ...rest } = u;
  return rest;
}

export class UsersRepo {
  constructor(private readonly db: Db) {}

  /** `tenantId` undefined: every tenant (superadmin's view). */
  list(tenantId?: number): User[] {
    const rows =
      tenantId === undefined
        ? (this.db.prepare('SELECT * FROM users ORDER BY id').all() as Row[])
        : (this.db.prepare('SELECT * FROM users WHERE tenant_id = ? ORDER BY id').all(tenantId) as Row[]);
    return rows.map((r) => publicUser(toUser(r)));
  }

  get(id: number): UserWithSecret | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r && toUser(r);
  }

  byUsername(username: string): UserWithSecret | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r && toUser(r);
  }

  create(
    u: { tenantId: number | null; username: string; displayName?: string; role: Role; passwordHash: string; mustChangePassword?: boolean },
    now = new Date(),
  ): User {
    const info = this.db
      .prepare(
        `INSERT INTO users (tenant_id, username, display_name, role, password_hash, must_change_password, created_at, password_changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(u.tenantId, u.username, u.displayName ?? '', u.role, u.passwordHash, u.mustChangePassword ? 1 : 0, now.toISOString(), now.toISOString());
    return publicUser(this.get(Number(info.lastInsertRowid))!);
  }

  update(id: number, patch: { displayName?: string; role?: Role; disabled?: boolean }): User | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.db
      .prepare('UPDATE users SET display_name = ?, role = ?, disabled = ? WHERE id = ?')
      .run(patch.displayName ?? cur.displayName, patch.role ?? cur.role, (patch.disabled ?? cur.disabled) ? 1 : 0, id);
    return publicUser(this.get(id)!);
  }

  setPassword(id: number, passwordHash: string, mustChange: boolean, now = new Date()): void {
    this.db
      .prepare(
        `UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0, locked_until = NULL,
         password_changed_at = ? WHERE id = ?`,
      )
      .run(passwordHash, mustChange ? 1 : 0, now.toISOString(), id);
  }

  recordFailedLogin(id: number, maxAttempts: number, lockUntil: Date): { locked: boolean } {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?').run(id);
      const n = this.get(id)!.failedLogins;
      if (n >= maxAttempts) {
        this.db.prepare('UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?').run(lockUntil.toISOString(), id);
        return { locked: true };
      }
      return { locked: false };
    }).immediate();
  }

  /** Locks the account for everyone until `until` (the api's account-wide brake on distributed guessing). */
  lock(id: number, until: Date): void {
    this.db.prepare('UPDATE users SET locked_until = ? WHERE id = ?').run(until.toISOString(), id);
  }

  /** When the password was last set: a one-time password expires some time after. */
  passwordChangedAt(id: number): string | undefined {
    return (this.db.prepare('SELECT password_changed_at AS at FROM users WHERE id = ?').get(id) as { at: string } | undefined)?.at;
  }

  /** Swaps the hash for one with today's parameters, when the password itself has not changed meanwhile. */
  rehashPassword(id: number, oldHash: string, newHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(newHash, id, oldHash);
  }

  recordSuccessfulLogin(id: number): void {
    this.db.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes === 1;
  }

  countByRole(role: Role): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users WHERE role = ? AND disabled = 0').get(role) as { n: number }).n;
  }
}
