// The fork's per-branch behaviour FMC needs (fork.ts): a branch sent after
// a delay (the mobile N seconds after the desk phones) and never sent when
// the fork ends first; a failed branch retried on another target in its
// place (the gateway's next port) with the same offer; the winner told, the
// losers' holds freed. drachtio-srf's createUAC is faked: what it is asked
// to send and when is the point here (the real fork runs against phones in
// test/integration/fmc/ring-mobile.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { Fork, type ForkBranch } from '../../../services/call-control/calls/fork';
import { createLogger } from '../../../services/common/logger';

const log = createLogger({ level: 'warn', sink: () => undefined });

interface Sent {
  uri: string;
  sdp: string;
  resolve(dialog: unknown): void;
  reject(err: unknown): void;
  cancelled: boolean;
}

function fakeSrf() {
  const sent: Sent[] = [];
  return {
    sent,
    createUAC(uri: string, opts: { localSdp: string }, cbs: { cbRequest(err: unknown, req: unknown): void }) {
      return new Promise((resolve, reject) => {
        const s: Sent = { uri, sdp: opts.localSdp, resolve, reject, cancelled: false };
        sent.push(s);
        cbs.cbRequest(null, {
          cancel: () => {
            s.cancelled = true;
            reject(Object.assign(new Error('terminated'), { status: 487 }));
          },
        });
      });
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Fork branches', () => {
  it('a delayed branch is sent after its delay; the winner is told, the rest CANCELed and freed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const srf = fakeSrf();
      const ended = vi.fn();
      const answered = vi.fn();
      const sdpFor = vi.fn(async (i: number) => `offer-${i}`);
      const mobile: ForkBranch = { contact: 'sip:89257184444@127.0.0.1:6002', delayMs: 5000, ended, answered };
      const fork = new Fork({ srf, branches: [{ contact: 'sip:201@127.0.0.1:5070' }, mobile], sdpFor, ringMs: 30_000, onProvisional: () => undefined, log });
      await tick();
      expect(srf.sent.map((s) => s.uri)).toEqual(['sip:201@127.0.0.1:5070']);
      vi.advanceTimersByTime(5000);
      await tick();
      expect(srf.sent.map((s) => s.uri)).toEqual(['sip:201@127.0.0.1:5070', 'sip:89257184444@127.0.0.1:6002']);
      srf.sent[1]!.resolve({ id: 'mobile-dialog' });
      const o = await fork.outcome;
      expect(o).toMatchObject({ kind: 'answered', branch: 1, target: mobile });
      expect(answered).toHaveBeenCalledOnce();
      expect(ended).not.toHaveBeenCalled();
      expect(srf.sent[0]!.cancelled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a delayed branch is never sent when the desk phone answers first, and its hold is freed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const srf = fakeSrf();
      const ended = vi.fn();
      const fork = new Fork({ srf, branches: [{ contact: 'sip:201@127.0.0.1:5070' }, { contact: 'sip:mobile@127.0.0.1:6002', delayMs: 5000, ended }], sdpFor: async (i) => `offer-${i}`, ringMs: 30_000, onProvisional: () => undefined, log });
      await tick();
      srf.sent[0]!.resolve({ id: 'desk' });
      expect(await fork.outcome).toMatchObject({ kind: 'answered', branch: 0 });
      expect(ended).toHaveBeenCalledOnce();
      vi.advanceTimersByTime(10_000);
      await tick();
      expect(srf.sent).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a branch answered 503 is retried on the target its retry gives, with the same offer; a refusal without retry ends the fork', async () => {
    const srf = fakeSrf();
    const sdpFor = vi.fn(async (i: number) => `offer-${i}`);
    const ended2 = vi.fn();
    const port3: ForkBranch = { contact: 'sip:89257184444@127.0.0.1:6003', ended: vi.fn(), retry: () => undefined };
    const port2: ForkBranch = { contact: 'sip:89257184444@127.0.0.1:6002', ended: ended2, retry: (status) => (status === 503 ? port3 : undefined) };
    const fork = new Fork({ srf, branches: [port2], sdpFor, ringMs: 30_000, onProvisional: () => undefined, log });
    await tick();
    srf.sent[0]!.reject(Object.assign(new Error('busy'), { status: 503 }));
    await tick();
    await tick();
    expect(ended2).toHaveBeenCalledOnce();
    expect(srf.sent.map((s) => [s.uri, s.sdp])).toEqual([
      ['sip:89257184444@127.0.0.1:6002', 'offer-0'],
      ['sip:89257184444@127.0.0.1:6003', 'offer-0'],
    ]);
    expect(sdpFor).toHaveBeenCalledOnce();
    // Port 3's mobile is busy: no retry, the fork ends busy.
    srf.sent[1]!.reject(Object.assign(new Error('busy'), { status: 486 }));
    expect(await fork.outcome).toMatchObject({ kind: 'busy', status: 486 });
    expect(port3.ended).toHaveBeenCalledOnce();
  });
});
