// Header names: case-insensitive lookup keys, compact forms (RFC 3261 §7.3.3,
// §20, and the compact forms registered since) and canonical spelling on the wire.

const compact: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  b: 'referred-by', // RFC 3892
  u: 'allow-events', // RFC 6665
  x: 'session-expires', // RFC 4028
  a: 'accept-contact', // RFC 3841
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity', // RFC 8224
};

const canonicalNames = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Error-Info',
  'Event', 'Expires', 'From', 'Identity', 'In-Reply-To', 'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version',
  'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority', 'Privacy',
  'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To',
  'Referred-By', 'Reject-Contact', 'Replaces', 'Reply-To', 'Request-Disposition', 'Require', 'Retry-After',
  'Route', 'RSeq', 'Server', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State',
  'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];
const canonical = new Map(canonicalNames.map((n) => [n.toLowerCase(), n]));

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1) and may be
 * split into one entry per value. Authorization-style headers, Date and unknown
 * headers are never split: commas are part of their value.
 */
const listHeaders = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events',
  'call-info', 'contact', 'content-encoding', 'content-language', 'error-info', 'in-reply-to',
  'p-asserted-identity', 'p-preferred-identity', 'path', 'proxy-require', 'reason', 'record-route',
  'reject-contact', 'request-disposition', 'require', 'route', 'supported', 'unsupported', 'via', 'warning',
]);

/** Names seen so far → key; bounded, so a flood of invented names cannot grow it. */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 2000;

/** Lookup key: lower case, compact form expanded. */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.trim().toLowerCase();
  const key = compact[lower] ?? lower;
  if (keyCache.size < KEY_CACHE_MAX) keyCache.set(name, key);
  return key;
}

/** Spelling used when we write the header: canonical for known headers, as given otherwise. */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name);
  return canonical.get(key) ?? (compact[name.trim().toLowerCase()] ? key : name.trim());
}

export function isListHeader(name: string): boolean {
  return listHeaders.has(headerKey(name));
}

/** RFC 3261 §25.1 token characters, for header names and methods. */
export const tokenPattern = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/**
 * List headers whose grammar allows no value at all (RFC 3261 §25.1:
 * `Supported = "Supported" HCOLON [option-tag *(COMMA option-tag)]`, and the
 * same optional list for Accept, Accept-Encoding, Accept-Language and Allow).
 * Every other list header needs at least one element. Non-list headers are
 * never split, so an empty Subject or Organization (`[TEXT-UTF8-TRIM]`) or an
 * empty extension header is simply an empty value.
 */
const emptyAllowed = new Set(['accept', 'accept-encoding', 'accept-language', 'allow', 'supported']);

export function mayBeEmpty(name: string): boolean {
  return emptyAllowed.has(headerKey(name)) || !isListHeader(name);
}
