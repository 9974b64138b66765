// A clock the test moves and an operator's registrar scripted in the test,
// verifying our digest answers with our own server-side digest code.
import { computeHa1Set, DigestAuthenticator, type DigestAlgorithm } from '../../../services/call-control/auth/digest';
import { SipRequestError, type Clock, type OutRequest, type SendRequest, type SipReply, type TimerHandle } from '../../../services/call-control/trunks/trunk-registration-transport';

export class ManualClock implements Clock {
  private t = 1_800_000_000_000;
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + ms, fn });
    return { id };
  }

  clearTimer(h: TimerHandle | undefined): void {
    if (h) this.timers = this.timers.filter((x) => x.id !== h.id);
  }

  /** Runs every timer due within `ms`, in order, letting the promises each one starts settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next || next.at > end) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
  }
}

export const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

export const reply = (status: number, reason: string, headers: Record<string, string> = {}): SipReply => {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, reason, get: (n) => lower.get(n.toLowerCase()) };
};

export type Answer = SipReply | 'timeout' | 'hang';

export interface Sent extends OutRequest {
  at: number;
}

/** Records every request; `answer` decides each reply (or silence). */
export function scriptedSender(clock: ManualClock, answer: (r: OutRequest) => Answer): { send: SendRequest; sent: Sent[] } {
  const sent: Sent[] = [];
  const send: SendRequest = async (r) => {
    sent.push({ ...r, at: clock.now() });
    const a = answer(r);
    if (a === 'timeout') throw new SipRequestError('sip-timeout', 'no answer');
    if (a === 'hang') return new Promise<SipReply>(() => undefined);
    return a;
  };
  return { send, sent };
}

/** An operator's registrar: challenges, checks the digest, grants `grant` seconds. */
export class FakeRegistrar {
  readonly auth: DigestAuthenticator;
  verdicts: string[] = [];
  grant: number | undefined = 60;
  forbid = false;

  constructor(
    clock: ManualClock,
    readonly realm = 'operator.test',
    readonly users: Record<string, string> = { trunk1: 'secret-1' },
    algorithms: DigestAlgorithm[] = ['SHA-256', 'MD5'],
    readonly proxy = false,
  ) {
    this.auth = new DigestAuthenticator({ algorithms, now: () => clock.now() });
  }

  answer = (r: OutRequest): Answer => {
    if (this.forbid) return reply(403, 'Forbidden');
    const authorization = r.headers[this.proxy ? 'Proxy-Authorization' : 'Authorization'];
    const v = this.auth.verify({
      method: r.method,
      authorization,
      realm: this.realm,
      lookup: (u) => (this.users[u] === undefined ? undefined : computeHa1Set(u, this.realm, this.users[u]!)),
    });
    this.verdicts.push(v.ok ? `ok ${v.algorithm}` : v.code);
    if (!v.ok) {
      const c = this.auth.challenge(this.realm, { proxy: this.proxy, stale: v.stale });
      return reply(c.status, c.status === 401 ? 'Unauthorized' : 'Proxy Authentication Required', { [c.header]: c.values.join(', ') });
    }
    const expires = r.headers.Expires ?? '0';
    const grant = expires === '0' ? 0 : (this.grant ?? Number(expires));
    return reply(200, 'OK', { Contact: `${r.headers.Contact};expires=${grant}, <sip:other@10.9.9.9>;expires=3000` });
  };
}
