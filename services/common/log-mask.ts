// Masking of personal data in log records (issue 15, 152-FZ): phone numbers,
// SIP user names, people's names and phones' IP addresses never reach a log
// line in plain text. Secrets are removed whole. Hand-written rather than a
// package: pino's and winston's redaction works by field path only, and the
// numbers here hide inside free text (SIP URIs, Refer-To, error messages).
//
// What stays readable on purpose, because admins debug with it and it is not
// personal data by itself: extensions (2–6 digits), ids, Call-IDs, tags,
// branches, UUIDs, ports, timestamps, durations, loopback addresses.

export const REDACTED = '[redacted]';

const secretKey = /pass(word)?|secret|token|authorization|cookie|private|key$|^ha1$/i;

/** Keys whose values are identifiers or quantities: never shape-masked (a Call-ID may be all digits). */
const keepKey = /(^id$|Ids?$|^uuid$|^branch$|^tag$|Tag$|^tags$|^pid$|^port$|Port$|Ms$|Seconds$|^time$|At$|^until$|^duration|^code$|^status$|^count$|^bytes$|^size$)/;

/** Keys that hold a person's name: first letter + ***. */
const nameKey = /^(displayName|callerIdName|callerName|calleeName|fullName|firstName|lastName|contactName|fromName|toName)$/;

/** `name` is a person's name only inside a call party; elsewhere it names a trunk, a process, a queue. */
const partyKey = /^(caller|callee|party|from|to|contact|target|member|subject)$/;

/** SIP user names: a short extension is kept, anything else masked. */
const userKey = /^(user|username|userName|authUser|authUsername|lastUsername|aor|sipUser)$/;

/** Keys that hold phone numbers; a number-typed value under them is masked like a digit string. */
const phoneKey = /^(number|numbers|dialled|dialed|target|from|to|caller|callee|destination|referTo|forwardTo|callerId|callerIdNumber|extension|phone|msisdn|did)$/;

const EXTENSION = /^\d{2,6}$/;

// One pass over a string finds all three shapes. Boundaries keep digit runs
// inside hex ids, UUIDs, versions and timestamps alone: a number must not
// touch a letter, digit, '_', '-' or a '.digit' on either side.
const SHAPES =
  /(?<![\w-]|\d\.)(\+?)(\d{7,15})(?![\w-]|\.\d)|(?<![\w.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.)(\d{1,3})(?![\w]|\.\d)|(?<![\w:.])((?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)(?![\w:.])/g;

/** A cheap test without lookbehinds: can the string hold any of the shapes at all? */
const MAYBE = /\d{7}|\d\.\d{1,3}\.\d|:[0-9A-Fa-f]{0,4}:/;

/** A digit string of 7+ digits: 11+ keep the first four (country code and operator) and the last four. */
export function maskDigits(plus: string, d: string): string {
  if (d.length >= 11) return `${plus}${d.slice(0, 4)}***${d.slice(-4)}`;
  if (d.length === 10) return `${plus}${d.slice(0, 3)}***${d.slice(-4)}`;
  return `${plus}***${d.slice(-2)}`;
}

function maskIpv6(a: string): string {
  if (a === '::' || a === '::1') return a;
  const head = a.split('::')[0]!.split(':').filter(Boolean).slice(0, 4);
  return `${head.join(':')}::***`;
}

function replaceShape(m: string, plus: string | undefined, digits: string | undefined, v4head: string | undefined, _v4last: string | undefined, v6: string | undefined): string {
  if (digits !== undefined) return maskDigits(plus ?? '', digits);
  if (v4head !== undefined) return v4head.startsWith('127.') || m === '0.0.0.0' ? m : `${v4head}***`;
  if (v6 !== undefined) return maskIpv6(v6);
  return m;
}

/** Masks numbers and addresses inside free text (messages, SIP URIs, error texts). */
export function maskText(s: string): string {
  // Fast path: the SIP path logs many short strings (methods, states, short ids).
  if (s.length < 7 || !MAYBE.test(s)) return s;
  return s.replace(SHAPES, replaceShape as (m: string, ...groups: string[]) => string);
}

export function maskName(s: string): string {
  if (s.length === 0) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return `${first}***`;
}

function maskUser(s: string): string {
  if (EXTENSION.test(s)) return s;
  const masked = maskText(s);
  return masked !== s ? masked : maskName(s);
}

/**
 * Copies `value` for a log line: secret keys → [redacted]; with `mask`, the
 * personal-data rules above. The input is never modified.
 */
type KeyKind = 'secret' | 'keep' | 'name' | 'user' | 'phone' | 'text';
// Log records use few distinct keys: classify each once instead of running five regexes per field.
const kinds = new Map<string, KeyKind>();
function kindOf(k: string): KeyKind {
  let kind = kinds.get(k);
  if (kind === undefined) {
    kind = secretKey.test(k) ? 'secret' : keepKey.test(k) ? 'keep' : nameKey.test(k) ? 'name' : userKey.test(k) ? 'user' : phoneKey.test(k) ? 'phone' : 'text';
    if (kinds.size < 10_000) kinds.set(k, kind);
  }
  return kind;
}

/**
 * Copies `value` for a log line: secret keys → [redacted]; with `mask`, the
 * personal-data rules above. The input is never modified.
 */
export function redact(value: unknown, mask = true, depth = 0, key = '', inParty = false): unknown {
  if (typeof value === 'string') {
    if (!mask) return value;
    const kind = kindOf(key);
    if (kind === 'keep') return value;
    if (kind === 'name' || (inParty && key === 'name')) return maskName(value);
    if (kind === 'user') return maskUser(value);
    return maskText(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (mask && kindOf(key) === 'phone') {
      const s = String(value);
      return /^\d{7,15}$/.test(s) ? maskDigits('', s) : value;
    }
    return value;
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const e = { name: value.name, message: value.message, stack: value.stack };
    return mask ? { name: e.name, message: maskText(e.message), stack: e.stack === undefined ? undefined : maskText(e.stack) } : e;
  }
  const party = inParty || partyKey.test(key);
  if (Array.isArray(value)) return value.map((v) => redact(v, mask, depth + 1, key, party));
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    out[k] = kindOf(k) === 'secret' ? REDACTED : redact(v, mask, depth + 1, k, party);
  }
  return out;
}
