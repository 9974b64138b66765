// OPTIONS keepalive to GSM gateways (issue 14), at each gateway's own
// interval (options_interval, 0 = off): a trunk-mode gateway or operator
// FMC trunk is asked at its address, a per-line gateway at each registered
// port's source address (its ports are separate SIP endpoints). Any answer
// means up; two misses in a row mean down (trunks/options-keepalive.ts).
// The state goes to the live port table, where the mobile ringer skips a
// gateway or port that is down (calls fail over to the next port or
// gateway); a per-line gateway is down when every port it had answering is
// down. One `gateway-down` alarm per tenant names every gateway and port in
// trouble and is cleared when the last one answers again.
import type { Logger } from '../../common/logger';
import type { Gateway } from '../../store';
import { aorKey } from '../calls/forwarding';
import type { Binding } from '../registrar/location-service';
import { OptionsKeepalive, type KeepaliveStatus, type KeepaliveTarget } from '../trunks/options-keepalive';
import type { Clock, SendRequest } from '../trunks/trunk-registration-transport';
import type { AlarmSink } from '../trunks/trunk-status';
import type { PortTable } from './port-table';

export const ALARM_GATEWAY_DOWN = 'gateway-down';
const ALARM_SOURCE = 'call-control';

export interface GatewayKeepaliveDeps {
  load: () => Gateway[];
  bindings(aor: string): Binding[];
  send: SendRequest;
  clock: Clock;
  ports: PortTable;
  alarms: AlarmSink;
  log: Logger;
  missesToDown?: number;
}

interface Entry {
  version: string;
  gateway: Gateway;
  /** null: the gateway's own address (trunk, operator); a number: a line-mode port. */
  port: number | null;
  keepalive: OptionsKeepalive;
}

export class GatewayKeepalive {
  private readonly entries = new Map<string, Entry>();
  private readonly raised = new Map<number, string>();
  private primed = false;

  constructor(private readonly deps: GatewayKeepaliveDeps) {}

  /** Brings the keepalives in step with the gateways and the ports' registrations (run every few seconds). */
  sync(): void {
    const wanted = new Map<string, { gateway: Gateway; port: number | null; target: KeepaliveTarget }>();
    const gateways = this.deps.load();
    for (const g of gateways) {
      const c = g.config;
      if (!g.enabled || c.optionsInterval <= 0) continue;
      if (c.mode !== 'line') {
        if (c.host) wanted.set(`g${g.id}`, { gateway: g, port: null, target: { id: g.id, host: c.host, port: c.sipPort, transport: c.transport, intervalSeconds: c.optionsInterval } });
        continue;
      }
      for (const p of c.ports) {
        const b = p.enabled && p.username ? this.deps.bindings(aorKey(g.tenantId, p.username))[0] : undefined;
        if (!b) continue;
        const transport = b.source.transport.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
        wanted.set(`g${g.id}:p${p.port}`, { gateway: g, port: p.port, target: { id: g.id, host: b.source.address, port: b.source.port, transport, intervalSeconds: c.optionsInterval } });
      }
    }
    for (const [key, e] of this.entries) {
      const w = wanted.get(key);
      if (w && JSON.stringify(w.target) === e.version) {
        e.gateway = w.gateway;
        continue;
      }
      e.keepalive.stop();
      this.entries.delete(key);
      // A keepalive that no longer runs says nothing: its gateway or port is unknown, not down.
      if (e.port === null) this.deps.ports.setGateway(e.gateway.id, 'unknown', null);
      else this.deps.ports.setPort(e.gateway.id, e.port, 'unknown', null);
    }
    for (const [key, w] of wanted) {
      if (this.entries.has(key)) continue;
      const entry: Entry = {
        version: JSON.stringify(w.target),
        gateway: w.gateway,
        port: w.port,
        keepalive: new OptionsKeepalive(w.target, {
          send: this.deps.send,
          clock: this.deps.clock,
          log: this.deps.log,
          ...(this.deps.missesToDown ? { missesToDown: this.deps.missesToDown } : {}),
          onChange: (s) => this.changed(entry, s),
        }),
      };
      this.entries.set(key, entry);
      entry.keepalive.start();
    }
    for (const g of gateways) if (g.config.mode === 'line') this.lineGateway(g.id);
    this.refreshAlarms();
  }

  stop(): void {
    for (const e of this.entries.values()) e.keepalive.stop();
    this.entries.clear();
  }

  private changed(e: Entry, s: KeepaliveStatus): void {
    this.deps.log.info('gateway reachability changed', { gatewayId: e.gateway.id, port: e.port, state: s.state, error: s.lastError });
    if (e.port === null) this.deps.ports.setGateway(e.gateway.id, s.state, s.lastError);
    else {
      this.deps.ports.setPort(e.gateway.id, e.port, s.state, s.lastError);
      this.lineGateway(e.gateway.id);
    }
    this.refreshAlarms();
  }

  /** A per-line gateway: up when any port answers, down when every port asked is down. */
  private lineGateway(gatewayId: number): void {
    const states = [...this.entries.values()].filter((e) => e.gateway.id === gatewayId && e.port !== null).map((e) => e.keepalive.status);
    const down = states.filter((s) => s.state === 'down');
    const state = states.some((s) => s.state === 'reachable') ? 'reachable' : states.length > 0 && down.length === states.length ? 'down' : 'unknown';
    // Only the ports' own state marks a port down: the gateway's follows them here, never the other way.
    this.deps.ports.setGateway(gatewayId, state, state === 'down' ? (down[0]?.lastError ?? null) : null);
  }

  /** Every gateway and port in trouble, by tenant. */
  downNow(): Map<number, Array<{ id: number; name: string; port: number | null; error: string | null }>> {
    const out = new Map<number, Array<{ id: number; name: string; port: number | null; error: string | null }>>();
    for (const e of this.entries.values()) {
      const s = e.keepalive.status;
      if (s.state !== 'down') continue;
      const list = out.get(e.gateway.tenantId) ?? [];
      list.push({ id: e.gateway.id, name: e.gateway.name, port: e.port, error: s.lastError });
      out.set(e.gateway.tenantId, list);
    }
    return out;
  }

  private refreshAlarms(): void {
    try {
      if (!this.primed) {
        for (const t of this.deps.alarms.activeTenants(ALARM_GATEWAY_DOWN)) this.raised.set(t, '');
        this.primed = true;
      }
      const down = this.downNow();
      for (const [tenantId, list] of down) {
        const names = list.map((d) => `${d.name}${d.port === null ? '' : ` port ${d.port}`}${d.error ? ` (${d.error})` : ''}`).join(', ');
        const message = `GSM gateway not answering OPTIONS, its calls go to other ports and gateways: ${names}`;
        if (this.raised.get(tenantId) === message) continue;
        this.deps.alarms.raise({ code: ALARM_GATEWAY_DOWN, severity: 'critical', tenantId, source: ALARM_SOURCE, message, details: { gateways: list } });
        this.raised.set(tenantId, message);
      }
      for (const tenantId of [...this.raised.keys()]) {
        if (down.has(tenantId)) continue;
        this.deps.alarms.clear(ALARM_GATEWAY_DOWN, tenantId);
        this.raised.delete(tenantId);
      }
    } catch (err) {
      // Alarms are for the admin; a failed write must never stop the keepalives.
      this.deps.log.error('gateway alarms could not be written', { err });
    }
  }
}
