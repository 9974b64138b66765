// FMC in the call-control process (issue 14): the live port table, the
// mobile ringer the extension destination uses, and the report health
// carries for the api's gateway page.
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import { aorKey } from '../calls/forwarding';
import { natProxy, type Binding } from '../registrar/location-service';
import { MobileRinger } from './mobile-ring';
import { PortTable, type GatewayReport } from './port-table';

export interface FmcWiring {
  ports: PortTable;
  mobiles: MobileRinger;
  /** For the router: the extension is reachable through its mobile. */
  ringsMobile(tenantId: number, extensionId: number): boolean;
  report(): GatewayReport[];
}

export function fmcWiring(o: { store: Store; bindings(aor: string): Binding[]; log: Logger; now?: () => number }): FmcWiring {
  const ports = new PortTable(o.now);
  const mobiles = new MobileRinger({ store: o.store, ports, bindings: o.bindings, proxyFor: natProxy, log: o.log });
  return {
    ports,
    mobiles,
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
