// Least-cost routing through corporate SIMs (issue 14): a call to a mobile
// number leaves, before the route's operator trunks, through a free GSM port
// whose SIM is of the number's operator (on-net minutes are what the SIM's
// tariff includes). The operator comes from the numbering plan's ranges the
// admin imported (services/fmc/number-ranges.ts); a SIM is skipped once its
// minutes this month, summed from the CDRs of the calls it carried, reach
// its monthly limit. SIMs with the fewest minutes go first, so usage spreads.
// When no port qualifies — none of that operator, all busy or down, all at
// their limit — the list is empty and the route's trunks carry the call.
import type { Logger } from '../../common/logger';
import type { Gateway, Sim, Store } from '../../store';
import type { ChannelLease } from '../trunks/trunk-channels';
import type { DirectoryTrunk } from '../trunks/trunk-directory';
import type { DialWay } from '../trunks/trunk-dialer';
import { aorKey } from '../calls/forwarding';
import type { Binding } from '../registrar/location-service';
import { dialString } from './mobile-ring';
import type { PortTable } from './port-table';

export interface LcrDeps {
  store: { sims: Pick<Store['sims'], 'list'>; gateways: Pick<Store['gateways'], 'get'>; numberRanges: Pick<Store['numberRanges'], 'find' | 'minutesThisMonth' | 'recordSimCall'> };
  ports: PortTable;
  bindings(aor: string): Binding[];
  log: Logger;
  now?: () => Date;
  /**
   * How long the SIMs, their gateways and minutes this month read from the
   * store serve further calls (default 1 s; 0 reads every time): reading them
   * cost ~13 ms a call at 64 ports and a month of CDRs (bench/fmc). An
   * admin's edit applies within that second; busy and down ports come from
   * the live port table on every call.
   */
  cacheMs?: number;
}

interface Snapshot {
  at: number;
  sims: Sim[];
  gateways: Map<number, Gateway | undefined>;
  used: Map<number, number>;
}

/** A SIM LCR may use, with what the gateway needs to dial out on its port. */
export interface LcrChoice {
  sim: Sim;
  gateway: Gateway;
  minutes: number;
  host: string;
  sipPort: number;
  transport: DirectoryTrunk['transport'];
  dialNumber: string;
}

const TRANSPORTS: ReadonlyArray<DirectoryTrunk['transport']> = ['udp', 'tcp', 'tls'];

export class LeastCostRouter {
  private readonly snapshots = new Map<number, Snapshot>();

  constructor(private readonly deps: LcrDeps) {}

  private snapshot(tenantId: number): Snapshot {
    const now = (this.deps.now?.() ?? new Date()).getTime();
    const cached = this.snapshots.get(tenantId);
    if (cached && now - cached.at < (this.deps.cacheMs ?? 1000)) return cached;
    const { store } = this.deps;
    const s: Snapshot = { at: now, sims: store.sims.list(tenantId), gateways: new Map(), used: store.numberRanges.minutesThisMonth(tenantId, new Date(now)) };
    for (const sim of s.sims) if (sim.gatewayId !== null && !s.gateways.has(sim.gatewayId)) s.gateways.set(sim.gatewayId, store.gateways.get(sim.gatewayId));
    this.snapshots.set(tenantId, s);
    return s;
  }

  /** The usable SIMs for a call to `e164`, best first (see the file's head). */
  choices(tenantId: number, e164: string): LcrChoice[] {
    const { store, ports } = this.deps;
    const range = store.numberRanges.find(tenantId, e164);
    if (!range) return [];
    const { sims, gateways, used } = this.snapshot(tenantId);
    const out: LcrChoice[] = [];
    for (const sim of sims) {
      if (sim.state !== 'active' || sim.operator !== range.operator || sim.gatewayId === null || sim.port === null || sim.msisdn === e164) continue;
      const minutes = used.get(sim.id) ?? 0;
      if (sim.monthlyMinuteLimit > 0 && minutes >= sim.monthlyMinuteLimit) continue;
      const gateway = gateways.get(sim.gatewayId);
      if (!gateway || !gateway.enabled || gateway.tenantId !== tenantId || gateway.config.mode === 'operator') continue;
      const port = gateway.config.ports.find((p) => p.port === sim.port);
      if (!port || !port.enabled || ports.busy(gateway.id, port.port) || ports.down(gateway.id, port.port)) continue;
      const number = dialString(e164, gateway.config.dialFormat);
      const c = gateway.config;
      if (c.mode === 'trunk') {
        if (!c.host || !port.prefix) continue;
        out.push({ sim, gateway, minutes, host: c.host, sipPort: c.sipPort, transport: c.transport, dialNumber: `${port.prefix}${number}` });
        continue;
      }
      // Line mode: the port is reached where its REGISTER came from (behind NAT too); unregistered, it carries nothing.
      const b = port.username ? this.deps.bindings(aorKey(tenantId, port.username))[0] : undefined;
      if (!b) continue;
      const transport = TRANSPORTS.find((t) => t === b.source.transport.toLowerCase()) ?? 'udp';
      out.push({ sim, gateway, minutes, host: b.source.address, sipPort: b.source.port, transport, dialNumber: number });
    }
    return out.sort((a, b) => a.minutes - b.minutes || a.sim.id - b.sim.id);
  }

  /**
   * The choices as the trunk dialer's ways for one call: each port leased to
   * the call when tried (one call per GSM channel), and, once answered, the
   * call recorded against its SIM so its CDR's minutes count.
   */
  ways(tenantId: number, e164: string, callId: string): DialWay[] {
    return this.choices(tenantId, e164).map((c) => {
      const trunk: DirectoryTrunk = {
        // Negative: never the id of a trunk in the store (trunk channel counts and signalling key on those).
        id: -(c.gateway.id * 100 + c.sim.port!),
        tenantId,
        name: `${c.gateway.name} / ${c.sim.port}`,
        kind: 'ip',
        host: c.host,
        port: c.sipPort,
        transport: c.transport,
        username: null,
        registerExpiry: 0,
        addresses: [],
        optionsInterval: 0,
        channelLimit: 1,
        // The GSM network shows the SIM's own number whatever we send.
        outboundCallerId: c.sim.msisdn,
        updatedAt: c.gateway.updatedAt,
        sources: [],
      };
      let lease: ReturnType<PortTable['acquire']>;
      return {
        trunk,
        dialNumber: c.dialNumber,
        // GoIP: 404 is "no such routing prefix" on this port, not the callee's answer.
        failoverOn: [404],
        quirks: c.gateway.config.quirks,
        take: (): ChannelLease | undefined => {
          lease = this.deps.ports.acquire(c.gateway.id, c.sim.port!, callId);
          if (!lease) return undefined;
          const l = lease;
          return { trunkId: trunk.id, release: () => l.release() };
        },
        onAnswered: () => {
          lease?.answered();
          this.deps.store.numberRanges.recordSimCall(tenantId, c.sim.id, callId, this.deps.now?.() ?? new Date());
          this.deps.log.info('mobile call out through a SIM', { callId, simId: c.sim.id, gatewayId: c.gateway.id, port: c.sim.port });
        },
      };
    });
  }
}
