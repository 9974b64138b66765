// Parsing and formatting of Digest `Authorization` / `WWW-Authenticate`
// values (RFC 3261 §25.1 and §22.4, RFC 7616 §3.3–§3.4, RFC 7235 §2.1).
// Input comes straight from the network, so the parser is a bounded
// single-pass scanner: every oddity ends in a `DigestHeaderError` with a
// stable code, never in an exception or a partially filled result.

/** Limits chosen well above what real phones send (~400 bytes) and far below abuse. */
export const DIGEST_LIMITS = {
  headerChars: 4096,
  valueChars: 1024,
  params: 24,
  credentials: 4,
} as const;

export type DigestParseCode =
  | 'digest-header-missing'
  | 'digest-header-too-long'
  | 'digest-scheme-unsupported'
  | 'digest-syntax'
  | 'digest-duplicate-param'
  | 'digest-too-many-params'
  | 'digest-too-many-credentials'
  | 'digest-value-too-long';

export class DigestHeaderError extends Error {
  readonly code: DigestParseCode;
  constructor(code: DigestParseCode, message: string) {
    super(message);
    this.name = 'DigestHeaderError';
    this.code = code;
  }
}

/** One parsed param: its value and whether it came as a quoted-string. */
export interface DigestParam {
  value: string;
  quoted: boolean;
}

/** One `Digest k=v, …` credentials block; param names are lower-cased. */
export interface DigestCredentialsRaw {
  scheme: string;
  params: Map<string, DigestParam>;
}

// RFC 7230 §3.2.6 tchar
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  peek(): string | undefined {
    return this.text[this.pos];
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  skipSpace(): void {
    while (isSpace(this.peek())) this.pos++;
  }
  fail(what: string): never {
    throw new DigestHeaderError('digest-syntax', `${what} at character ${this.pos + 1}`);
  }
  token(): string {
    const start = this.pos;
    while (!this.done() && TCHAR.test(this.peek()!)) this.pos++;
    if (this.pos === start) this.fail('expected a token');
    return this.text.slice(start, this.pos);
  }
  /** RFC 7230 §3.2.6 quoted-string with quoted-pair; no CTLs. */
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated quoted string');
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        this.pos++;
        const next = this.peek();
        if (next === undefined) this.fail('unterminated quoted string');
        checkVisible(next, this);
        out += next;
      } else {
        checkVisible(c, this);
        out += c;
      }
      this.pos++;
      if (out.length > DIGEST_LIMITS.valueChars) {
        throw new DigestHeaderError('digest-value-too-long', `a value is longer than ${DIGEST_LIMITS.valueChars} characters`);
      }
    }
  }
}

function checkVisible(c: string, s: Scanner): void {
  const code = c.charCodeAt(0);
  if (code < 0x20 && c !== '\t') s.fail('control character in value');
  if (code === 0x7f) s.fail('control character in value');
}

function parseParam(s: Scanner, params: Map<string, DigestParam>): void {
  const name = s.token().toLowerCase();
  s.skipSpace();
  if (s.peek() !== '=') s.fail(`expected "=" after ${name}`);
  s.pos++;
  s.skipSpace();
  let param: DigestParam;
  if (s.peek() === '"') param = { value: s.quoted(), quoted: true };
  else {
    const start = s.pos;
    const value = s.token();
    if (value.length > DIGEST_LIMITS.valueChars) {
      s.pos = start;
      throw new DigestHeaderError('digest-value-too-long', `${name} is longer than ${DIGEST_LIMITS.valueChars} characters`);
    }
    param = { value, quoted: false };
  }
  // RFC 7616 §3.4: each directive at most once; a second copy is an attack or a bug.
  if (params.has(name)) throw new DigestHeaderError('digest-duplicate-param', `${name} appears more than once`);
  if (params.size >= DIGEST_LIMITS.params) {
    throw new DigestHeaderError('digest-too-many-params', `more than ${DIGEST_LIMITS.params} parameters`);
  }
  params.set(name, param);
}

/** After a comma: a new credentials block starts with `token SP token=`, a param with `token=`. */
function startsNewCredentials(s: Scanner): boolean {
  let i = s.pos;
  while (i < s.text.length && TCHAR.test(s.text[i]!)) i++;
  if (i === s.pos || !isSpace(s.text[i])) return false;
  while (isSpace(s.text[i])) i++;
  return s.text[i] !== '=';
}

/**
 * Parses an Authorization (or Proxy-Authorization) value that may carry
 * several credentials joined by commas (RFC 3261 §20.7 allows one header per
 * realm, and proxies or drachtio join repeated headers into one line).
 */
export function parseCredentialsList(header: string | undefined): DigestCredentialsRaw[] {
  if (header === undefined || header.trim() === '') {
    throw new DigestHeaderError('digest-header-missing', 'no credentials were sent');
  }
  if (header.length > DIGEST_LIMITS.headerChars) {
    throw new DigestHeaderError('digest-header-too-long', `the header is longer than ${DIGEST_LIMITS.headerChars} characters`);
  }
  const s = new Scanner(header);
  const list: DigestCredentialsRaw[] = [];
  s.skipSpace();
  while (!s.done()) {
    if (list.length >= DIGEST_LIMITS.credentials) {
      throw new DigestHeaderError('digest-too-many-credentials', `more than ${DIGEST_LIMITS.credentials} credentials`);
    }
    const scheme = s.token();
    if (scheme.toLowerCase() !== 'digest') {
      throw new DigestHeaderError('digest-scheme-unsupported', `scheme ${scheme.slice(0, 32)} is not accepted, only Digest`);
    }
    if (!isSpace(s.peek())) s.fail('expected a space after the scheme');
    s.skipSpace();
    const params = new Map<string, DigestParam>();
    list.push({ scheme, params });
    for (;;) {
      parseParam(s, params);
      s.skipSpace();
      if (s.done()) break;
      if (s.peek() !== ',') s.fail('expected ","');
      s.pos++;
      s.skipSpace();
      if (startsNewCredentials(s)) break;
    }
  }
  return list;
}

/** RFC 7230 §3.2.6: escape `"` and `\` inside a quoted-string. */
export function quote(value: string): string {
  return '"' + value.replace(/["\\]/g, (c) => '\\' + c) + '"';
}
