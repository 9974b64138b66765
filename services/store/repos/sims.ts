// The SIM inventory (migration 0075). ICCID and MSISDN are checked by
// services/fmc before they arrive; this repo turns the schema's uniqueness
// into refusals that name the field: a SIM bound to a second extension, a
// port holding two SIMs, an ICCID or number already listed.
import { AppError } from '../../common/errors';
import type { SimOperator, SimState } from '../../fmc';
import type { Db } from '../db';

export const mobileRingModes = ['off', 'together', 'after', 'no-desk', 'only'] as const;
export type MobileRingMode = (typeof mobileRingModes)[number];

export interface SimRecord {
  iccid: string;
  msisdn: string;
  operator: SimOperator;
  state: SimState;
  gatewayId: number | null;
  port: number | null;
  extensionId: number | null;
  userRegistered: boolean;
  contract: string;
  monthlyMinuteLimit: number;
  /** How the bound extension rings this mobile. */
  ringMode: MobileRingMode;
  /** Seconds before the mobile rings in 'after' mode. */
  ringDelay: number;
}

export interface Sim extends SimRecord {
  id: number;
  tenantId: number;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  tenant_id: number;
  iccid: string;
  msisdn: string;
  operator: SimOperator;
  state: SimState;
  gateway_id: number | null;
  port: number | null;
  extension_id: number | null;
  user_registered: number;
  contract: string;
  monthly_minute_limit: number;
  ring_mode: MobileRingMode;
  ring_delay: number;
  created_at: string;
  updated_at: string;
}

const toSim = (r: Row): Sim => ({
  id: r.id,
  tenantId: r.tenant_id,
  iccid: r.iccid,
  msisdn: r.msisdn,
  operator: r.operator,
  state: r.state,
  gatewayId: r.gateway_id,
  port: r.port,
  extensionId: r.extension_id,
  userRegistered: r.user_registered === 1,
  contract: r.contract,
  monthlyMinuteLimit: r.monthly_minute_limit,
  ringMode: r.ring_mode,
  ringDelay: r.ring_delay,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function simRefusal(e: unknown): AppError | null {
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
    if (msg.includes('sims.iccid')) return new AppError(409, 'sim-exists', 'a SIM with this ICCID is already listed', { field: 'iccid' });
    if (msg.includes('sims.msisdn')) return new AppError(409, 'sim-exists', 'a SIM with this number is already listed', { field: 'msisdn' });
    if (msg.includes('sims.extension_id')) return new AppError(409, 'sim-extension-taken', 'the extension already has a SIM; unbind that one first', { field: 'extension' });
    if (msg.includes('sims.port') || msg.includes('sims.gateway_id')) return new AppError(409, 'sim-port-taken', 'another SIM sits in this port', { field: 'port' });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_TRIGGER') return new AppError(400, 'invalid-sim', `SIM rejected by the store: ${msg}`);
  return null;
}

function guard<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw simRefusal(e) ?? e;
  }
}

const COLUMNS = 'iccid, msisdn, operator, state, gateway_id, port, extension_id, user_registered, contract, monthly_minute_limit, ring_mode, ring_delay';
const params = (s: SimRecord) => [s.iccid, s.msisdn, s.operator, s.state, s.gatewayId, s.port, s.extensionId, s.userRegistered ? 1 : 0, s.contract, s.monthlyMinuteLimit, s.ringMode, s.ringDelay];

export class SimsRepo {
  constructor(private readonly db: Db) {}

  list(tenantId?: number): Sim[] {
    return (this.db.prepare('SELECT * FROM sims WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, msisdn').all({ t: tenantId ?? null }) as Row[]).map(toSim);
  }

  get(id: number): Sim | undefined {
    const r = this.db.prepare('SELECT * FROM sims WHERE id = ?').get(id) as Row | undefined;
    return r && toSim(r);
  }

  byIccid(iccid: string): Sim | undefined {
    const r = this.db.prepare('SELECT * FROM sims WHERE iccid = ?').get(iccid) as Row | undefined;
    return r && toSim(r);
  }

  byMsisdn(msisdn: string): Sim | undefined {
    const r = this.db.prepare('SELECT * FROM sims WHERE msisdn = ?').get(msisdn) as Row | undefined;
    return r && toSim(r);
  }

  byExtension(extensionId: number): Sim | undefined {
    const r = this.db.prepare('SELECT * FROM sims WHERE extension_id = ?').get(extensionId) as Row | undefined;
    return r && toSim(r);
  }

  byPort(gatewayId: number, port: number): Sim | undefined {
    const r = this.db.prepare('SELECT * FROM sims WHERE gateway_id = ? AND port = ?').get(gatewayId, port) as Row | undefined;
    return r && toSim(r);
  }

  create(tenantId: number, s: SimRecord, now = new Date()): Sim {
    const at = now.toISOString();
    const info = guard(() => this.db.prepare(`INSERT INTO sims (tenant_id, ${COLUMNS}, created_at, updated_at) VALUES (?, ${COLUMNS.split(',').map(() => '?').join(', ')}, ?, ?)`).run(tenantId, ...params(s), at, at));
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(id: number, s: SimRecord, now = new Date()): Sim | undefined {
    const set = COLUMNS.split(', ').map((c) => `${c} = ?`).join(', ');
    const n = guard(() => this.db.prepare(`UPDATE sims SET ${set}, updated_at = ? WHERE id = ?`).run(...params(s), now.toISOString(), id)).changes;
    return n ? this.get(id) : undefined;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM sims WHERE id = ?').run(id).changes === 1;
  }
}
