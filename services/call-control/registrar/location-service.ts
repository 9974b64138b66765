// Where each extension can be reached: the bindings of RFC 3261 §10.3, in
// memory for lookups and, when a store is given, on disk so a restarted
// call-control still reaches every phone (store/repos/registrations.ts).
// One call to `apply` is one REGISTER: every check runs before anything
// changes, and the store is written before memory, so a refused request or
// a failed write leaves the bindings as they were.
import { uriParts, type SipAddress } from './sip-address';

export interface Binding {
  /** Contact URI exactly as the phone sent it. */
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  q?: number;
  /** RFC 5626 §4.1 +sip.instance, when the phone sends one. */
  instance?: string;
  /** Where the REGISTER came from: the address to reach a phone behind NAT (RFC 3581 spirit). */
  source: { address: string; port: number; transport: string };
  userAgent?: string;
  registeredAt: number;
}

export interface RegisterInput {
  aor: string;
  callId: string;
  cseq: number;
  /** `*` (remove all, RFC 3261 §10.2.2) or the contacts with their requested expiry in seconds. */
  contacts: '*' | Array<{ address: SipAddress; expires: number }>;
  source: Binding['source'];
  userAgent?: string;
}

export type RegisterOutcome =
  | { ok: true; bindings: Binding[] }
  | { ok: false; status: 400 | 500; reason: string };

export interface LocationOptions {
  maxBindingsPerAor: number;
}

/** Persistence of bindings; the store's RegistrationsRepo implements it. */
export interface LocationStore {
  replace(aor: string, bindings: readonly Binding[]): void;
  load(now: number): Map<string, Binding[]>;
  purgeExpired(now: number): number;
}

export class LocationService {
  private readonly aors = new Map<string, Binding[]>();

  constructor(
    private readonly now: () => number,
    private readonly opts: LocationOptions = { maxBindingsPerAor: 5 },
    private readonly store?: LocationStore,
  ) {
    if (store) for (const [aor, list] of store.load(now())) this.aors.set(aor, list);
  }

  /** Live bindings of an AOR, best q first, then the most recent. */
  lookup(aor: string): Binding[] {
    const now = this.now();
    const live = (this.aors.get(aor) ?? []).filter((b) => b.expiresAt > now);
    return live.sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.registeredAt - a.registeredAt);
  }

  apply(r: RegisterInput): RegisterOutcome {
    const now = this.now();
    const current = (this.aors.get(r.aor) ?? []).filter((b) => b.expiresAt > now);
    if (r.contacts === '*') {
      // §10.3 step 6: each binding is removed unless the same Call-ID already carried a later CSeq.
      if (current.some((b) => b.callId === r.callId && b.cseq >= r.cseq)) return outOfOrder();
      this.save(r.aor, []);
      return { ok: true, bindings: [] };
    }
    const next = [...current];
    for (const { address, expires } of r.contacts) {
      const i = next.findIndex((b) => sameContact(b, address));
      const existing = i >= 0 ? next[i] : undefined;
      // §10.3 step 7: same Call-ID needs a higher CSeq; a new Call-ID (phone rebooted) wins.
      if (existing && existing.callId === r.callId && existing.cseq >= r.cseq) return outOfOrder();
      if (i >= 0) next.splice(i, 1);
      if (expires === 0) continue;
      next.push(this.binding(r, address, expires, now));
    }
    // Keep the most recently refreshed bindings when a phone leaves stale ones behind.
    next.sort((a, b) => b.registeredAt - a.registeredAt || b.expiresAt - a.expiresAt);
    this.save(r.aor, next.slice(0, this.opts.maxBindingsPerAor));
    return { ok: true, bindings: this.lookup(r.aor) };
  }

  /** Drops expired bindings; returns how many AORs still have some. */
  sweep(): number {
    const now = this.now();
    this.store?.purgeExpired(now);
    for (const [aor, list] of this.aors) {
      const live = list.filter((b) => b.expiresAt > now);
      if (live.length === 0) this.aors.delete(aor);
      else this.aors.set(aor, live);
    }
    return this.aors.size;
  }

  private binding(r: RegisterInput, address: SipAddress, expires: number, now: number): Binding {
    const b: Binding = { contact: address.uri, expiresAt: now + expires * 1000, callId: r.callId, cseq: r.cseq, source: { ...r.source }, registeredAt: now };
    const q = Number(address.params.get('q'));
    if (address.params.has('q') && q >= 0 && q <= 1) b.q = q;
    const instance = address.params.get('+sip.instance');
    if (instance) b.instance = instance.slice(0, 200);
    if (r.userAgent) b.userAgent = r.userAgent.slice(0, 200);
    return b;
  }

  private save(aor: string, list: Binding[]): void {
    this.store?.replace(aor, list);
    if (list.length === 0) this.aors.delete(aor);
    else this.aors.set(aor, list);
  }
}

/** RFC 3261 §10.3 step 7 compares URIs; RFC 5626 §6: with an instance id, that identifies the phone. */
function sameContact(b: Binding, a: SipAddress): boolean {
  const instance = a.params.get('+sip.instance');
  if (instance && b.instance) return instance === b.instance;
  return b.contact.toLowerCase() === a.uri.toLowerCase();
}

function outOfOrder(): RegisterOutcome {
  return { ok: false, status: 500, reason: 'Out of order CSeq for this Call-ID' };
}


/**
 * Next hop for a phone: its REGISTER's source when the Contact names another
 * host (NAT), and always for a phone registered over TLS — its connection is
 * the only way to it a phone must offer (RFC 5626 §5.3, RFC 5923's reuse):
 * phones keep that connection open and seldom accept new ones.
 */
export function natProxy(contact: string, source: { address: string; port: number; transport: string }): string | undefined {
  const host = uriParts(contact).host;
  const overTls = source.transport.toLowerCase() === 'tls';
  if (!host || (host === source.address && !overTls)) return undefined;
  return `sip:${source.address.includes(':') ? `[${source.address}]` : source.address}:${source.port};transport=${source.transport.toLowerCase()}`;
}
