// Client side of SIP digest authentication for trunks: answering the
// operator's 401/407 (RFC 3261 §22.2–§22.4) with the RFC 7616 algorithms as
// RFC 8760 brings them to SIP (SHA-256 and MD5, qop=auth). The challenge
// syntax is the credentials syntax, so the server side's bounded parser
// reads it. drachtio-srf's own digest client knows only MD5, hence this.
import { randomBytes } from 'node:crypto';
import { computeHa1, digestHash, DIGEST_ALGORITHMS, type DigestAlgorithm } from '../auth/digest';
import { DigestHeaderError, parseCredentialsList, quote } from '../auth/digest-header';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  /** true: qop=auth offered (cnonce and nc are sent); false: RFC 2069 compatibility. */
  qopAuth: boolean;
  opaque?: string;
  /** RFC 7616 §3.3: the previous nonce was stale, the credentials were right. */
  stale: boolean;
}

export type ChallengeProblem = 'digest-challenge-invalid' | 'digest-algorithm-unsupported' | 'digest-qop-unsupported';

export class ChallengeError extends Error {
  constructor(
    readonly code: ChallengeProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ChallengeError';
  }
}

/**
 * Picks the challenge to answer among the WWW-/Proxy-Authenticate values
 * (drachtio joins repeated headers with commas). RFC 8760 §2.4: the server
 * lists its preferred algorithm first; we take the strongest we know.
 */
export function pickChallenge(values: readonly string[]): DigestChallenge {
  const offered: DigestChallenge[] = [];
  let lastProblem: ChallengeError | undefined;
  for (const value of values) {
    let list;
    try {
      list = parseCredentialsList(value);
    } catch (e) {
      if (!(e instanceof DigestHeaderError)) throw e;
      lastProblem = new ChallengeError('digest-challenge-invalid', e.message);
      continue;
    }
    for (const raw of list) {
      const get = (n: string) => raw.params.get(n)?.value;
      const realm = get('realm');
      const nonce = get('nonce');
      if (realm === undefined || nonce === undefined) {
        lastProblem = new ChallengeError('digest-challenge-invalid', 'the challenge lacks realm or nonce');
        continue;
      }
      const algName = get('algorithm') ?? 'MD5'; // RFC 7616 §3.3: absent means MD5
      const algorithm = DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === algName.toLowerCase());
      if (!algorithm) {
        lastProblem = new ChallengeError('digest-algorithm-unsupported', `algorithm ${algName.slice(0, 32)} is not supported`);
        continue;
      }
      const qop = get('qop');
      const qops = qop === undefined ? [] : qop.split(',').map((q) => q.trim().toLowerCase());
      if (qop !== undefined && !qops.includes('auth')) {
        lastProblem = new ChallengeError('digest-qop-unsupported', `qop ${qop.slice(0, 32)} is not supported (only auth)`);
        continue;
      }
      const c: DigestChallenge = { realm, nonce, algorithm, qopAuth: qop !== undefined, stale: get('stale')?.toLowerCase() === 'true' };
      const opaque = get('opaque');
      if (opaque !== undefined) c.opaque = opaque;
      offered.push(c);
    }
  }
  const best = DIGEST_ALGORITHMS.map((a) => offered.find((c) => c.algorithm === a)).find((c) => c !== undefined);
  if (best) return best;
  throw lastProblem ?? new ChallengeError('digest-challenge-invalid', 'no challenge was sent');
}

/**
 * The answer to one challenge, reused for later requests to the same realm
 * (RFC 3261 §22.3: a UA may cache credentials) with nc counting up
 * (RFC 7616 §3.4), so re-registrations need no new 401 round-trip.
 */
export class DigestSession {
  private nc = 0;
  private readonly cnonce = randomBytes(8).toString('hex');

  constructor(
    readonly challenge: DigestChallenge,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** The Authorization (or Proxy-Authorization) value for `method uri`; each call takes the next nc. */
  authorization(method: string, uri: string): string {
    const c = this.challenge;
    const ha1 = computeHa1(c.algorithm, this.username, c.realm, this.password);
    const ha2 = digestHash(c.algorithm, `${method}:${uri}`);
    const parts = [`Digest username=${quote(this.username)}`, `realm=${quote(c.realm)}`, `nonce=${quote(c.nonce)}`, `uri=${quote(uri)}`];
    if (c.qopAuth) {
      this.nc++;
      const nc = this.nc.toString(16).padStart(8, '0');
      // RFC 7616 §3.4.1: response = KD(HA1, nonce:nc:cnonce:qop:HA2)
      const response = digestHash(c.algorithm, `${ha1}:${c.nonce}:${nc}:${this.cnonce}:auth:${ha2}`);
      parts.push(`response=${quote(response)}`, `algorithm=${c.algorithm}`, `cnonce=${quote(this.cnonce)}`, 'qop=auth', `nc=${nc}`);
    } else {
      // RFC 2617 §3.2.2.1 without qop (RFC 2069 compatibility): KD(HA1, nonce:HA2)
      parts.push(`response=${quote(digestHash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`))}`, `algorithm=${c.algorithm}`);
    }
    if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
    return parts.join(', ');
  }

  /** How many requests this nonce has answered. */
  get count(): number {
    return this.nc;
  }
}
