// The registrar as drachtio-srf middleware: `srf.use('register', registrar(deps))`.
// RFC 3261 §10.3 in order: (1) our domain, (3) authenticate with digest,
// (5) the authenticated user may register this AOR, (6–7) apply the
// contacts with Call-ID/CSeq ordering and expiry limits, (8) answer 200 with
// every current binding. Sources that keep failing are banned (ban-list.ts).
import { inClear, TLS_REQUIRED } from '../auth/require-tls';
import net from 'node:net';
import type { Logger } from '../../common/logger';
import type { DigestAlgorithm, DigestAuthenticator, Ha1Set } from '../auth/digest';
import type { BanList } from './ban-list';
import type { Binding, LocationService } from './location-service';
import { parseAddress, parseContacts, parseDeltaSeconds, SipAddressError, uriParts } from './sip-address';

/** The parts of drachtio-srf's request this middleware reads. */
export interface RegisterRequest {
  method: string;
  get(name: string): string | undefined;
  source_address: string;
  source_port: number;
  protocol: string;
}

/** The parts of drachtio-srf's response it uses. */
export interface RegisterResponse {
  send(status: number, reason: string, opts: { headers: Record<string, string> }): void;
}

export interface RegistrarTenant {
  id: number;
  sipDomain: string;
}

export interface RegistrarDeps {
  auth: DigestAuthenticator;
  bans: BanList;
  /** The tenant whose SIP domain this is; for an IP literal, usually the default tenant. */
  tenantFor(host: string): RegistrarTenant | undefined;
  /** Enabled extension by SIP username, with its HA1 set. */
  credentials(tenantId: number, username: string): { extension: string; ha1: Ha1Set } | undefined;
  /** What challenges offer for this tenant and user (services/common/sip-digest.ts); default: the authenticator's list. */
  algorithms?(tenantId: number, username: string | undefined): readonly DigestAlgorithm[];
  /** The extension takes TLS only (issue 17 item 6): a REGISTER over anything else is refused before any challenge. */
  requiresTls?(tenantId: number, username: string): boolean;
  location: LocationService;
  now: () => number;
  log: Logger;
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
}

type Answer = { status: number; reason: string; headers?: Record<string, string> };

/**
 * RFC 3261 §7.3.1: WWW-Authenticate rows must not be combined with commas,
 * and srf keeps one string per header name, so each further row is written
 * as its own line inside that string.
 */
export function headerRows(name: string, values: readonly string[]): string {
  return values.join(`\r\n${name}: `);
}

export function registrar(deps: RegistrarDeps): (req: RegisterRequest, res: RegisterResponse, next: () => void) => void {
  const limits = { min: deps.minExpires ?? 60, max: deps.maxExpires ?? 3600, dflt: deps.defaultExpires ?? 3600 };
  return (req, res, next) => {
    if (req.method !== 'REGISTER') return next();
    let answer: Answer;
    try {
      answer = handle(deps, limits, req);
    } catch (err) {
      if (err instanceof SipAddressError) answer = { status: 400, reason: err.message };
      else {
        // A failed write (disk full, database locked): the phone retries; nothing changed.
        deps.log.error('register failed', { source: req.source_address, err });
        answer = { status: 500, reason: 'Server Internal Error' };
      }
    }
    res.send(answer.status, answer.reason, { headers: answer.headers ?? {} });
  };
}

function handle(deps: RegistrarDeps, limits: { min: number; max: number; dflt: number }, req: RegisterRequest): Answer {
  const source = req.source_address;
  if (deps.bans.isBanned(source)) return bannedAnswer(deps.bans, source);
  const to = req.get('To');
  const callId = req.get('Call-ID');
  const cseq = /^\s*(\d{1,10})\s+REGISTER\s*$/i.exec(req.get('CSeq') ?? '');
  if (!to || !callId || !cseq) return { status: 400, reason: 'Missing or malformed To, Call-ID or CSeq' };
  const aor = uriParts(parseAddress(to).uri);
  const tenant = aor.host ? deps.tenantFor(aor.host) : undefined;
  // §10.3 step 1: a domain we do not serve.
  if (!tenant) return { status: 404, reason: 'Domain not served here' };
  // Refused before the challenge: a digest response sent in clear is what TLS-only is there to prevent.
  if (inClear(req.protocol) && aor.user && deps.requiresTls?.(tenant.id, aor.user)) {
    deps.log.info('register refused: extension requires TLS', { source, protocol: req.protocol, tenantId: tenant.id });
    return { ...TLS_REQUIRED, headers: { ...TLS_REQUIRED.headers } };
  }

  const algorithms = deps.algorithms?.(tenant.id, aor.user);
  const verdict = deps.auth.verify({
    method: 'REGISTER',
    authorization: req.get('Authorization'),
    realm: tenant.sipDomain,
    source,
    algorithms,
    lookup: (u) => deps.credentials(tenant.id, u)?.ha1,
  });
  if (!verdict.ok) {
    const log = { source, code: verdict.code, username: verdict.username, tenantId: tenant.id };
    if (verdict.countsAsFailure) {
      deps.log.info('register authentication failed', log);
      if (deps.bans.recordFailure(source, verdict.username === undefined ? {} : { username: verdict.username }).banned)
        return bannedAnswer(deps.bans, source);
    }
    if (verdict.status === 400) return { status: 400, reason: verdict.message };
    const ch = deps.auth.challenge(tenant.sipDomain, { stale: verdict.stale, source, algorithms });
    return { status: 401, reason: 'Unauthorized', headers: { [ch.header]: headerRows(ch.header, ch.values) } };
  }
  // §10.3 step 5: the authenticated user may only register its own extension.
  const cred = deps.credentials(tenant.id, verdict.username);
  if (!cred || (aor.user !== cred.extension && aor.user !== verdict.username)) {
    deps.log.warn('register for a foreign address refused', { source, username: verdict.username, aor: aor.user });
    return { status: 403, reason: 'Not allowed to register this address' };
  }
  const aorKey = `${tenant.id}:${cred.extension}`;
  const contactHeader = req.get('Contact');
  // §10.2.3: no Contact means "tell me my bindings".
  if (contactHeader === undefined || contactHeader.trim() === '') return ok(deps, deps.location.lookup(aorKey));

  const contacts = parseContacts(contactHeader);
  const headerExpires = parseDeltaSeconds(req.get('Expires'));
  if (contacts === '*' && headerExpires !== 0) return { status: 400, reason: 'Contact * needs Expires: 0' };
  const requested =
    contacts === '*'
      ? '*'
      : contacts.map((address) => ({ address, expires: parseDeltaSeconds(address.params.get('expires')) ?? headerExpires ?? limits.dflt }));
  // §10.3 step 7 / §21.4.17: too short an interval is refused with the minimum we accept.
  if (requested !== '*' && requested.some((c) => c.expires > 0 && c.expires < limits.min)) {
    return { status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': String(limits.min) } };
  }
  const outcome = deps.location.apply({
    aor: aorKey,
    callId,
    cseq: Number(cseq[1]),
    contacts: requested === '*' ? '*' : requested.map((c) => ({ address: c.address, expires: Math.min(c.expires, limits.max) })),
    source: { address: source, port: req.source_port, transport: req.protocol },
    ...(req.get('User-Agent') ? { userAgent: req.get('User-Agent')! } : {}),
  });
  if (!outcome.ok) return { status: outcome.status, reason: outcome.reason };
  // §10.2.2: Expires 0 (or Contact *) removes bindings; the log says which it was, or an admin chasing a phone reads "registered" for its goodbye.
  const removing = requested === '*' || requested.every((c) => c.expires === 0);
  deps.log.info(removing ? 'unregistered' : 'registered', { aor: aorKey, source, bindings: outcome.bindings.length });
  return ok(deps, outcome.bindings);
}

function ok(deps: RegistrarDeps, bindings: Binding[]): Answer {
  const now = deps.now();
  const headers: Record<string, string> = { Date: new Date(now).toUTCString() };
  if (bindings.length > 0) {
    headers.Contact = bindings.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`).join(', ');
  }
  return { status: 200, reason: 'OK', headers };
}

/**
 * A banned source: 403, with sip-core's X-Korobka-Silence asking it to send
 * nothing and to drop the source's packets unread while the ban lasts
 * (issue 16 item 7: a scanner got 12,536 × 403 in 90 s). An external
 * drachtio-server sends the 403 and ignores the header.
 */
export function bannedAnswer(bans: BanList, source: string): Answer & { headers: Record<string, string> } {
  const seconds = Math.max(1, Math.ceil(bans.bannedForMs(source) / 1000));
  return { status: 403, reason: 'Forbidden', headers: { 'X-Korobka-Silence': String(seconds) } };
}

/** For `tenantFor`: an IP literal in the AOR means the box's default tenant. */
export function isIpLiteral(host: string): boolean {
  return net.isIP(host) !== 0;
}
