// MessageWaiting with a fake SIP side (the sipp run in
// test/integration/call-control/voicemail-call.test.ts drives the real one):
// who may subscribe, what is refused with which status, NOTIFY only when the
// counts change, expiry ends the subscription with reason=timeout (RFC 6665
// §4.2.2), and a subscriber that answers 481 is dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import type { RequestAuthDeps } from '../../../services/call-control/auth/request-auth';
import { MessageWaiting, type SubscribeRequest, type SubscribeResponse, type SubscriptionDialog } from '../../../services/call-control/mwi/mwi-notifier';

type Sent = { status: number; reason?: string; headers: Record<string, string> };
type Notify = { headers: Record<string, string>; body: string };

function request(uri: string, headers: Record<string, string>): SubscribeRequest {
  const h = Object.fromEntries(Object.entries({ From: '<sip:202@bank.example>;tag=a', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'SUBSCRIBE', uri, source_address: '127.0.0.1', get: (n) => h[n.toLowerCase()] };
}

function response(): SubscribeResponse & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    send(status: number, a?: string | { headers: Record<string, string> }, b?: { headers: Record<string, string> }) {
      if (typeof a === 'string') sent.push({ status, reason: a, headers: b?.headers ?? {} });
      else sent.push({ status, headers: a?.headers ?? {} });
    },
  };
}

let counts: { new: number; saved: number };
let notifies: Notify[];
let answer: number;
let dialogs: Array<SubscriptionDialog & { emit(e: string, ...a: unknown[]): void }>;
let mwi: MessageWaiting;
let byBox: Map<number, { new: number; saved: number }> | undefined;

// The digest itself is tested in test/call-control/auth; here 202 has proved its credentials.
const auth = {
  auth: { verify: () => ({ ok: true, username: '202', algorithm: 'MD5' }) },
  bans: { isBanned: () => false },
  tenantFor: (host: string) => (host === 'bank.example' ? { id: 7, sipDomain: 'bank.example' } : undefined),
  credentials: () => ({ extension: '202', ha1: {} }),
  log: silentLogger,
} as unknown as RequestAuthDeps;

beforeEach(() => {
  vi.useFakeTimers();
  counts = { new: 0, saved: 0 };
  notifies = [];
  answer = 200;
  dialogs = [];
  byBox = undefined;
  mwi = new MessageWaiting({
    createUAS: async (_req, res, opts) => {
      res.send(202, { headers: opts.headers });
      const listeners = new Map<string, (...a: unknown[]) => void>();
      const d = {
        id: `d${dialogs.length}`,
        request: async (o: Notify) => (notifies.push({ headers: o.headers, body: o.body }), { status: answer }),
        on: (e: string, fn: (...a: unknown[]) => void) => void listeners.set(e, fn),
        emit: (e: string, ...a: unknown[]) => listeners.get(e)?.(...a),
      };
      dialogs.push(d as never);
      return d as never;
    },
    auth,
    boxOf: (tenantId, ext) => (tenantId === 7 && (ext === '202' || ext === '203') ? { id: ext === '202' ? 1 : 2 } : undefined),
    counts: () => counts,
    countsByBox: () => byBox ?? new Map([[1, counts]]),
    log: silentLogger,
  });
});
afterEach(() => vi.useRealTimers());

async function subscribe(uri: string, headers: Record<string, string> = {}) {
  const res = response();
  mwi.handler()(request(uri, { Event: 'message-summary', Expires: '120', ...headers }), res);
  await vi.advanceTimersByTimeAsync(0);
  return res.sent;
}

describe('message-waiting subscriptions', () => {
  it('own box: 202 with the granted Expires, a NOTIFY at once, then only when the counts change; expiry ends it with reason=timeout', async () => {
    expect(await subscribe('sip:202@bank.example')).toEqual([{ status: 202, headers: { Expires: '120' } }]);
    expect(notifies).toHaveLength(1);
    expect(notifies[0]!.headers).toEqual({ Event: 'message-summary', 'Subscription-State': 'active;expires=120', 'Content-Type': 'application/simple-message-summary' });
    expect(notifies[0]!.body).toContain('Messages-Waiting: no');
    mwi.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies).toHaveLength(1);
    counts = { new: 1, saved: 0 };
    mwi.changed(7, 2); // another box: nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies).toHaveLength(1);
    mwi.changed(7, 1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(notifies).toHaveLength(2);
    expect(notifies[1]!.body).toContain('Voice-Message: 1/0 (0/0)');
    counts = { new: 0, saved: 1 };
    mwi.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies[2]!.headers['Subscription-State']).toBe('active;expires=90');
    expect(notifies[2]!.body).toContain('Messages-Waiting: no');
    await vi.advanceTimersByTimeAsync(90_000);
    expect(notifies[3]!.headers['Subscription-State']).toBe('terminated;reason=timeout');
    expect(mwi.size).toBe(0);
  });

  it('a refresh in the dialog: 200, a new duration and a NOTIFY; Expires 0 ends it', async () => {
    await subscribe('sip:202@bank.example');
    const res = response();
    dialogs[0]!.emit('subscribe', request('sip:202@bank.example', { Expires: '600' }), res);
    await vi.advanceTimersByTimeAsync(0);
    expect(res.sent).toEqual([{ status: 200, headers: { Expires: '600' } }]);
    expect(notifies.at(-1)!.headers['Subscription-State']).toBe('active;expires=600');
    await vi.advanceTimersByTimeAsync(500_000);
    expect(mwi.size).toBe(1);
    dialogs[0]!.emit('unsubscribe');
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies.at(-1)!.headers['Subscription-State']).toBe('terminated;reason=timeout');
    expect(mwi.size).toBe(0);
  });

  it('refuses another extension\'s box (403), an unknown package (489), too brief (423), bad Expires (400)', async () => {
    expect(await subscribe('sip:203@bank.example')).toEqual([{ status: 403, reason: 'Forbidden', headers: { Reason: 'SIP;cause=403;text="not-your-mailbox"' } }]);
    expect(await subscribe('sip:202@bank.example', { Event: 'presence' })).toEqual([{ status: 489, reason: 'Bad Event', headers: { 'Allow-Events': 'message-summary' } }]);
    expect(await subscribe('sip:202@bank.example', { Expires: '30' })).toEqual([{ status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': '60' } }]);
    expect(await subscribe('sip:202@bank.example', { Expires: 'x' })).toEqual([{ status: 400, reason: 'Expires: expected seconds, got x', headers: {} }]);
    expect(notifies).toHaveLength(0);
    expect(mwi.size).toBe(0);
  });

  it('check() reads every box in one query: a box absent from it has no messages', async () => {
    counts = { new: 2, saved: 0 };
    await subscribe('sip:202@bank.example');
    expect(notifies.at(-1)!.body).toContain('Voice-Message: 2/0');
    byBox = new Map([[2, { new: 5, saved: 0 }]]);
    mwi.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies.at(-1)!.body).toContain('Messages-Waiting: no');
    expect(notifies.at(-1)!.body).toContain('Voice-Message: 0/0');
  });

  it('a subscriber that answers a NOTIFY 481 is dropped', async () => {
    await subscribe('sip:202@bank.example');
    answer = 481;
    counts = { new: 1, saved: 0 };
    mwi.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(mwi.size).toBe(0);
    counts = { new: 2, saved: 0 };
    mwi.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(notifies).toHaveLength(2);
  });
});
