// Calls from the mobile (issue 14): a GSM gateway's port authenticated and
// presents the GSM caller's number (PAI > RPID > From, in the gateway's
// order, normalised with its city code). When that number is a SIM of the
// tenant bound to an extension, the call is that extension's call: short
// numbers, feature codes, the dial plan with the company's number and the
// extension's permissions, the CDR under the employee. Any other caller is
// refused: a port is not an open door to the PBX's trunks.
import { callerIdentity } from '../../fmc';
import type { Store } from '../../store';

export interface MobileDirectory {
  /** The extension a call through this port is from, or why none. */
  fromMobile(tenantId: number, port: { gatewayId: number; port: number }, headers: { pai?: string; rpid?: string; from?: string }): { extension: string; msisdn: string } | { refuse: string };
}

export function mobileDirectory(store: Pick<Store, 'gateways' | 'sims' | 'extensions'>): MobileDirectory {
  return {
    fromMobile(tenantId, port, headers) {
      const gw = store.gateways.get(port.gatewayId);
      if (!gw || gw.tenantId !== tenantId || !gw.enabled) return { refuse: 'gateway-disabled' };
      const id = callerIdentity(headers, { order: gw.config.callerIdOrder, cityCode: gw.config.cityCode });
      if (id.number === null) return { refuse: 'mobile-caller-unknown' };
      const sim = store.sims.byMsisdn(id.number);
      if (!sim || sim.tenantId !== tenantId || sim.extensionId === null || sim.state !== 'active') return { refuse: 'mobile-not-bound' };
      const ext = store.extensions.byId(sim.extensionId);
      if (!ext || !ext.enabled) return { refuse: 'mobile-not-bound' };
      return { extension: ext.extension, msisdn: sim.msisdn };
    },
  };
}
