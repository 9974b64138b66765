// Gateways and their ports (migration 0075). The config is services/fmc's
// GatewayConfig, checked there before it reaches here; a line-mode port's
// HA1 values are computed by the api from the password it shows once.
import { AppError } from '../../common/errors';
import type { GatewayConfig, GatewayPort } from '../../fmc';
import type { Db } from '../db';

export type Ha1Pair = { MD5: string; 'SHA-256': string };

export interface Gateway {
  id: number;
  tenantId: number;
  name: string;
  enabled: boolean;
  config: GatewayConfig;
  createdAt: string;
  updatedAt: string;
}

interface GatewayRow {
  id: number;
  tenant_id: number;
  name: string;
  template: GatewayConfig['template'];
  mode: GatewayConfig['mode'];
  host: string | null;
  sip_port: number;
  transport: GatewayConfig['transport'];
  city_code: string | null;
  imei: string | null;
  settings: string;
  options_interval: number;
  enabled: number;
  created_at: string;
  updated_at: string;
}

interface PortRow {
  gateway_id: number;
  port: number;
  username: string | null;
  ha1_md5: string | null;
  ha1_sha256: string | null;
  did: string | null;
  prefix: string | null;
  enabled: number;
}

type Settings = Pick<GatewayConfig, 'codecs' | 'dtmfMode' | 'callerIdOrder' | 'dialFormat' | 'quirks'>;

const toPort = (r: PortRow): GatewayPort => ({ port: r.port, username: r.username, did: r.did, prefix: r.prefix, enabled: r.enabled === 1 });

function guard<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && msg.includes('gateways.name')) throw new AppError(409, 'gateway-exists', 'a gateway with this name exists in this organisation', { field: 'name' });
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && msg.includes('gateway_ports.username'))
      throw new AppError(409, 'gateway-username-taken', 'a port of another gateway registers with this user name', { field: 'ports' });
    if (code === 'SQLITE_CONSTRAINT_CHECK') throw new AppError(400, 'invalid-gateway', `gateway rejected by the store: ${msg}`);
    throw e;
  }
}

export class GatewaysRepo {
  constructor(private readonly db: Db) {}

  private ports(gatewayId: number): GatewayPort[] {
    return (this.db.prepare('SELECT * FROM gateway_ports WHERE gateway_id = ? ORDER BY port').all(gatewayId) as PortRow[]).map(toPort);
  }

  private toGateway(r: GatewayRow): Gateway {
    const s = JSON.parse(r.settings) as Settings;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      enabled: r.enabled === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      config: {
        template: r.template,
        mode: r.mode,
        host: r.host,
        sipPort: r.sip_port,
        transport: r.transport,
        cityCode: r.city_code,
        imei: r.imei,
        codecs: s.codecs,
        dtmfMode: s.dtmfMode,
        callerIdOrder: s.callerIdOrder,
        dialFormat: s.dialFormat,
        quirks: s.quirks,
        optionsInterval: r.options_interval,
        ports: this.ports(r.id),
      },
    };
  }

  list(tenantId?: number): Gateway[] {
    return (this.db.prepare('SELECT * FROM gateways WHERE (@t IS NULL OR tenant_id = @t) ORDER BY tenant_id, name').all({ t: tenantId ?? null }) as GatewayRow[]).map((r) => this.toGateway(r));
  }

  get(id: number): Gateway | undefined {
    const r = this.db.prepare('SELECT * FROM gateways WHERE id = ?').get(id) as GatewayRow | undefined;
    return r && this.toGateway(r);
  }

  /** `ha1For` gives each line-mode port's HA1 pair from its user name (null for ports without one). */
  create(tenantId: number, name: string, enabled: boolean, c: GatewayConfig, ha1For: (username: string) => Ha1Pair, now = new Date()): Gateway {
    return this.db.transaction(() => {
      const at = now.toISOString();
      const info = guard(() =>
        this.db
          .prepare(
            `INSERT INTO gateways (tenant_id, name, template, mode, host, sip_port, transport, city_code, imei, settings, options_interval, enabled, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(tenantId, name, c.template, c.mode, c.host, c.sipPort, c.transport, c.cityCode, c.imei, settingsJson(c), c.optionsInterval, enabled ? 1 : 0, at, at),
      );
      const id = Number(info.lastInsertRowid);
      this.writePorts(tenantId, id, c.ports, new Map(), ha1For);
      return this.get(id)!;
    })();
  }

  /**
   * Replaces the config; ports keep their HA1 while their user name stays,
   * a new or renamed user gets `ha1For` (or the port is refused if none given).
   */
  update(id: number, patch: { name: string; enabled: boolean; config: GatewayConfig }, ha1For: ((username: string) => Ha1Pair) | null, now = new Date()): Gateway {
    return this.db.transaction(() => {
      const cur = this.get(id);
      if (!cur) throw new AppError(404, 'gateway-not-found', `gateway ${id} does not exist`);
      const c = patch.config;
      guard(() =>
        this.db
          .prepare('UPDATE gateways SET name = ?, host = ?, sip_port = ?, transport = ?, city_code = ?, imei = ?, settings = ?, options_interval = ?, enabled = ?, updated_at = ? WHERE id = ?')
          .run(patch.name, c.host, c.sipPort, c.transport, c.cityCode, c.imei, settingsJson(c), c.optionsInterval, patch.enabled ? 1 : 0, now.toISOString(), id),
      );
      const kept = new Map((this.db.prepare('SELECT * FROM gateway_ports WHERE gateway_id = ?').all(id) as PortRow[]).filter((r) => r.username).map((r) => [r.username!.toLowerCase(), { MD5: r.ha1_md5!, 'SHA-256': r.ha1_sha256! }]));
      this.db.prepare('DELETE FROM gateway_ports WHERE gateway_id = ?').run(id);
      this.writePorts(cur.tenantId, id, c.ports, kept, ha1For);
      // SIMs in ports that no longer exist leave the gateway's ports.
      this.db.prepare('UPDATE sims SET port = NULL WHERE gateway_id = ? AND port > ?').run(id, c.ports.length);
      return this.get(id)!;
    })();
  }

  private writePorts(tenantId: number, gatewayId: number, ports: GatewayPort[], kept: Map<string, Ha1Pair>, ha1For: ((username: string) => Ha1Pair) | null): void {
    const ins = this.db.prepare('INSERT INTO gateway_ports (tenant_id, gateway_id, port, username, ha1_md5, ha1_sha256, did, prefix, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const p of ports) {
      const ha1 = p.username ? (kept.get(p.username.toLowerCase()) ?? ha1For?.(p.username)) : null;
      if (p.username && !ha1) throw new AppError(400, 'gateway-password-required', `port ${p.port} has a new user name: give the gateway's password again`, { field: 'password' });
      guard(() => ins.run(tenantId, gatewayId, p.port, p.username, ha1?.MD5 ?? null, ha1?.['SHA-256'] ?? null, p.did, p.prefix, p.enabled ? 1 : 0));
    }
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM gateways WHERE id = ?').run(id).changes === 1;
  }

  /** For the registrar: an enabled port of an enabled line-mode gateway by its SIP user name. */
  portCredentials(tenantId: number, username: string): { gatewayId: number; port: number; username: string; ha1: Ha1Pair } | undefined {
    const r = this.db
      .prepare(
        `SELECT p.* FROM gateway_ports p JOIN gateways g ON g.id = p.gateway_id
         WHERE p.tenant_id = ? AND p.username = ? COLLATE NOCASE AND p.enabled = 1 AND g.enabled = 1 AND g.mode = 'line'`,
      )
      .get(tenantId, username) as PortRow | undefined;
    return r && r.username ? { gatewayId: r.gateway_id, port: r.port, username: r.username, ha1: { MD5: r.ha1_md5!, 'SHA-256': r.ha1_sha256! } } : undefined;
  }

  /** True when a port of the tenant registers with this user name (extensions must not take it, nor the reverse). */
  usernameTaken(tenantId: number, username: string, exceptGatewayId?: number): boolean {
    return this.db.prepare('SELECT 1 FROM gateway_ports WHERE tenant_id = ? AND username = ? COLLATE NOCASE AND gateway_id != ?').get(tenantId, username, exceptGatewayId ?? 0) !== undefined;
  }
}

function settingsJson(c: GatewayConfig): string {
  const s: Settings = { codecs: c.codecs, dtmfMode: c.dtmfMode, callerIdOrder: c.callerIdOrder, dialFormat: c.dialFormat, quirks: c.quirks };
  return JSON.stringify(s);
}
