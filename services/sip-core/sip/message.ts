// SIP messages (RFC 3261 §7): an ordered header list with case-insensitive,
// compact-form-aware access, a body as bytes, and parsed views of the headers
// every layer needs. Views are computed on each access (headers are mutable).
import { canonicalHeaderName, headerKey } from './header-names';
import { parseCSeq, parseNameAddr, parseNameAddrList, parseVia, parseViaList } from './header-values';
import { ParseError } from './parse-error';
import type { CSeq, NameAddr, Via } from './types';

export interface HeaderEntry {
  /** Canonical spelling (compact forms expanded). */
  name: string;
  value: string;
}

/** Stored entry: the lookup key is computed once, not on every access. */
interface StoredEntry extends HeaderEntry {
  key: string;
}

const entry = (name: string, value: string): StoredEntry => ({ name: canonicalHeaderName(name), value, key: headerKey(name) });

export class SipHeaders {
  private list: StoredEntry[] = [];

  constructor(entries?: Iterable<[string, string] | HeaderEntry>) {
    if (!entries) return;
    for (const e of entries) {
      if (Array.isArray(e)) this.append(e[0], e[1]);
      else this.append(e.name, e.value);
    }
  }

  /** First value of the header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    return this.list.find((e) => e.key === key)?.value;
  }

  /** Every value in order (one per entry; list headers were split at parse time). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const e of this.list) if (e.key === key) out.push(e.value);
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replace every entry of this header by the given value(s), keeping the position of the first one. */
  set(name: string, value: string | string[]): this {
    const key = headerKey(name);
    const values = Array.isArray(value) ? value : [value];
    const at = this.list.findIndex((e) => e.key === key);
    this.list = this.list.filter((e) => e.key !== key);
    this.list.splice(at < 0 ? this.list.length : at, 0, ...values.map((v) => entry(name, v)));
    return this;
  }

  append(name: string, value: string): this {
    this.list.push(entry(name, value));
    return this;
  }

  /** Insert before every other entry of the same header (a new top Via, Record-Route); first of all when there is none. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.list.findIndex((e) => e.key === key);
    this.list.splice(at < 0 ? 0 : at, 0, entry(name, value));
    return this;
  }

  /** Remove every entry of the header; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.list.length;
    this.list = this.list.filter((e) => e.key !== key);
    return before - this.list.length;
  }

  /** Replace the value of the first entry in place (e.g. stamp received/rport on the top Via). */
  setFirst(name: string, value: string): this {
    const key = headerKey(name);
    const found = this.list.find((e) => e.key === key);
    if (found) found.value = value;
    else this.append(name, value);
    return this;
  }

  /** Remove only the first entry (pop the top Via or Route). */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.list.findIndex((e) => e.key === key);
    if (at < 0) return undefined;
    return this.list.splice(at, 1)[0]?.value;
  }

  entries(): HeaderEntry[] {
    return this.list.map((e) => ({ name: e.name, value: e.value }));
  }

  get size(): number {
    return this.list.length;
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.list = this.list.map((e) => ({ ...e }));
    return copy;
  }
}

abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;

  constructor(headers?: SipHeaders, body?: Buffer) {
    this.headers = headers ?? new SipHeaders();
    this.body = body ?? Buffer.alloc(0);
  }

  get(name: string): string | undefined {
    return this.headers.get(name);
  }

  getAll(name: string): string[] {
    return this.headers.getAll(name);
  }

  get callId(): string {
    const v = this.headers.get('call-id');
    if (v === undefined) throw new ParseError('missing-header', 'missing Call-ID header');
    return v.trim();
  }

  get cseq(): CSeq {
    const v = this.headers.get('cseq');
    if (v === undefined) throw new ParseError('missing-header', 'missing CSeq header');
    return parseCSeq(v);
  }

  get from(): NameAddr {
    const v = this.headers.get('from');
    if (v === undefined) throw new ParseError('missing-header', 'missing From header');
    return parseNameAddr(v, 'From');
  }

  get to(): NameAddr {
    const v = this.headers.get('to');
    if (v === undefined) throw new ParseError('missing-header', 'missing To header');
    return parseNameAddr(v, 'To');
  }

  get vias(): Via[] {
    return this.headers.getAll('via').flatMap((v) => parseViaList(v));
  }

  get topVia(): Via {
    const v = this.headers.get('via');
    if (v === undefined) throw new ParseError('missing-header', 'missing Via header');
    const first = parseViaList(v)[0];
    return first ?? parseVia(v);
  }

  get contacts(): NameAddr[] {
    return this.headers.getAll('contact').flatMap((v) => parseNameAddrList(v, 'Contact'));
  }

  /** Max-Forwards as a number, undefined when absent. */
  get maxForwards(): number | undefined {
    const v = this.headers.get('max-forwards');
    if (v === undefined) return undefined;
    if (!/^\s*\d{1,10}\s*$/.test(v)) throw new ParseError('bad-max-forwards', `bad Max-Forwards: ${v.trim()}`);
    return Number(v);
  }

  /** Content-Type without parameters, lower case. */
  get contentType(): string | undefined {
    return this.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  method: string;
  /** Request-URI as written (parse with parseUri when needed). */
  uri: string;
  version: string;

  constructor(method: string, uri: string, headers?: SipHeaders, body?: Buffer, version = 'SIP/2.0') {
    super(headers, body);
    this.method = method;
    this.uri = uri;
    this.version = version;
  }

  clone(): SipRequest {
    return new SipRequest(this.method, this.uri, this.headers.clone(), Buffer.from(this.body), this.version);
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  status: number;
  reason: string;
  version: string;

  constructor(status: number, reason: string, headers?: SipHeaders, body?: Buffer, version = 'SIP/2.0') {
    super(headers, body);
    this.status = status;
    this.reason = reason;
    this.version = version;
  }

  clone(): SipResponse {
    return new SipResponse(this.status, this.reason, this.headers.clone(), Buffer.from(this.body), this.version);
  }
}

export type SipMessage = SipRequest | SipResponse;

export const isRequest = (m: SipMessage): m is SipRequest => m.kind === 'request';
export const isResponse = (m: SipMessage): m is SipResponse => m.kind === 'response';
