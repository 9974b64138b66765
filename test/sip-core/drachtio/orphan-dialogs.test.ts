import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger';
import type { Dialog } from '../../../services/sip-core/dialog/dialog';
import type { AppConnection } from '../../../services/sip-core/drachtio/app-connection';
import { OrphanDialogs } from '../../../services/sip-core/drachtio/orphan-dialogs';

const log = createLogger({ level: 'error', sink: () => undefined });
const conn = (tags: string[], closed = false) => ({ tags, closed }) as unknown as AppConnection;
const dialog = (owner: AppConnection) => ({ owner, state: 'confirmed' }) as unknown as Dialog;

function make(graceMs: number) {
  let now = 1_000;
  const expired: Dialog[] = [];
  const orphans = new OrphanDialogs({ graceMs, expire: (d) => expired.push(d), log, now: () => now, sweepMs: 60_000 });
  return { orphans, expired, advance: (ms: number) => (now += ms) };
}

describe('OrphanDialogs', () => {
  it('keeps nothing with a grace period of 0 (the old hang-up-at-once behaviour)', () => {
    const { orphans } = make(0);
    expect(orphans.hold(dialog(conn([], true)))).toBe(false);
    expect(orphans.size).toBe(0);
  });

  it('hands a vanished app’s dialogs and their parked requests to the next app with the same tags only', () => {
    const { orphans, expired } = make(30_000);
    const old = conn(['cc'], true);
    const mine = dialog(old);
    const others = dialog(conn(['other'], true));
    orphans.hold(mine);
    orphans.hold(others);
    const resumed: string[] = [];
    expect(orphans.park(mine, () => resumed.push('bye'), () => resumed.push('gave-up'))).toBe(true);
    expect(orphans.parkedRequests).toBe(1);
    const next = conn(['cc']);
    expect(orphans.adopt(conn(['someone-else']))).toBe(0);
    expect(orphans.adopt(next)).toBe(1);
    expect(mine.owner).toBe(next);
    expect(resumed).toEqual(['bye']);
    expect(orphans.has(others)).toBe(true);
    orphans.stop();
    expect(expired).toEqual([]);
  });

  it('after the grace period answers parked requests itself and hangs up what nobody adopted', () => {
    const { orphans, expired, advance } = make(30_000);
    const d = dialog(conn([], true));
    orphans.hold(d);
    const gaveUp: string[] = [];
    orphans.park(d, () => gaveUp.push('resumed'), () => gaveUp.push('answered-here'));
    advance(29_999);
    orphans.sweep();
    expect(expired).toEqual([]);
    advance(1);
    orphans.sweep();
    expect(expired).toEqual([d]);
    expect(gaveUp).toEqual(['answered-here']);
    expect(orphans.size).toBe(0);
    expect(orphans.expired).toBe(1);
  });

  it('forgets a dialog that ended while orphaned, and parks nothing for a dialog that is not an orphan', () => {
    const { orphans, expired, advance } = make(1_000);
    const d = dialog(conn([], true));
    orphans.hold(d);
    orphans.forget(d);
    advance(5_000);
    orphans.sweep();
    expect(expired).toEqual([]);
    expect(orphans.park(d, () => undefined, () => undefined)).toBe(false);
  });
});
