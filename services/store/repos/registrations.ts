// Registrations (migration 0022): call-control's LocationService writes an
// AOR's whole binding set per REGISTER and reads all live ones at start.
import type { Db } from '../db';

/** Same shape as call-control's Binding (times in Unix ms). */
export interface RegistrationData {
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  q?: number;
  instance?: string;
  source: { address: string; port: number; transport: string };
  userAgent?: string;
  registeredAt: number;
}

interface Row {
  aor: string;
  contact: string;
  expires_at: string;
  call_id: string;
  cseq: number;
  q: number | null;
  instance: string | null;
  source_address: string;
  source_port: number;
  transport: string;
  user_agent: string | null;
  registered_at: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toData(r: Row): RegistrationData {
  const b: RegistrationData = {
    contact: r.contact,
    expiresAt: Date.parse(r.expires_at),
    callId: r.call_id,
    cseq: r.cseq,
    source: { address: r.source_address, port: r.source_port, transport: r.transport },
    registeredAt: Date.parse(r.registered_at),
  };
  if (r.q !== null) b.q = r.q;
  if (r.instance !== null) b.instance = r.instance;
  if (r.user_agent !== null) b.userAgent = r.user_agent;
  return b;
}

export class RegistrationsRepo {
  constructor(private readonly db: Db) {}

  /** The AOR's bindings become exactly `bindings`, atomically. */
  replace(aor: string, bindings: readonly RegistrationData[]): void {
    const del = this.db.prepare('DELETE FROM registrations WHERE aor = ?');
    const ins = this.db.prepare(
      `INSERT INTO registrations (aor, contact, expires_at, call_id, cseq, q, instance, source_address, source_port, transport, user_agent, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      del.run(aor);
      for (const b of bindings) {
        ins.run(aor, b.contact, iso(b.expiresAt), b.callId, b.cseq, b.q ?? null, b.instance ?? null, b.source.address, b.source.port, b.source.transport, b.userAgent ?? null, iso(b.registeredAt));
      }
    })();
  }

  /** Live bindings by AOR. */
  load(now: number): Map<string, RegistrationData[]> {
    const rows = this.db.prepare('SELECT * FROM registrations WHERE expires_at > ? ORDER BY aor, registered_at').all(iso(now)) as Row[];
    const out = new Map<string, RegistrationData[]>();
    for (const r of rows) out.set(r.aor, [...(out.get(r.aor) ?? []), toData(r)]);
    return out;
  }

  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM registrations WHERE expires_at <= ?').run(iso(now)).changes;
  }

  /** For the API: live registrations of one tenant. */
  listTenant(tenantId: number, now: number): Array<{ aor: string; extension: string } & RegistrationData> {
    const rows = this.db
      .prepare("SELECT * FROM registrations WHERE aor GLOB ? AND expires_at > ? ORDER BY aor, registered_at")
      .all(`${Math.trunc(tenantId)}:*`, iso(now)) as Row[];
    return rows.map((r) => ({ aor: r.aor, extension: r.aor.slice(r.aor.indexOf(':') + 1), ...toData(r) }));
  }
}
