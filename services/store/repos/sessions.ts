// Sessions are looked up by the SHA-256 of the cookie value, so a copy of
// the database does not hand out live sessions.
import { createHash } from 'node:crypto';
import type { Db } from '../db';

export interface Session {
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  ip: string;
}

export const hashSessionId = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionsRepo {
  constructor(private readonly db: Db) {}

  create(id: string, s: Session & { userAgent?: string }): void {
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hashSessionId(id), s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.ip, (s.userAgent ?? '').slice(0, 300));
  }

  find(id: string, now = new Date()): Session | undefined {
    const r = this.db
      .prepare('SELECT user_id, csrf_token, created_at, expires_at, ip FROM sessions WHERE id_hash = ? AND expires_at > ?')
      .get(hashSessionId(id), now.toISOString()) as
      | { user_id: number; csrf_token: string; created_at: string; expires_at: string; ip: string }
      | undefined;
    return r && { userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at, ip: r.ip };
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashSessionId(id));
  }

  /** Ends every session of the user, but for `keepId` (the session that changed the password). */
  deleteForUser(userId: number, keepId?: string): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash != ?').run(userId, keepId === undefined ? '' : hashSessionId(keepId));
  }

  /** Moves the expiry (the idle timeout slides with use, up to the session's absolute end). */
  touch(id: string, expiresAt: Date): void {
    this.db.prepare('UPDATE sessions SET expires_at = ? WHERE id_hash = ?').run(expiresAt.toISOString(), hashSessionId(id));
  }

  purgeExpired(now = new Date()): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }
}
