// What to type into a phone for one extension: the server address and port
// per transport, the SIP domain (also the digest realm), the user name. The
// password is never stored, so it is only in the create/reset answers.
import type { Config } from '../../../common/config';
import type { ExtensionView, Tenant } from '../../../store';

export interface PhoneServer {
  transport: string;
  host: string;
  port: number;
}

export interface PhoneSettings {
  extension: string;
  displayName: string;
  /** SIP user name and digest user name: phones ask for both, they are the same here. */
  username: string;
  /** The tenant's SIP domain; the digest realm too (RFC 7616 §3.4.2). */
  domain: string;
  realm: string;
  servers: PhoneServer[];
}

const wildcard = new Set(['0.0.0.0', '::', '']);

/**
 * The address phones should use for a listener: the configured public address
 * (behind NAT), else the listener's own address, else — for a listener on every
 * interface — the host name the admin reached the api by, which is the one
 * address we know is reachable from the admin's network.
 */
export function phoneHost(config: Readonly<Config>, listenerHost: string, requestHost: string): string {
  if (config.sip.publicAddress) return config.sip.publicAddress;
  return wildcard.has(listenerHost) ? requestHost : listenerHost;
}

export function phoneSettings(config: Readonly<Config>, tenant: Tenant, ext: ExtensionView, requestHost: string): PhoneSettings {
  const servers = config.sip.listen.map((l) => ({ transport: l.transport, host: phoneHost(config, l.host, requestHost), port: l.port }));
  return {
    extension: ext.extension,
    displayName: ext.displayName,
    username: ext.sipUsername,
    domain: tenant.sipDomain,
    realm: tenant.sipDomain,
    servers,
  };
}
