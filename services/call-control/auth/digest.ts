// Server side of SIP digest authentication: RFC 3261 §22 with the RFC 7616
// algorithms as RFC 8760 brings them to SIP (MD5 and SHA-256, qop=auth).
// The realm is the tenant's SIP domain. Passwords are never seen here: the
// store keeps HA1 = H(username:realm:password) once per algorithm.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DigestHeaderError, parseCredentialsList, quote, type DigestCredentialsRaw } from './digest-header';
import { NcTracker } from './nc-tracker';
import { NonceIssuer } from './nonce';

/** In order of preference: RFC 8760 §2.4 asks for the strongest first. */
export const DIGEST_ALGORITHMS = ['SHA-256', 'MD5'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const HASH: Record<DigestAlgorithm, { node: string; hexLength: number }> = {
  'SHA-256': { node: 'sha256', hexLength: 64 },
  MD5: { node: 'md5', hexLength: 32 },
};

/** HA1 per algorithm, lower-case hex, as the store keeps it. */
export type Ha1Set = Record<DigestAlgorithm, string>;

export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(HASH[algorithm].node).update(text, 'utf8').digest('hex');
}

/** RFC 7616 §3.4.2: A1 = username ":" realm ":" passwd. */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export function computeHa1Set(username: string, realm: string, password: string): Ha1Set {
  return { 'SHA-256': computeHa1('SHA-256', username, realm, password), MD5: computeHa1('MD5', username, realm, password) };
}

/** Looks up the HA1 set of a SIP user in a realm; undefined when there is none. */
export type Ha1Lookup = (username: string, realm: string) => Ha1Set | undefined;

export interface DigestOptions {
  /** Per-boot secret for nonces; random when omitted. */
  secret?: Buffer;
  nonceTtlSeconds?: number;
  now?: () => number;
  maxTrackedNonces?: number;
  maxCountsPerNonce?: number;
  /**
   * Algorithms to offer, in order of preference (RFC 8760 §2.4: one challenge
   * each, most preferred first). Default SHA-256 then MD5; put MD5 first or
   * alone for phones that only read the first challenge and know only MD5.
   */
  algorithms?: readonly DigestAlgorithm[];
}

export interface Challenge {
  status: 401 | 407;
  header: 'WWW-Authenticate' | 'Proxy-Authenticate';
  /** One value per algorithm, strongest first; send each as its own header line. */
  values: string[];
}

export interface VerifyInput {
  method: string;
  /** The Authorization (or Proxy-Authorization) value; undefined when absent. */
  authorization: string | undefined;
  realm: string;
  lookup: Ha1Lookup;
  /** The request's source address: the nonce must have been issued to it (challenge's `source`). */
  source?: string;
  /** The algorithms offered to this peer (its tenant's or extension's policy); default: the authenticator's. */
  algorithms?: readonly DigestAlgorithm[];
}

export type DigestFailureCode =
  | 'digest-header-missing'
  | DigestHeaderError['code']
  | 'digest-realm-mismatch'
  | 'digest-param-missing'
  | 'digest-param-not-quoted'
  | 'digest-param-invalid'
  | 'digest-algorithm-unsupported'
  | 'digest-qop-unsupported'
  | 'digest-userhash-unsupported'
  | 'digest-nonce-invalid'
  | 'digest-nonce-stale'
  | 'digest-nc-replay'
  | 'digest-user-unknown'
  | 'digest-response-mismatch';

export type VerifyResult =
  | { ok: true; username: string; algorithm: DigestAlgorithm }
  | {
      ok: false;
      /** 400: answer Bad Request; 401: answer with a (new) challenge. */
      status: 400 | 401;
      code: DigestFailureCode;
      message: string;
      /** Send `stale=true` with the new challenge (RFC 7616 §3.3). */
      stale: boolean;
      /**
       * Counts toward the per-source failure limit (ban list): only a wrong
       * answer to a nonce we issued to this very source, which proves a round
       * trip. Garbage, missing or foreign nonces never count (a spoofed
       * datagram could carry them).
       */
      countsAsFailure: boolean;
      username?: string;
    };

interface Credentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  cnonce: string;
  nc: string;
}

class CredentialsError extends Error {
  constructor(
    readonly code: DigestFailureCode,
    message: string,
  ) {
    super(message);
  }
}

// RFC 7616 §3.4: these are quoted-string; algorithm, qop and nc are tokens.
const QUOTED = ['username', 'realm', 'nonce', 'uri', 'response', 'cnonce'] as const;

function required(raw: DigestCredentialsRaw, name: (typeof QUOTED)[number]): string {
  const p = raw.params.get(name);
  if (!p) throw new CredentialsError('digest-param-missing', `${name} is missing`);
  if (!p.quoted) throw new CredentialsError('digest-param-not-quoted', `${name} must be a quoted string`);
  return p.value;
}

function toCredentials(raw: DigestCredentialsRaw): Credentials {
  if (raw.params.has('username*') || raw.params.get('userhash')?.value.toLowerCase() === 'true') {
    throw new CredentialsError('digest-userhash-unsupported', 'username* and userhash are not offered');
  }
  const [username, realm, nonce, uri, response, cnonce] = QUOTED.map((n) => required(raw, n)) as [string, string, string, string, string, string];
  // Quoted algorithm and qop values are a common phone quirk; accept them as tokens.
  const algName = raw.params.get('algorithm')?.value ?? 'MD5'; // RFC 7616 §3.4: absent means MD5
  const algorithm = DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === algName.toLowerCase());
  if (!algorithm) throw new CredentialsError('digest-algorithm-unsupported', `algorithm ${algName.slice(0, 32)} is not offered`);
  const qop = raw.params.get('qop');
  if (!qop) throw new CredentialsError('digest-param-missing', 'qop is missing (qop=auth is required)');
  if (qop.value.toLowerCase() !== 'auth') throw new CredentialsError('digest-qop-unsupported', `qop ${qop.value.slice(0, 32)} is not offered`);
  const nc = raw.params.get('nc');
  if (!nc) throw new CredentialsError('digest-param-missing', 'nc is missing');
  if (!/^[0-9a-fA-F]{8}$/.test(nc.value)) throw new CredentialsError('digest-param-invalid', 'nc must be 8 hexadecimal digits');
  if (username === '' || cnonce === '' || uri === '') throw new CredentialsError('digest-param-invalid', 'username, cnonce and uri must not be empty');
  if (!new RegExp(`^[0-9a-fA-F]{${HASH[algorithm].hexLength}}$`).test(response)) {
    throw new CredentialsError('digest-param-invalid', `response must be ${HASH[algorithm].hexLength} hexadecimal digits for ${algorithm}`);
  }
  return { username, realm, nonce, uri, response: response.toLowerCase(), algorithm, cnonce, nc: nc.value };
}

/** RFC 7616 §3.4.1 with qop=auth: KD(HA1, nonce:nc:cnonce:qop:HA2), HA2 = H(method:uri). */
export function expectedResponse(c: { algorithm: DigestAlgorithm; nonce: string; nc: string; cnonce: string; uri: string }, ha1: string, method: string): string {
  const ha2 = digestHash(c.algorithm, `${method}:${c.uri}`);
  return digestHash(c.algorithm, `${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:auth:${ha2}`);
}

export class DigestAuthenticator {
  private readonly nonces: NonceIssuer;
  private readonly ncs: NcTracker;
  private readonly now: () => number;
  private readonly algorithms: readonly DigestAlgorithm[];

  constructor(opts: DigestOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.algorithms = [...new Set(opts.algorithms ?? DIGEST_ALGORITHMS)];
    if (this.algorithms.length === 0 || this.algorithms.some((a) => !DIGEST_ALGORITHMS.includes(a))) {
      throw new RangeError(`digest algorithms must be a non-empty list of ${DIGEST_ALGORITHMS.join(', ')}`);
    }
    this.nonces = new NonceIssuer({ secret: opts.secret ?? randomBytes(32), ttlSeconds: opts.nonceTtlSeconds ?? 300, now: this.now });
    this.ncs = new NcTracker({
      ttlMs: this.nonces.ttlMs,
      maxNonces: opts.maxTrackedNonces ?? 100_000,
      maxCountsPerNonce: opts.maxCountsPerNonce ?? 1024,
    });
  }

  /**
   * RFC 3261 §22.1 / §22.3: 401 + WWW-Authenticate from a registrar or UAS,
   * 407 + Proxy-Authenticate when acting as a proxy for INVITE and friends.
   */
  challenge(realm: string, opts: { proxy?: boolean; stale?: boolean; source?: string; algorithms?: readonly DigestAlgorithm[] } = {}): Challenge {
    const nonce = this.nonces.issue(realm, opts.source);
    const values = (opts.algorithms?.length ? opts.algorithms : this.algorithms).map(
      (alg) => `Digest realm=${quote(realm)}, nonce="${nonce}", qop="auth", algorithm=${alg}${opts.stale ? ', stale=true' : ''}`,
    );
    return opts.proxy
      ? { status: 407, header: 'Proxy-Authenticate', values }
      : { status: 401, header: 'WWW-Authenticate', values };
  }

  verify(input: VerifyInput): VerifyResult {
    let list: DigestCredentialsRaw[];
    try {
      list = parseCredentialsList(input.authorization);
    } catch (e) {
      if (!(e instanceof DigestHeaderError)) throw e;
      // Unparsable: never a failure for the ban list, whoever it claims to come from.
      return fail(e.code === 'digest-header-missing' ? 401 : 400, e.code, e.message, {});
    }
    // RFC 3261 §22.4: pick the credentials for our realm, ignore the others.
    const raw = list.find((c) => c.params.get('realm')?.value === input.realm);
    let c: Credentials;
    try {
      // Without credentials for our realm, malformed ones still deserve a 400, not a challenge.
      c = toCredentials(raw ?? list[0]!);
    } catch (e) {
      if (!(e instanceof CredentialsError)) throw e;
      return fail(400, e.code, e.message, {});
    }
    if (!raw) return fail(401, 'digest-realm-mismatch', `no credentials for realm ${input.realm}`, { username: c.username });
    if (!(input.algorithms?.length ? input.algorithms : this.algorithms).includes(c.algorithm)) {
      return fail(400, 'digest-algorithm-unsupported', `algorithm ${c.algorithm} is not offered`, { username: c.username });
    }
    return this.check(c, input);
  }

  private check(c: Credentials, input: VerifyInput): VerifyResult {
    const nonce = this.nonces.check(c.nonce, input.realm, input.source);
    // Not a failure for the ban list: after a restart every phone first answers with its cached
    // nonce of the previous boot (a whole NAT'd office from one address), and without a valid
    // nonce the password is never checked, so nothing can be guessed this way. A nonce issued to
    // another address is invalid here too: a spoofed source never saw one of its own.
    if (!nonce.valid) return fail(401, 'digest-nonce-invalid', 'the nonce was not issued here', { username: c.username });
    const ha1 = input.lookup(c.username, input.realm)?.[c.algorithm];
    // Compute even for unknown users so timing does not reveal which users exist.
    const expected = expectedResponse(c, ha1 ?? '0'.repeat(HASH[c.algorithm].hexLength), input.method);
    const match = timingSafeEqual(Buffer.from(expected), Buffer.from(c.response));
    if (ha1 === undefined) return fail(401, 'digest-user-unknown', 'unknown user', { countsAsFailure: true, username: c.username });
    if (!match) return fail(401, 'digest-response-mismatch', 'wrong credentials', { countsAsFailure: true, username: c.username });
    // RFC 7616 §3.3: stale only when the digest itself was right.
    if (nonce.expired) return fail(401, 'digest-nonce-stale', 'the nonce has expired', { stale: true, username: c.username });
    const verdict = this.ncs.use(c.nonce, nonce.issuedAt, parseInt(c.nc, 16), this.now());
    if (verdict === 'replay') return fail(401, 'digest-nc-replay', `nc ${c.nc} was already used with this nonce`, { countsAsFailure: true, username: c.username });
    if (verdict !== 'fresh') return fail(401, 'digest-nonce-stale', 'the nonce must be renewed', { stale: true, username: c.username });
    return { ok: true, username: c.username, algorithm: c.algorithm };
  }
}

function fail(
  status: 400 | 401,
  code: DigestFailureCode,
  message: string,
  extra: { stale?: boolean; countsAsFailure?: boolean; username?: string },
): VerifyResult {
  const r: VerifyResult = { ok: false, status, code, message, stale: extra.stale ?? false, countsAsFailure: extra.countsAsFailure ?? false };
  if (extra.username !== undefined) r.username = extra.username;
  return r;
}
