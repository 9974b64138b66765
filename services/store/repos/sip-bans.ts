// SIP source bans (migration 0024), written through call-control's BanList.
import type { Db } from '../db';

/** Same shape as call-control's BanEntry (times in Unix ms). */
export interface SipBanData {
  ip: string;
  since: number;
  until: number;
  reason: string;
  failures: number;
  offences: number;
  lastUsername?: string;
}

interface Row {
  ip: string;
  since: string;
  until: string;
  reason: string;
  failures: number;
  offences: number;
  last_username: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toBan(r: Row): SipBanData {
  const b: SipBanData = { ip: r.ip, since: Date.parse(r.since), until: Date.parse(r.until), reason: r.reason, failures: r.failures, offences: r.offences };
  if (r.last_username !== null) b.lastUsername = r.last_username;
  return b;
}

export class SipBansRepo {
  constructor(private readonly db: Db) {}

  save(b: SipBanData): void {
    this.db
      .prepare(
        `INSERT INTO sip_bans (ip, since, until, reason, failures, offences, last_username) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(ip) DO UPDATE SET since = excluded.since, until = excluded.until, reason = excluded.reason,
           failures = excluded.failures, offences = excluded.offences, last_username = excluded.last_username`,
      )
      .run(b.ip, iso(b.since), iso(b.until), b.reason, b.failures, b.offences, b.lastUsername ?? null);
  }

  /** Removes the ban of `ip` and returns it when it was still active. */
  remove(ip: string, now: number): SipBanData | undefined {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT * FROM sip_bans WHERE ip = ?').get(ip) as Row | undefined;
      this.db.prepare('DELETE FROM sip_bans WHERE ip = ?').run(ip);
      return r && Date.parse(r.until) > now ? toBan(r) : undefined;
    })();
  }

  active(now: number): SipBanData[] {
    return (this.db.prepare('SELECT * FROM sip_bans WHERE until > ? ORDER BY since DESC').all(iso(now)) as Row[]).map(toBan);
  }

  /** Several bans in one transaction: one commit (one fsync) for a whole batch. */
  saveMany(bans: SipBanData[]): void {
    this.db.transaction(() => {
      for (const b of bans) this.save(b);
    })();
  }

  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM sip_bans WHERE until <= ?').run(iso(now)).changes;
  }

  /** Expired rows, then the oldest beyond `maxRows` (a scan must not grow the table without end). */
  purge(now: number, maxRows: number): number {
    return this.db.transaction(() => {
      const expired = this.purgeExpired(now);
      const excess = this.db
        .prepare('DELETE FROM sip_bans WHERE ip IN (SELECT ip FROM sip_bans ORDER BY since DESC LIMIT -1 OFFSET ?)')
        .run(maxRows).changes;
      return expired + excess;
    })();
  }
}
