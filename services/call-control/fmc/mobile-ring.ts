// Calls to the extension ring its mobile (issue 14): the SIM bound to the
// extension says how (ring mode: together with the desk phones, after N
// seconds, only when no desk phone is registered, or mobile only). The
// mobile's leg is one more branch of the extension's fork (calls/fork.ts):
// first answer wins, the others are CANCELed. It leaves through a free port
// of a GSM gateway dialling the employee's number — never the port that
// holds this very SIM (a SIM cannot call itself), preferring the SIM's own
// gateway and ports whose SIM is of the same operator (on-net), then the
// tenant's other gateways, an operator FMC trunk last. A port carries one
// call (port-table.ts); a port that answers 503 (GoIP: no free channel),
// 404 (no routing prefix), or nothing at all is given up for the next one.
import type { Logger } from '../../common/logger';
import { uriParts } from '../registrar/sip-address';
import type { ForkBranch } from '../calls/fork';
import { aorKey, type Hop } from '../calls/forwarding';
import type { Binding } from '../registrar/location-service';
import type { Gateway, Sim, Store } from '../../store';
import type { PortTable } from './port-table';

type RingHop = Extract<Hop, { kind: 'ring' }>;

export interface MobileRingDeps {
  store: { sims: Pick<Store['sims'], 'byExtension' | 'list'>; gateways: Pick<Store['gateways'], 'list'> };
  ports: PortTable;
  bindings(aor: string): Binding[];
  proxyFor(contact: string, source: Binding['source']): string | undefined;
  log: Logger;
}

/** What the ringer needs of the call: its id for the port lease, and `defer` so a won port is freed when the call ends. */
export interface MobileCall {
  id: string;
  tenantId: number;
  defer(what: string, release: () => void): void;
}

/** One way out to the mobile: a gateway port (port 0: an operator FMC trunk, no per-port limit). */
export interface MobileTarget {
  gatewayId: number;
  port: number;
  contact: string;
  proxy?: string;
}

/** Statuses after which another port may do better: the port is busy, has no prefix, fails, or never answered. */
const RETRY_ON = new Set([404, 408, 500, 502, 503, 504]);

/** The employee's number as the gateway must dial it. */
export function dialString(msisdn: string, format: Gateway['config']['dialFormat']): string {
  return format === 'e164' ? msisdn : `8${msisdn.slice(2)}`;
}

/** The contact a port registered, with the number to dial as its user (GoIP Config by Line dials the Request-URI's user). */
export function withUser(contact: string, user: string): string {
  const m = /^(sips?:)(?:[^@;>]*@)?(.*)$/i.exec(contact.trim());
  return m ? `${m[1]}${user}@${m[2]}` : contact;
}

const hostPart = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

export class MobileRinger {
  constructor(private readonly deps: MobileRingDeps) {}

  /** The extension's active SIM that rings with it, if any. */
  private sim(extensionId: number): Sim | undefined {
    const sim = this.deps.store.sims.byExtension(extensionId);
    return sim && sim.state === 'active' && sim.ringMode !== 'off' ? sim : undefined;
  }

  /** True when the extension rings a mobile: then it is reachable with no desk phone registered. */
  ringsMobile(extensionId: number): boolean {
    return this.sim(extensionId) !== undefined;
  }

  /** The hop with the mobile added per the SIM's ring mode (unchanged when the extension rings no mobile). */
  withMobile(call: MobileCall, hop: RingHop, log: Logger): RingHop {
    const sim = this.sim(hop.extensionId);
    if (!sim || sim.tenantId !== call.tenantId) return hop;
    const desk = sim.ringMode === 'only' ? [] : hop.bindings;
    if (sim.ringMode === 'no-desk' && desk.length > 0) return hop;
    const tried = new Set<string>();
    const first = this.branch(call, sim, tried, log);
    if (!first) {
      log.warn('mobile not rung: no free gateway port', { extension: hop.number });
      return { ...hop, bindings: desk };
    }
    // With desk phones ringing, 'after' waits its delay; alone, the mobile rings at once.
    const delayMs = sim.ringMode === 'after' && desk.length > 0 ? sim.ringDelay * 1000 : 0;
    return { ...hop, bindings: desk, extra: [...(hop.extra ?? []), { ...first, delayMs }] };
  }

  /** The next free way out not tried yet, leased to the call, as a fork branch that retries on the next one. */
  private branch(call: MobileCall, sim: Sim, tried: Set<string>, log: Logger): ForkBranch | undefined {
    for (const t of this.targets(call.tenantId, sim)) {
      const key = `${t.gatewayId}:${t.port}`;
      if (tried.has(key)) continue;
      tried.add(key);
      const lease = t.port === 0 ? undefined : this.deps.ports.acquire(t.gatewayId, t.port, call.id);
      if (t.port !== 0 && !lease) continue; // taken meanwhile by another call
      if (lease) call.defer('gateway port', () => lease.release());
      log.info('mobile rung through a gateway port', { gatewayId: t.gatewayId, port: t.port });
      return {
        contact: t.contact,
        ...(t.proxy ? { proxy: t.proxy } : {}),
        retry: (status) => {
          if (status !== undefined && !RETRY_ON.has(status)) return undefined;
          if (t.port !== 0) this.deps.ports.portError(t.gatewayId, t.port, status === undefined ? 'no answer to INVITE' : `${status} to INVITE`);
          return this.branch(call, sim, tried, log);
        },
        ended: () => lease?.release(),
        answered: () => lease?.answered(),
      };
    }
    return undefined;
  }

  /** Every usable way out, best first (see the file's head). */
  targets(tenantId: number, sim: Sim): MobileTarget[] {
    const { ports } = this.deps;
    const sims = this.deps.store.sims.list(tenantId);
    const simIn = new Map(sims.filter((s) => s.gatewayId !== null && s.port !== null).map((s) => [`${s.gatewayId}:${s.port}`, s]));
    const gateways = this.deps.store.gateways
      .list(tenantId)
      .filter((g) => g.enabled && !ports.down(g.id))
      .sort((a, b) => rank(a, sim) - rank(b, sim) || a.id - b.id);
    const out: MobileTarget[] = [];
    for (const g of gateways) {
      const c = g.config;
      const number = dialString(sim.msisdn, c.dialFormat);
      if (c.mode === 'operator') {
        if (c.host) out.push({ gatewayId: g.id, port: 0, contact: `sip:${number}@${hostPart(c.host)}:${c.sipPort};transport=${c.transport}` });
        continue;
      }
      const usable = c.ports
        .filter((p) => p.enabled && !(sim.gatewayId === g.id && sim.port === p.port) && !ports.busy(g.id, p.port) && !ports.down(g.id, p.port))
        .filter((p) => {
          const inPort = simIn.get(`${g.id}:${p.port}`);
          return !inPort || inPort.state === 'active';
        })
        // On-net first: a port whose SIM is of the mobile's operator.
        .sort((a, b) => Number(simIn.get(`${g.id}:${b.port}`)?.operator === sim.operator) - Number(simIn.get(`${g.id}:${a.port}`)?.operator === sim.operator) || a.port - b.port);
      for (const p of usable) {
        if (c.mode === 'trunk') {
          if (c.host && p.prefix) out.push({ gatewayId: g.id, port: p.port, contact: `sip:${p.prefix}${number}@${hostPart(c.host)}:${c.sipPort};transport=${c.transport}` });
          continue;
        }
        // Line mode: the port is reached where it registered; not registered, it cannot ring anyone.
        const b = p.username ? this.deps.bindings(aorKey(tenantId, p.username))[0] : undefined;
        if (!b) continue;
        const contact = withUser(b.contact, number);
        const proxy = safeProxy(this.deps.proxyFor, b);
        out.push({ gatewayId: g.id, port: p.port, contact, ...(proxy ? { proxy } : {}) });
      }
    }
    return out;
  }
}

/** The SIM's own gateway first, GSM gateways before operator trunks. */
function rank(g: Gateway, sim: Sim): number {
  if (g.config.mode === 'operator') return 2;
  return g.id === sim.gatewayId ? 0 : 1;
}

function safeProxy(proxyFor: MobileRingDeps['proxyFor'], b: Binding): string | undefined {
  try {
    uriParts(b.contact);
    return proxyFor(b.contact, b.source);
  } catch {
    return undefined;
  }
}
