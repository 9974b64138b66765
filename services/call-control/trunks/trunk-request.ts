// What an INVITE to the operator carries: the Request-URI on the trunk's
// host, and the caller ID in From and P-Asserted-Identity.
import type { DirectoryTrunk } from './trunk-directory';

export interface CallerId {
  number: string;
  name: string;
  /** Which setting gave the number: the extension's own, the trunk's, the trunk's account name, or the bare extension. */
  source: 'extension' | 'trunk' | 'trunk-username' | 'extension-number';
}

/**
 * The caller ID an outbound call presents. The extension's own
 * caller_id_number wins (a direct line the person owns), then the trunk's
 * outbound_caller_id (the company's main number), then the trunk's account
 * name (operators usually register a number), and last the extension itself.
 */
export function outboundCallerId(extension: string, features: { callerIdNumber: string; callerIdName: string } | undefined, trunk: Pick<DirectoryTrunk, 'outboundCallerId' | 'username'>): CallerId {
  const name = features?.callerIdName ?? '';
  if (features && features.callerIdNumber !== '') return { number: features.callerIdNumber, name, source: 'extension' };
  if (trunk.outboundCallerId !== '') return { number: trunk.outboundCallerId, name, source: 'trunk' };
  if (trunk.username) return { number: trunk.username, name, source: 'trunk-username' };
  return { number: extension, name, source: 'extension-number' };
}

const hostPart = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** `sip:<user>@<host>:<port>;transport=<t>` toward the trunk (RFC 3261 §19.1.1). */
export function trunkUri(trunk: Pick<DirectoryTrunk, 'host' | 'port' | 'transport'>, user: string): string {
  if (trunk.host === null) throw new Error('trunk has no host to send to');
  return `sip:${user}@${hostPart(trunk.host)}:${trunk.port};transport=${trunk.transport}`;
}

/** RFC 3261 §25.1 quoted-string: backslash and double quote escaped, control characters dropped. */
function quoted(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return `"${name.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** From and P-Asserted-Identity (RFC 3325 §9.1, trusted between us and the operator) with the caller ID. */
export function callerIdHeaders(trunk: Pick<DirectoryTrunk, 'host'>, id: CallerId): Record<string, string> {
  const uri = `sip:${id.number}@${hostPart(trunk.host ?? 'localhost')}`;
  const display = id.name !== '' ? `${quoted(id.name)} ` : '';
  return { From: `${display}<${uri}>`, 'P-Asserted-Identity': `${display}<${uri}>` };
}
