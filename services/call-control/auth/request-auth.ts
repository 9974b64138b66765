// Digest authentication of calls from phones (INVITE, and any request the
// PBX acts on for a user): RFC 3261 §22.3 as a proxy/B2BUA does it — 407 with
// one Proxy-Authenticate row per algorithm, then Proxy-Authorization. The
// realm is the tenant of the From domain (an IP literal means the default
// tenant). Without this, anyone who can reach the SIP port calls out on the
// bank's trunks (toll fraud), so a failure is counted for the ban list and
// the identity is bound to the From user (no calling as someone else).
import type { Logger } from '../../common/logger';
import type { BanList } from '../registrar/ban-list';
import { bannedAnswer, headerRows, type RegistrarTenant } from '../registrar/registrar';
import { parseAddress, SipAddressError, uriParts } from '../registrar/sip-address';
import type { DigestAlgorithm, DigestAuthenticator, Ha1Set } from './digest';
import type { MobileDirectory } from '../fmc/mobile-origin';
import { inClear, TLS_REQUIRED } from './require-tls';

/** The parts of drachtio-srf's request it reads. */
export interface AuthRequest {
  method: string;
  get(name: string): string | undefined;
  source_address: string;
  /** udp, tcp, tls… (srf); absent: treated as not TLS. */
  protocol?: string;
}

export interface AuthResponse {
  send(status: number, reason: string, opts: { headers: Record<string, string> }): void;
}

export interface Caller {
  tenant: RegistrarTenant;
  username: string;
  extension: string;
  algorithm: DigestAlgorithm;
  /** A GSM gateway's port authenticated (issue 14): the caller is the mobile whose number the gateway presents, not the port. */
  gatewayPort?: { gatewayId: number; port: number };
}

export interface RequestAuthDeps {
  auth: DigestAuthenticator;
  bans: BanList;
  tenantFor(host: string): RegistrarTenant | undefined;
  credentials(tenantId: number, username: string): { extension: string; ha1: Ha1Set; gatewayPort?: { gatewayId: number; port: number } } | undefined;
  /** GSM gateway ports: which extension a mobile's call is from (fmc/mobile-origin.ts); without it ports' calls are refused. */
  mobiles?: MobileDirectory;
  /** What challenges offer for this tenant and user (services/common/sip-digest.ts); default: the authenticator's list. */
  algorithms?(tenantId: number, username: string | undefined): readonly DigestAlgorithm[];
  /** The extension takes TLS only (auth/require-tls.ts). */
  requiresTls?(tenantId: number, username: string): boolean;
  log: Logger;
}

type Outcome = { caller: Caller } | { status: number; reason: string; headers?: Record<string, string> };

/**
 * Authenticates `req`. Returns the caller, or answers the request itself
 * (407 challenge, 403, 400, 404) and returns undefined.
 */
export function authenticateRequest(deps: RequestAuthDeps, req: AuthRequest, res: AuthResponse): Caller | undefined {
  let outcome: Outcome;
  try {
    outcome = decide(deps, req);
  } catch (err) {
    if (!(err instanceof SipAddressError)) throw err;
    outcome = { status: 400, reason: err.message };
  }
  if ('caller' in outcome) return outcome.caller;
  res.send(outcome.status, outcome.reason, { headers: outcome.headers ?? {} });
  return undefined;
}

function decide(deps: RequestAuthDeps, req: AuthRequest): Outcome {
  const source = req.source_address;
  if (deps.bans.isBanned(source)) return bannedAnswer(deps.bans, source);
  const from = req.get('From');
  if (!from) return { status: 400, reason: 'Missing From' };
  const identity = uriParts(parseAddress(from).uri);
  const tenant = identity.host ? deps.tenantFor(identity.host) : undefined;
  if (!tenant) return { status: 403, reason: 'Domain not served here' };
  if (inClear(req.protocol) && identity.user && deps.requiresTls?.(tenant.id, identity.user)) {
    deps.log.info('request refused: extension requires TLS', { source, method: req.method, protocol: req.protocol, tenantId: tenant.id });
    return { ...TLS_REQUIRED, headers: { ...TLS_REQUIRED.headers } };
  }
  const algorithms = deps.algorithms?.(tenant.id, identity.user);
  const verdict = deps.auth.verify({ method: req.method, authorization: req.get('Proxy-Authorization'), realm: tenant.sipDomain, source, algorithms, lookup: (u) => deps.credentials(tenant.id, u)?.ha1 });
  if (!verdict.ok) {
    if (verdict.countsAsFailure) {
      deps.log.info('request authentication failed', { source, method: req.method, code: verdict.code, username: verdict.username, tenantId: tenant.id });
      if (deps.bans.recordFailure(source, verdict.username === undefined ? {} : { username: verdict.username }).banned) return bannedAnswer(deps.bans, source);
    }
    if (verdict.status === 400) return { status: 400, reason: verdict.message };
    const ch = deps.auth.challenge(tenant.sipDomain, { proxy: true, stale: verdict.stale, source, algorithms });
    return { status: 407, reason: 'Proxy Authentication Required', headers: { [ch.header]: headerRows(ch.header, ch.values) } };
  }
  const cred = deps.credentials(tenant.id, verdict.username);
  // A gateway port presents the GSM caller in From/PAI/RPID; who that is, is decided from the SIM inventory (fmc/mobile-origin.ts).
  if (cred?.gatewayPort) {
    const found = deps.mobiles?.fromMobile(tenant.id, cred.gatewayPort, { pai: req.get('P-Asserted-Identity'), rpid: req.get('Remote-Party-ID'), from }) ?? { refuse: 'fmc-off' };
    if ('refuse' in found) {
      deps.log.info('call through a gateway port refused', { source, username: verdict.username, code: found.refuse });
      return { status: 403, reason: 'Forbidden', headers: { Reason: `SIP;cause=403;text="${found.refuse}"` } };
    }
    return { caller: { tenant, username: verdict.username, extension: found.extension, algorithm: verdict.algorithm, gatewayPort: cred.gatewayPort } };
  }
  // The From user must be the authenticated extension: no spoofed caller IDs from inside.
  if (!cred || (identity.user !== cred.extension && identity.user !== verdict.username)) {
    deps.log.warn('request with a foreign identity refused', { source, username: verdict.username, from: identity.user });
    return { status: 403, reason: 'From does not match the credentials' };
  }
  return { caller: { tenant, username: verdict.username, extension: cred.extension, algorithm: verdict.algorithm } };
}
