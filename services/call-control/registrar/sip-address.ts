// The few SIP header grammars the registrar reads itself (RFC 3261 §20.10
// Contact, §20.39 To, §25.1 name-addr / addr-spec), parsed defensively:
// anything odd is a `SipAddressError` with a message for a 400 reason
// phrase, never an exception from deep inside a generic parser.

export class SipAddressError extends Error {
  readonly code = 'sip-address-invalid';
}

export interface SipAddress {
  uri: string;
  /** Header parameters after the address (expires, q, +sip.instance, tag …), names lower-cased. */
  params: Map<string, string>;
}

export interface SipUriParts {
  scheme: 'sip' | 'sips' | 'tel';
  user: string;
  host: string;
}

const MAX_ADDRESSES = 10;
const MAX_ADDRESS_CHARS = 1024;

/** Splits at commas outside quotes and angle brackets (RFC 3261 §7.3.1); throws SipAddressError when unbalanced. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || depth !== 0) throw new SipAddressError('unbalanced quotes or angle brackets');
  out.push(value.slice(start));
  return out.map((s) => s.trim());
}

function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const segments = text.split(';');
  if (segments[0]!.trim() !== '') throw new SipAddressError('unexpected text after the address');
  for (const raw of segments.slice(1)) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    let value = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!/^[a-z0-9.!%*_+`'~-]+$/.test(name)) throw new SipAddressError(`bad parameter name ${name.slice(0, 32)}`);
    if (params.has(name)) throw new SipAddressError(`parameter ${name} appears twice`);
    params.set(name, value);
  }
  return params;
}

/** One name-addr or addr-spec with its header parameters. */
export function parseAddress(text: string): SipAddress {
  const s = text.trim();
  if (s === '' || s.length > MAX_ADDRESS_CHARS) throw new SipAddressError('empty or overlong address');
  if (/[\r\n\0]/.test(s)) throw new SipAddressError('control characters in address');
  const lt = s.indexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new SipAddressError('missing >');
    const uri = s.slice(lt + 1, gt).trim();
    if (!/^(sips?|tel):/i.test(uri)) throw new SipAddressError('address is not a sip:, sips: or tel: URI');
    return { uri, params: parseParams(s.slice(gt + 1)) };
  }
  // RFC 3261 §20: without <>, parameters after the URI belong to the header.
  const semi = s.indexOf(';');
  const uri = semi < 0 ? s : s.slice(0, semi);
  if (!/^(sips?|tel):[^\s]+$/i.test(uri)) throw new SipAddressError('address is not a sip:, sips: or tel: URI');
  return { uri, params: parseParams(semi < 0 ? '' : s.slice(semi)) };
}

/** A Contact header value: `*` or a list of addresses. */
export function parseContacts(value: string): '*' | SipAddress[] {
  if (value.trim() === '*') return '*';
  const parts = splitList(value);
  if (parts.length > MAX_ADDRESSES) throw new SipAddressError(`more than ${MAX_ADDRESSES} contacts`);
  return parts.map(parseAddress);
}

/** user and host of a sip/sips/tel URI, lower-cased host, without port or parameters. */
export function uriParts(uri: string): SipUriParts {
  const m = /^(sips?|tel):(?:([^@;?]+)@)?(\[[0-9a-fA-F:.]+\]|[^:;?>]+)/i.exec(uri);
  if (!m) throw new SipAddressError('unreadable URI');
  const scheme = m[1]!.toLowerCase() as SipUriParts['scheme'];
  if (scheme === 'tel') return { scheme, user: m[3]!, host: '' };
  // RFC 3261 §19.1.2: the user part may be escaped; user:password is deprecated and refused.
  const rawUser = m[2] ?? '';
  if (rawUser.includes(':')) throw new SipAddressError('password in URI');
  let user: string;
  try {
    user = decodeURIComponent(rawUser);
  } catch {
    throw new SipAddressError('bad escape in URI user part');
  }
  return { scheme, user, host: m[3]!.toLowerCase().replace(/^\[|\]$/g, '') };
}

/** RFC 3261 §20.19 / §20.10: delta-seconds, at most 2^32-1. */
export function parseDeltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d{1,10}$/.test(v)) throw new SipAddressError(`bad expires value ${v.slice(0, 16)}`);
  return Math.min(Number(v), 4_294_967_295);
}
