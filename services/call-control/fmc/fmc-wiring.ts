// FMC in the call-control process (issue 14): the live port table, the
// mobile ringer the extension destination uses, least-cost routing through
// the SIMs for outbound calls, and the report health
// carries for the api's gateway page.
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import { aorKey } from '../calls/forwarding';
import { natProxy, type Binding } from '../registrar/location-service';
import { realClock, srfSender } from '../trunks/trunk-registration-transport';
import { storeAlarms } from '../trunks/trunk-status-source';
import { GatewayKeepalive } from './gateway-keepalive';
import { LeastCostRouter } from './lcr';
import { MobileRinger } from './mobile-ring';
import { PortTable, type GatewayReport } from './port-table';

export interface FmcWiring {
  ports: PortTable;
  mobiles: MobileRinger;
  lcr: LeastCostRouter;
  /** For the router: the extension is reachable through its mobile. */
  ringsMobile(tenantId: number, extensionId: number): boolean;
  report(): GatewayReport[];
  /** Keepalives in step with the gateways and their ports' registrations; call every few seconds once the SIP server is connected. */
  sync(): void;
  stop(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack request()
type Loose = any;

export function fmcWiring(o: { store: Store; srf: Loose; bindings(aor: string): Binding[]; log: Logger; now?: () => number }): FmcWiring {
  const ports = new PortTable(o.now);
  const mobiles = new MobileRinger({ store: o.store, ports, bindings: o.bindings, proxyFor: natProxy, log: o.log });
  const lcr = new LeastCostRouter({ store: o.store, ports, bindings: o.bindings, log: o.log });
  const keepalive = new GatewayKeepalive({ load: () => o.store.gateways.list(), bindings: o.bindings, send: srfSender(o.srf), clock: realClock, ports, alarms: storeAlarms(o.store), log: o.log });
  return {
    sync: () => keepalive.sync(),
    stop: () => keepalive.stop(),
    ports,
    mobiles,
    lcr,
    ringsMobile: (_tenantId, extensionId) => mobiles.ringsMobile(extensionId),
    report: () => {
      const gateways = o.store.gateways.list();
      return ports.report(gateways.map((g) => ({ id: g.id, ports: g.config.ports })), (gatewayId, username) => {
        const g = gateways.find((x) => x.id === gatewayId);
        return g !== undefined && o.bindings(aorKey(g.tenantId, username)).length > 0;
      });
    },
  };
}
