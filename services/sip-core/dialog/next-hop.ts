// Where to send a request (RFC 3263 reduced to what a PBX on a LAN needs):
// transport from `;transport=` or the scheme, port from the URI or the
// transport's default, host resolved with the system resolver (A/AAAA, no SRV).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseUri } from '../sip/header-values';
import type { Destination, Transport } from '../sip/types';

export class NextHopError extends Error {
  constructor(
    readonly code: 'next-hop-invalid-uri' | 'next-hop-unresolvable' | 'next-hop-transport-unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'NextHopError';
  }
}

const TRANSPORTS: readonly Transport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** Accepts a SIP URI, `host`, `host:port` or `host:port;transport=tcp` (srf's proxy token). */
export function normalizeHopUri(text: string): string {
  const t = text.trim().replace(/^<(.*)>$/, '$1');
  return /^(sips?|tel):/i.test(t) ? t : `sip:${t}`;
}

export async function resolveNextHop(uriText: string, available: ReadonlySet<Transport>): Promise<Destination> {
  let uri;
  try {
    uri = parseUri(normalizeHopUri(uriText));
  } catch (e) {
    throw new NextHopError('next-hop-invalid-uri', `invalid uri: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (uri.scheme === 'tel' || !uri.host) throw new NextHopError('next-hop-invalid-uri', `no host in ${uriText}`);
  const param = uri.params.get('transport')?.toLowerCase();
  let transport: Transport;
  if (param && (TRANSPORTS as readonly string[]).includes(param)) transport = param as Transport;
  else if (param) throw new NextHopError('next-hop-transport-unavailable', 'requested protocol/transport not available');
  else transport = uri.scheme === 'sips' ? 'tls' : 'udp';
  if (!available.has(transport)) {
    throw new NextHopError('next-hop-transport-unavailable', 'requested protocol/transport not available');
  }
  const port = uri.port ?? (transport === 'tls' || transport === 'wss' ? 5061 : 5060);
  const address = await resolveHost(uri.host);
  return { transport, address, port };
}

async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    throw new NextHopError('next-hop-unresolvable', `can not resolve ${host}`);
  }
}
