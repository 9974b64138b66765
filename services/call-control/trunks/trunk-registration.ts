// The PBX registering to the operator for one trunk (RFC 3261 §10.2): one
// Call-ID for every REGISTER of this binding with CSeq counting up
// (§10.2.4), digest answers to 401/407 (§22.2), refresh at half the expiry
// the registrar GRANTS (§10.2.1, §10.3 step 8), 423 Interval Too Brief →
// retry with Min-Expires (§10.2.8), failures retried with a growing backoff,
// and un-REGISTER with Expires: 0 (§10.2.2) when the trunk goes away.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../common/logger';
import { ChallengeError, DigestSession, pickChallenge } from './trunk-registration-digest';
import { SipRequestError, trunkUri, type Clock, type SendRequest, type SipReply, type TimerHandle } from './trunk-registration-transport';
import { SipAddressError, splitList } from '../registrar/sip-address';

export interface RegistrationTarget {
  id: number;
  tenantId: number;
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  username: string;
  /** Opened from the SecretBox; never logged. */
  password: string;
  /** What we ask for, seconds. */
  expiry: number;
}

export const REGISTRATION_STATES = ['unregistered', 'registering', 'registered', 'failed'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export interface RegistrationStatus {
  state: RegistrationState;
  /** Why the last attempt failed: `403 Forbidden`, `no answer`, …; null once registered. */
  lastError: string | null;
  changedAt: number;
  /** When the registrar's grant runs out (ms since epoch), while registered. */
  expiresAt: number | null;
  grantedSeconds: number | null;
  failures: number;
}

export interface RegistrationOptions {
  /** How long to wait for a final response; below Timer F (32 s) so the stack's own 408 is never needed. */
  timeoutMs?: number;
  /** First retry after a failure; doubles per failure up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Bound on stopping: the un-REGISTER gets this long, so a dead operator never holds up a shutdown. */
  stopTimeoutMs?: number;
}

export interface RegistrationDeps {
  send: SendRequest;
  /** sip-core's `host:port` for the trunk's transport; undefined while not connected. */
  contactHost: () => string | undefined;
  clock: Clock;
  log: Logger;
  onChange: (status: RegistrationStatus) => void;
}

const DEFAULTS = { timeoutMs: 30_000, retryBaseMs: 30_000, retryMaxMs: 600_000, stopTimeoutMs: 2_000 } as const;
/** A 423's Min-Expires above this is not honoured (RFC 3261 §10.2.8 leaves the ceiling to the UA). */
const MAX_EXPIRES = 86_400;

type Outcome = { ok: true; reply: SipReply; expires: number } | { ok: false; error: string; retryAfterMs?: number };

/** The entries of a Contact list; an unbalanced one yields none (the Expires header then decides). */
export function splitContacts(value: string): string[] {
  try {
    return splitList(value).filter((c) => c !== '');
  } catch (err) {
    if (err instanceof SipAddressError) return [];
    throw err;
  }
}

const uriOf = (contact: string) => (/<([^>]*)>/.exec(contact)?.[1] ?? contact.split(';')[0] ?? '').trim().toLowerCase();

/**
 * RFC 3261 §10.2.4: the 200 lists every binding; ours carries the expiry
 * granted, else the Expires header does, else the registrar kept our value.
 */
export function grantedExpiry(reply: SipReply, ourContactUri: string, requested: number): number {
  const mine = splitContacts(reply.get('Contact') ?? '').find((c) => uriOf(c) === ourContactUri.toLowerCase());
  const param = mine && /;\s*expires\s*=\s*(\d+)/i.exec(mine.slice(mine.lastIndexOf('>') + 1))?.[1];
  const header = reply.get('Expires')?.trim();
  const raw = param ?? (header !== undefined && /^\d+$/.test(header) ? header : undefined);
  return raw === undefined ? requested : Math.min(Number(raw), MAX_EXPIRES);
}

/** RFC 3261 §20.33: Retry-After seconds (a 503 or 500 may carry it). */
function retryAfterMs(reply: SipReply): number | undefined {
  const m = /^\s*(\d+)/.exec(reply.get('Retry-After') ?? '');
  return m ? Number(m[1]) * 1000 : undefined;
}

export class TrunkRegistration {
  private readonly opts: Required<RegistrationOptions>;
  private readonly callId = `${randomBytes(12).toString('hex')}@korobka`;
  private readonly fromTag = randomBytes(6).toString('hex');
  private cseq = 0;
  private digest: DigestSession | undefined;
  private digestHeader: 'Authorization' | 'Proxy-Authorization' = 'Authorization';
  private requested: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private busy: Promise<void> = Promise.resolve();
  private current: RegistrationStatus;

  constructor(
    readonly target: RegistrationTarget,
    private readonly deps: RegistrationDeps,
    opts: RegistrationOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.requested = target.expiry;
    this.current = { state: 'unregistered', lastError: null, changedAt: deps.clock.now(), expiresAt: null, grantedSeconds: null, failures: 0 };
  }

  get status(): RegistrationStatus {
    return { ...this.current };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops refreshing; `unregister` removes a binding we hold (Expires: 0) first. */
  async stop(unregister: boolean): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.within(this.busy);
    if (!wasRunning) return;
    if (unregister && this.current.state === 'registered') {
      const r = await this.within<Outcome>(this.exchange(0, this.opts.stopTimeoutMs), { ok: false, error: 'no answer' });
      if (r && !r.ok) this.deps.log.warn('trunk un-register failed', { trunkId: this.target.id, error: r.error });
    }
    this.update({ state: 'unregistered', expiresAt: null, grantedSeconds: null });
  }

  /** `p`, or `fallback` once stopTimeoutMs has passed. */
  private within<T>(p: Promise<T>, fallback?: T): Promise<T | undefined> {
    return new Promise((resolve) => {
      const t = this.deps.clock.setTimer(() => resolve(fallback), this.opts.stopTimeoutMs);
      void p.then((v) => {
        this.deps.clock.clearTimer(t);
        resolve(v);
      });
    });
  }

  private schedule(ms: number): void {
    this.deps.clock.clearTimer(this.timer);
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.busy = this.register().catch((err: unknown) => this.deps.log.error('trunk registration failed unexpectedly', { trunkId: this.target.id, err }));
    }, ms);
  }

  private async register(): Promise<void> {
    if (!this.running) return;
    if (this.current.state !== 'registered') this.update({ state: this.current.state === 'failed' ? 'failed' : 'registering' });
    const r = await this.exchange(this.requested);
    if (!this.running) return;
    if (r.ok) {
      const granted = grantedExpiry(r.reply, this.contactUri() ?? '', r.expires);
      if (granted <= 0) return this.failed('registrar granted no time', undefined);
      const now = this.deps.clock.now();
      this.update({ state: 'registered', lastError: null, expiresAt: now + granted * 1000, grantedSeconds: granted, failures: 0 });
      this.deps.log.info('trunk registered', { trunkId: this.target.id, granted });
      // Half the grant: for any grant of 20 s or more this is also at least 10 s before it runs out.
      this.schedule(Math.max(1000, (granted * 1000) / 2));
      return;
    }
    this.failed(r.error, r.retryAfterMs);
  }

  private failed(error: string, retryAfter: number | undefined): void {
    const failures = this.current.failures + 1;
    this.digest = undefined; // start the next attempt without stale credentials
    const backoff = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(failures - 1, 16));
    const delay = Math.min(this.opts.retryMaxMs, Math.max(backoff, retryAfter ?? 0));
    this.update({ state: 'failed', lastError: error, expiresAt: null, grantedSeconds: null, failures });
    this.deps.log.warn('trunk registration failed', { trunkId: this.target.id, error, retryInMs: delay });
    this.schedule(delay);
  }

  /** RFC 3261 §10.2: the address of record is the trunk's user at the operator's domain. */
  private aor(): string {
    const host = this.target.host.includes(':') && !this.target.host.startsWith('[') ? `[${this.target.host}]` : this.target.host;
    return `sip:${this.target.username}@${host}${this.target.port === 5060 ? '' : `:${this.target.port}`}`;
  }

  private contactUri(): string | undefined {
    const host = this.deps.contactHost();
    if (!host) return undefined;
    return `sip:${this.target.username}@${host}${this.target.transport === 'udp' ? '' : `;transport=${this.target.transport}`}`;
  }

  /** One REGISTER and whatever it takes to get a final answer: digest rounds, a 423 retry. */
  private async exchange(expires: number, timeoutMs = this.opts.timeoutMs): Promise<Outcome> {
    const uri = trunkUri(this.target);
    const contact = this.contactUri();
    // No Contact to offer: not connected, or sip-core has no listener for the trunk's transport (a TLS trunk without a TLS listener).
    if (!contact) return { ok: false, error: `no ${this.target.transport.toUpperCase()} listener on the SIP server` };
    let answeredChallenge = false;
    for (let round = 0; round < 4; round++) {
      const headers: Record<string, string> = {
        From: `<${this.aor()}>;tag=${this.fromTag}`,
        To: `<${this.aor()}>`,
        'Call-ID': this.callId,
        CSeq: `${++this.cseq} REGISTER`,
        Contact: `<${contact}>`,
        Expires: String(expires),
      };
      if (this.digest) headers[this.digestHeader] = this.digest.authorization('REGISTER', uri);
      let reply: SipReply;
      try {
        reply = await this.deps.send({ method: 'REGISTER', uri, headers }, timeoutMs);
      } catch (e) {
        if (e instanceof SipRequestError) return { ok: false, error: e.code === 'sip-timeout' ? 'no answer' : e.message };
        throw e;
      }
      if (reply.status >= 200 && reply.status < 300) return { ok: true, reply, expires };
      if (reply.status === 401 || reply.status === 407) {
        const value = reply.get(reply.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
        let challenge;
        try {
          challenge = pickChallenge(value === undefined ? [] : [value]);
        } catch (e) {
          if (e instanceof ChallengeError) return { ok: false, error: `${reply.status} ${reply.reason}: ${e.message}` };
          throw e;
        }
        // RFC 7616 §3.3: a fresh challenge right after our answer to the previous one, without stale, means wrong credentials.
        if (answeredChallenge && !challenge.stale) return { ok: false, error: `${reply.status} ${reply.reason}: credentials rejected` };
        this.digest = new DigestSession(challenge, this.target.username, this.target.password);
        this.digestHeader = reply.status === 401 ? 'Authorization' : 'Proxy-Authorization';
        answeredChallenge = true;
        continue;
      }
      if (reply.status === 423) {
        const min = Number(/^\s*(\d+)/.exec(reply.get('Min-Expires') ?? '')?.[1] ?? NaN);
        if (!(min > expires) || min > MAX_EXPIRES) return { ok: false, error: `423 ${reply.reason}: unusable Min-Expires` };
        this.requested = min;
        expires = min;
        continue;
      }
      const out: Outcome = { ok: false, error: `${reply.status} ${reply.reason}`.trim() };
      const after = retryAfterMs(reply);
      if (after !== undefined) out.retryAfterMs = after;
      return out;
    }
    return { ok: false, error: 'too many challenges' };
  }

  private update(patch: Partial<RegistrationStatus>): void {
    const next = { ...this.current, ...patch };
    const changed = next.state !== this.current.state || next.lastError !== this.current.lastError;
    if (changed) next.changedAt = this.deps.clock.now();
    this.current = next;
    if (changed) this.deps.onChange(this.status);
  }
}
