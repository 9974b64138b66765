// The live port table (issue 14): what call-control knows now of every GSM
// gateway and its ports, in memory. A GSM port carries one call at a time,
// so a port is leased to one call from its INVITE until that call ends and
// is never offered a second; the OPTIONS keepalive (gateway-keepalive.ts)
// marks a gateway or port down. Reported in call-control's health as
// `gateways` (the api's routes/fmc/gateway-status.ts reads that shape).
import type { Reachability } from '../trunks/options-keepalive';

export interface PortLease {
  gatewayId: number;
  port: number;
  /** The call on this port was answered: counted in today's calls, its minutes from now. */
  answered(): void;
  /** Frees the port; later calls do nothing. */
  release(): void;
}

interface PortLive {
  callId: string | null;
  reachability: Reachability;
  /** What the keepalive last found wrong (cleared by an answer). */
  optionsError: string | null;
  /** What the port last answered a call with that was not a call (a 503); cleared by an answered call. */
  callError: string | null;
  day: string;
  calls: number;
  seconds: number;
}

interface GatewayLive {
  reachability: Reachability;
  lastError: string | null;
  changedAt: number;
}

/** One gateway as health reports it (services/api/routes/fmc/gateway-status.ts). */
export interface GatewayReport {
  id: number;
  reachability: Reachability;
  lastError: string | null;
  changedAt: string;
  ports: Array<{ port: number; registered: boolean | null; busy: boolean; lastError: string | null; callsToday: number; minutesToday: number }>;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class PortTable {
  private readonly ports = new Map<string, PortLive>();
  private readonly gateways = new Map<number, GatewayLive>();

  constructor(private readonly now: () => number = Date.now) {}

  private port(gatewayId: number, port: number): PortLive {
    const key = `${gatewayId}:${port}`;
    let p = this.ports.get(key);
    const today = dayOf(this.now());
    if (!p) this.ports.set(key, (p = { callId: null, reachability: 'unknown', optionsError: null, callError: null, day: today, calls: 0, seconds: 0 }));
    if (p.day !== today) Object.assign(p, { day: today, calls: 0, seconds: 0 });
    return p;
  }

  private gateway(id: number): GatewayLive {
    let g = this.gateways.get(id);
    if (!g) this.gateways.set(id, (g = { reachability: 'unknown', lastError: null, changedAt: this.now() }));
    return g;
  }

  busy(gatewayId: number, port: number): boolean {
    return this.ports.get(`${gatewayId}:${port}`)?.callId != null;
  }

  /** A gateway, or one of its ports, that stopped answering OPTIONS: not offered calls until it answers again. */
  down(gatewayId: number, port?: number): boolean {
    if (this.gateways.get(gatewayId)?.reachability === 'down') return true;
    return port !== undefined && this.ports.get(`${gatewayId}:${port}`)?.reachability === 'down';
  }

  /** The port for `callId`, or undefined when another call holds it (a GSM channel carries one call). */
  acquire(gatewayId: number, port: number, callId: string): PortLease | undefined {
    const p = this.port(gatewayId, port);
    if (p.callId !== null) return undefined;
    p.callId = callId;
    let answeredAt: number | null = null;
    let held = true;
    return {
      gatewayId,
      port,
      answered: () => {
        if (!held || answeredAt !== null) return;
        answeredAt = this.now();
        const live = this.port(gatewayId, port);
        live.calls++;
        live.callError = null;
      },
      release: () => {
        if (!held) return;
        held = false;
        const live = this.port(gatewayId, port);
        if (answeredAt !== null) live.seconds += Math.max(0, this.now() - answeredAt) / 1000;
        if (live.callId === callId) live.callId = null;
      },
    };
  }

  /** The last thing a port said that was not a call (a 503, no answer). */
  portError(gatewayId: number, port: number, error: string | null): void {
    this.port(gatewayId, port).callError = error;
  }

  setGateway(gatewayId: number, reachability: Reachability, lastError: string | null): void {
    const g = this.gateway(gatewayId);
    if (g.reachability !== reachability || g.lastError !== lastError) Object.assign(g, { reachability, lastError, changedAt: this.now() });
  }

  setPort(gatewayId: number, port: number, reachability: Reachability, lastError: string | null): void {
    Object.assign(this.port(gatewayId, port), { reachability, optionsError: lastError });
  }

  gatewayState(gatewayId: number): Reachability {
    return this.gateways.get(gatewayId)?.reachability ?? 'unknown';
  }

  /** Health's `gateways`: `registered(port)` is null for ports that do not register (trunk mode). */
  report(gateways: ReadonlyArray<{ id: number; ports: ReadonlyArray<{ port: number; username: string | null }> }>, registered: (gatewayId: number, username: string) => boolean): GatewayReport[] {
    return gateways.map((g) => {
      const live = this.gateway(g.id);
      return {
        id: g.id,
        reachability: live.reachability,
        lastError: live.lastError,
        changedAt: new Date(live.changedAt).toISOString(),
        ports: g.ports.map((p) => {
          const l = this.port(g.id, p.port);
          return {
            port: p.port,
            registered: p.username ? registered(g.id, p.username) : null,
            busy: l.callId !== null,
            lastError: l.optionsError ?? l.callError,
            callsToday: l.calls,
            minutesToday: Math.round((l.seconds / 60) * 100) / 100,
          };
        }),
      };
    });
  }
}
