// Parsed views of header values (RFC 3261 §19.1, §20, §25.1): URIs, name-addr
// (From/To/Contact/Route…), Via, CSeq, generic parameters, and comma lists.
// Parsers throw ParseError with a reason fit for a 400 reply.
import { tokenPattern } from './header-names';
import { ParseError } from './parse-error';
import type { CSeq, NameAddr, SipParams, SipUri, Via } from './types';

/** Split a header value at commas that are outside quoted strings and <…> (RFC 3261 §7.3.1). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>' && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

/** Split at `sep` outside quoted strings. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw new ParseError('bad-quoted-string', 'unterminated quoted string');
  out.push(text.slice(start));
  return out;
}

/** Parse `;a=b;c;d="x"` (leading `;` optional). Names are lower-cased; quoted values keep their quotes. */
export function parseParams(text: string): SipParams {
  const params: SipParams = new Map();
  const body = text.trim();
  if (body === '') return params;
  const parts = splitOutsideQuotes(body.startsWith(';') ? body.slice(1) : body, ';');
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === '') throw new ParseError('bad-parameter', 'empty parameter');
    if (!tokenPattern.test(name)) throw new ParseError('bad-parameter', `bad parameter: ${part.trim().slice(0, 40)}`);
    const value = eq < 0 ? null : part.slice(eq + 1).trim();
    params.set(name.toLowerCase(), value);
  }
  return params;
}

export function formatParams(params: SipParams): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const ipv6Pattern = /^[0-9A-Fa-f:.]+$/;

/** Split `host[:port]` (IPv6 in brackets). */
export function parseHostPort(text: string, what = 'host'): { host: string; port?: number } {
  const t = text.trim();
  let host: string;
  let rest: string;
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    if (end < 0) throw new ParseError('bad-host', `bad ${what}: ${t.slice(0, 60)}`);
    host = t.slice(1, end);
    if (!ipv6Pattern.test(host) || !host.includes(':')) throw new ParseError('bad-host', `bad ${what}: ${t.slice(0, 60)}`);
    rest = t.slice(end + 1);
  } else {
    const colon = t.indexOf(':');
    host = colon < 0 ? t : t.slice(0, colon);
    rest = colon < 0 ? '' : t.slice(colon);
    if (!hostPattern.test(host)) throw new ParseError('bad-host', `bad ${what}: ${t.slice(0, 60)}`);
  }
  if (rest === '') return { host };
  const m = /^:\s*(\d{1,5})$/.exec(rest);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ParseError('bad-port', `bad port in ${what}: ${t.slice(0, 60)}`);
  return { host, port };
}

export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Parse a sip:, sips: or tel: URI (RFC 3261 §19.1.1, RFC 3966). */
export function parseUri(text: string): SipUri {
  const t = text.trim();
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(t);
  if (!m) throw new ParseError('bad-uri', `bad URI: ${t.slice(0, 60)}`);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (/[\s<>"]/.test(rest)) throw new ParseError('bad-uri', `bad URI: ${t.slice(0, 60)}`);
  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const user = semi < 0 ? rest : rest.slice(0, semi);
    if (user === '') throw new ParseError('bad-uri', `bad URI: ${t.slice(0, 60)}`);
    return { scheme, user, host: '', params: parseParams(semi < 0 ? '' : rest.slice(semi)), headers: new Map() };
  }
  if (scheme !== 'sip' && scheme !== 'sips') throw new ParseError('unsupported-uri-scheme', `unsupported URI scheme: ${scheme}`);
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    uri.user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) uri.password = userinfo.slice(colon + 1);
    if (uri.user === '') throw new ParseError('bad-uri', `bad URI: empty user in ${t.slice(0, 60)}`);
  }
  const q = hostPart.indexOf('?');
  if (q >= 0) {
    for (const pair of hostPart.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      uri.headers.set(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? '' : pair.slice(eq + 1));
    }
    hostPart = hostPart.slice(0, q);
  }
  const semi = hostPart.indexOf(';');
  if (semi >= 0) {
    uri.params = parseParams(hostPart.slice(semi));
    hostPart = hostPart.slice(0, semi);
  }
  const hp = parseHostPort(hostPart, 'URI host');
  uri.host = hp.host;
  if (hp.port !== undefined) uri.port = hp.port;
  return uri;
}

export function formatUri(uri: SipUri): string {
  if (uri.scheme === 'tel') return `tel:${uri.user ?? ''}${formatParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) out += uri.password !== undefined ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
  out += formatHost(uri.host);
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatParams(uri.params);
  if (uri.headers.size > 0) out += '?' + [...uri.headers].map(([k, v]) => `${k}=${v}`).join('&');
  return out;
}

/** Parse one name-addr / addr-spec value (From, To, Contact, Route, …). */
export function parseNameAddr(value: string, header = 'address'): NameAddr {
  const t = value.trim();
  if (t === '*') return { uriText: '*', params: new Map(), wildcard: true };
  let displayName: string | undefined;
  let uriText: string;
  let paramText: string;
  let rest = t;
  if (rest.startsWith('"')) {
    let i = 1;
    for (; i < rest.length && rest[i] !== '"'; i++) if (rest[i] === '\\') i++;
    if (i >= rest.length) throw new ParseError('bad-header', `bad ${header}: unterminated display name`);
    displayName = rest.slice(1, i).replace(/\\(.)/g, '$1');
    rest = rest.slice(i + 1).trimStart();
    if (!rest.startsWith('<')) throw new ParseError('bad-header', `bad ${header}: expected <URI> after display name`);
  }
  const lt = rest.indexOf('<');
  if (lt >= 0) {
    const gt = rest.indexOf('>', lt);
    if (gt < 0) throw new ParseError('bad-header', `bad ${header}: missing >`);
    const before = rest.slice(0, lt).trim();
    if (before !== '') {
      if (!/^[A-Za-z0-9\-.!%*_+`'~ \t]+$/.test(before)) throw new ParseError('bad-header', `bad ${header}: bad display name`);
      displayName = before;
    }
    uriText = rest.slice(lt + 1, gt).trim();
    paramText = rest.slice(gt + 1);
    if (paramText.trim() !== '' && !paramText.trim().startsWith(';')) {
      throw new ParseError('bad-header', `bad ${header}: text after >`);
    }
  } else {
    // RFC 3261 §20.10: without <>, parameters after the URI belong to the header.
    const semi = rest.indexOf(';');
    uriText = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    paramText = semi < 0 ? '' : rest.slice(semi);
    if (/[\s,?]/.test(uriText)) throw new ParseError('bad-header', `bad ${header}: URI with spaces, ? or , must be in <>`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uriText)) throw new ParseError('bad-header', `bad ${header}: bad URI`);
  let uri: SipUri | undefined;
  try {
    uri = parseUri(uriText);
  } catch (e) {
    if (!(e instanceof ParseError) || e.code !== 'unsupported-uri-scheme') {
      throw new ParseError('bad-header', `bad ${header}: ${(e as Error).message}`);
    }
  }
  let params: SipParams;
  try {
    params = parseParams(paramText);
  } catch (e) {
    throw new ParseError('bad-header', `bad ${header}: ${(e as Error).message}`);
  }
  const na: NameAddr = { uriText, params };
  if (displayName !== undefined) na.displayName = displayName;
  if (uri) na.uri = uri;
  const tag = params.get('tag');
  if (tag) na.tag = tag;
  return na;
}

export function parseNameAddrList(value: string, header = 'address'): NameAddr[] {
  return splitList(value).map((v) => parseNameAddr(v, header));
}

/** Always writes the <URI> form, which is safe for any URI. */
export function formatNameAddr(na: NameAddr): string {
  if (na.wildcard) return '*';
  const uri = na.uri ? formatUri(na.uri) : na.uriText;
  const dn = na.displayName === undefined ? '' : `"${na.displayName.replace(/(["\\])/g, '\\$1')}" `;
  const params = new Map(na.params);
  if (na.tag !== undefined) params.set('tag', na.tag);
  return `${dn}<${uri}>${formatParams(params)}`;
}

const viaPattern = /^([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(.+)$/s;

/** Parse one Via value (RFC 3261 §20.42; LWS allowed around `/`, `;`, `=`). */
export function parseVia(value: string): Via {
  const m = viaPattern.exec(value.trim());
  if (!m) throw new ParseError('bad-via', `bad Via: ${value.trim().slice(0, 60)}`);
  const rest = m[4]!;
  const semi = rest.indexOf(';');
  const sentBy = (semi < 0 ? rest : rest.slice(0, semi)).trim();
  let hp: { host: string; port?: number };
  let params: SipParams;
  try {
    hp = parseHostPort(sentBy.replace(/\s*:\s*/, ':'), 'Via sent-by');
    params = parseParams(semi < 0 ? '' : rest.slice(semi));
  } catch (e) {
    throw new ParseError('bad-via', `bad Via: ${(e as Error).message}`);
  }
  const via: Via = { protocol: `${m[1]}/${m[2]}`.toUpperCase(), transport: m[3]!.toUpperCase(), host: hp.host, params };
  if (hp.port !== undefined) via.port = hp.port;
  const branch = params.get('branch');
  if (branch) via.branch = branch;
  const received = params.get('received');
  if (received) via.received = received;
  if (params.has('rport')) {
    const rp = params.get('rport');
    via.rport = rp === null || rp === undefined || rp === '' ? null : Number(rp);
    if (via.rport !== null && !(Number.isInteger(via.rport) && via.rport > 0 && via.rport < 65536)) {
      throw new ParseError('bad-via', `bad Via: bad rport ${rp}`);
    }
  }
  return via;
}

export function parseViaList(value: string): Via[] {
  return splitList(value).map(parseVia);
}

export function formatVia(via: Via): string {
  const params = new Map(via.params);
  if (via.branch !== undefined) params.set('branch', via.branch);
  if (via.received !== undefined) params.set('received', via.received);
  if (via.rport !== undefined) params.set('rport', via.rport === null ? null : String(via.rport));
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${formatHost(via.host)}${port}${formatParams(params)}`;
}

/** Parse `CSeq: 4711 INVITE` (RFC 3261 §20.16: number below 2**31). */
export function parseCSeq(value: string): CSeq {
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*$/.exec(value);
  const seq = m ? Number(m[1]) : NaN;
  if (!m || seq >= 2 ** 31) throw new ParseError('bad-cseq', `bad CSeq: ${value.trim().slice(0, 40)}`);
  return { seq, method: m[2]! };
}
