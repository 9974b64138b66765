// What to set on the device's side, per template: shown on the gateway's
// page next to the PBX's own settings, and quoted in the README. The field
// names are the vendors' (GoIP, Dinstar, Yeastar web UIs) so an admin finds
// them; values come from the gateway's config and the PBX's address.
import type { GatewayConfig } from './templates';

export interface DeviceSetting {
  /** Where in the device's web UI. */
  section: string;
  field: string;
  value: string;
}

export function deviceSettings(c: GatewayConfig, pbx: { host: string; port: number; domain: string }): DeviceSetting[] {
  const server = pbx.port === 5060 ? pbx.host : `${pbx.host}:${pbx.port}`;
  const codecs = c.codecs.map((x) => ({ PCMA: 'G.711a', PCMU: 'G.711u', G729: 'G.729', G723: 'G.723', GSM: 'GSM' })[x]).join(', ');
  const common: DeviceSetting[] = [
    { section: 'Media', field: 'Codec Preference', value: codecs },
    { section: 'Media', field: 'DTMF Signaling', value: { rfc2833: 'RFC2833 (outband)', inband: 'Inband', info: 'SIP INFO' }[c.dtmfMode] },
    { section: 'Call In', field: 'CID Forward Mode', value: 'Use Remote Party ID (or CID as SIP Caller ID)' },
  ];
  switch (c.template) {
    case 'goip-line':
      return [
        { section: 'Basic VoIP', field: 'Config Mode', value: 'Config by Line' },
        ...c.ports.flatMap((p) => [
          { section: `Line ${p.port}`, field: 'SIP Registrar Server / Proxy', value: server },
          { section: `Line ${p.port}`, field: 'SIP Phone Number / Authentication ID', value: p.username ?? '' },
          { section: `Line ${p.port}`, field: 'Password', value: '(the password shown once when the gateway was created)' },
          { section: `Line ${p.port}`, field: 'SIP Domain', value: pbx.domain },
        ]),
        ...common,
      ];
    case 'goip-trunk':
    case 'yeastar-tg':
      return [
        c.template === 'goip-trunk' ? { section: 'Basic VoIP', field: 'Config Mode', value: 'Trunk Gateway' } : { section: 'VoIP Trunk', field: 'Type', value: 'Service Provider (peer, no registration)' },
        { section: 'Trunk', field: 'SIP Trunk Gateway 1', value: server },
        ...c.ports.flatMap((p) => [
          { section: `Line ${p.port}`, field: c.template === 'goip-trunk' ? 'Call In: Forward Number' : 'Mobile to IP: Hotline', value: p.did ?? '' },
          { section: `Line ${p.port}`, field: c.template === 'goip-trunk' ? 'Call Out: Routing Prefix' : 'IP to Mobile: prefix (strip it)', value: p.prefix ?? '' },
        ]),
        ...common,
      ];
    case 'dinstar-dwg':
    case 'openvox':
      return [
        { section: 'SIP', field: c.template === 'dinstar-dwg' ? 'Register mode: per port' : 'SIP endpoint per GSM channel, registration: outbound', value: server },
        ...c.ports.map((p) => ({ section: `Port ${p.port}`, field: 'SIP User ID / Authentication ID', value: p.username ?? '' })),
        ...common,
      ];
    case 'operator-fmc':
      return [{ section: 'Operator', field: 'FMC trunk: the PBX address the operator sends SIM calls to', value: server }];
  }
}
