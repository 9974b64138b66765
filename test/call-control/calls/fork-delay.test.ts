// A ring group member's delay (issue 11 item 5) rides on the Fork's delayed
// branches (added for FMC mobiles): what ring groups rely on — a delayed
// branch is invited only when its delay is over, the fork keeps waiting for
// it when the others fail first, and it is never invited when the fork ended
// before. srf here is a
// recording stand-in for drachtio-srf's createUAC; the member delay on real
// phones is test/integration/call-control/ring-delay.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Fork, type ForkBranch } from '../../../services/call-control/calls/fork';
import { createLogger } from '../../../services/common/logger';

interface Invite {
  contact: string;
  at: number;
  answer(): void;
  refuse(status: number): void;
  cancelled: boolean;
}

function fakeSrf() {
  const invites: Invite[] = [];
  const srf = {
    createUAC(contact: string, _opts: unknown, cbs: { cbRequest(err: unknown, req: unknown): void }) {
      let settle!: { ok: (d: unknown) => void; fail: (e: unknown) => void };
      const p = new Promise((ok, fail) => (settle = { ok, fail }));
      const invite: Invite = {
        contact,
        at: Date.now(),
        cancelled: false,
        answer: () => settle.ok({ destroy: async () => undefined }),
        refuse: (status) => settle.fail(Object.assign(new Error(String(status)), { status })),
      };
      cbs.cbRequest(null, { cancel: () => (invite.cancelled = true) });
      invites.push(invite);
      return p;
    },
  };
  return { srf, invites };
}

const log = createLogger({ level: 'warn', sink: () => undefined });
const fork = (srf: unknown, branches: ForkBranch[], ringMs = 30_000) =>
  new Fork({ srf, branches, sdp: 'v=0', ringMs, onProvisional: () => undefined, log });
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('Fork: a branch with a delay', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('is invited only when its delay is over, and may answer', async () => {
    const { srf, invites } = fakeSrf();
    const f = fork(srf, [{ contact: 'sip:202@a' }, { contact: 'sip:203@b', delayMs: 3000 }]);
    await flush();
    expect(invites.map((i) => i.contact)).toEqual(['sip:202@a']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(invites).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(invites.map((i) => [i.contact, i.at - 1_000_000])).toEqual([
      ['sip:202@a', 0],
      ['sip:203@b', 3000],
    ]);
    invites[1]!.answer();
    await expect(f.outcome).resolves.toMatchObject({ kind: 'answered', branch: 1 });
    // The first phone, still ringing, is CANCELed.
    expect(invites[0]!.cancelled).toBe(true);
  });

  it('the others busy before it rings: the fork waits for it instead of ending busy', async () => {
    const { srf, invites } = fakeSrf();
    const f = fork(srf, [{ contact: 'sip:202@a' }, { contact: 'sip:203@b', delayMs: 2000 }]);
    await flush();
    invites[0]!.refuse(486);
    let settled = false;
    void f.outcome.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(invites).toHaveLength(2);
    invites[1]!.refuse(486);
    await expect(f.outcome).resolves.toEqual({ kind: 'busy', status: 486 });
  });

  it('the fork ends before its delay (another answered, or the ring time passed): it is never invited', async () => {
    const { srf, invites } = fakeSrf();
    const f = fork(srf, [{ contact: 'sip:202@a' }, { contact: 'sip:203@b', delayMs: 5000 }]);
    await flush();
    invites[0]!.answer();
    await expect(f.outcome).resolves.toMatchObject({ kind: 'answered', branch: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(invites).toHaveLength(1);

    const other = fakeSrf();
    const g = fork(other.srf, [{ contact: 'sip:204@c', delayMs: 5000 }], 4000);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(g.outcome).resolves.toEqual({ kind: 'no-answer', anyResponse: false });
    expect(other.invites).toHaveLength(0);
  });
});
