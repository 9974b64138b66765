// What trunk registration and OPTIONS keepalive need from the SIP stack and
// from time, as small interfaces: the process passes drachtio-srf and the
// real clock, unit tests a scripted operator and a clock they move.

/** A final response as the trunk code reads it. */
export interface SipReply {
  status: number;
  reason: string;
  /** Header value; repeated headers joined by commas (as drachtio-srf keeps them). */
  get(name: string): string | undefined;
}

export interface OutRequest {
  method: 'REGISTER' | 'OPTIONS';
  uri: string;
  headers: Record<string, string>;
}

export type SipRequestProblem = 'sip-timeout' | 'sip-send-failed';

/** No answer from the far end: it timed out, or the request could not be sent. */
export class SipRequestError extends Error {
  constructor(
    readonly code: SipRequestProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SipRequestError';
  }
}

/** Sends a request outside any dialog; resolves with its final response, rejects with SipRequestError. */
export type SendRequest = (req: OutRequest, timeoutMs: number) => Promise<SipReply>;

export type TimerHandle = { readonly id: unknown };

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(t: TimerHandle | undefined): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const id = setTimeout(fn, ms);
    id.unref();
    return { id };
  },
  clearTimer: (t) => {
    if (t) clearTimeout(t.id as ReturnType<typeof setTimeout>);
  },
};

/** `sip:host:port;transport=x` for the trunk's registrar or OPTIONS target (RFC 3261 §19.1.1). */
export function trunkUri(t: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' }, user?: string): string {
  const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host;
  return `sip:${user ? `${user}@` : ''}${host}:${t.port}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
}

/**
 * sip-core's listener for a transport from the hostport list srf reports at
 * connect (`udp/10.0.0.5:5060,tcp/10.0.0.5:5060`): `10.0.0.5:5060`.
 */
export function listenerFor(hostports: string, transport: 'udp' | 'tcp' | 'tls'): string | undefined {
  for (const entry of hostports.split(',')) {
    const slash = entry.indexOf('/');
    if (slash > 0 && entry.slice(0, slash).trim().toLowerCase() === transport) return entry.slice(slash + 1).trim();
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack request()'s callback objects
type Loose = any;

/** RFC 3261 §8.2.6.2: a UAS tags To in every final response; the stack's own 408/503 has none. */
const hasToTag = (to: string | undefined) => to !== undefined && /;\s*tag\s*=/i.test(to.slice(Math.max(0, to.lastIndexOf('>'))));

/**
 * SendRequest over drachtio-srf. sip-core (like drachtio-server) reports a
 * timeout or a transport error as a 408/503 it made itself, with no To tag:
 * that is "no answer", never the operator's response.
 */
export function srfSender(srf: Loose): SendRequest {
  return (r, timeoutMs) =>
    new Promise<SipReply>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => finish(() => reject(new SipRequestError('sip-timeout', `no answer to ${r.method} within ${timeoutMs} ms`))), timeoutMs);
      const onResponse = (res: Loose) => {
        const status = Number(res.status);
        if (status < 200) return;
        if ((status === 408 || status === 503) && !hasToTag(res.get('To'))) {
          finish(() => reject(status === 408 ? new SipRequestError('sip-timeout', `no answer to ${r.method}`) : new SipRequestError('sip-send-failed', `${r.method} could not be sent`)));
          return;
        }
        finish(() => resolve({ status, reason: String(res.reason ?? ''), get: (n: string) => res.get(n) as string | undefined }));
      };
      try {
        srf.request(r.uri, { method: r.method, headers: r.headers }, (err: Error | null, req: Loose) => {
          if (err) return finish(() => reject(new SipRequestError('sip-send-failed', err.message)));
          req.on('response', onResponse);
        });
      } catch (e) {
        // srf throws when it has no connection to the SIP server.
        finish(() => reject(new SipRequestError('sip-send-failed', e instanceof Error ? e.message : String(e))));
      }
    });
}
