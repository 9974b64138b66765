// The session-timer wheel: deadlines of any length on one timer, rounded up
// to a tick; rescheduling moves an item, cancelling drops it.
import { describe, expect, it } from 'vitest';
import { DeadlineWheel } from '../../../services/sip-core/dialog/deadline-wheel';
import { until } from '../sip/helpers/sip-peer';

describe('DeadlineWheel', () => {
  it('fires each item once at (or just after) its deadline, in deadline order', async () => {
    const fired: Array<{ item: string; late: number }> = [];
    const due = new Map<string, number>();
    const wheel = new DeadlineWheel<string>(20, (item) => fired.push({ item, late: Date.now() - due.get(item)! }));
    const now = Date.now();
    for (const [item, ms] of [['c', 300], ['a', 60], ['b', 150]] as const) {
      due.set(item, now + ms);
      wheel.schedule(item, now + ms);
    }
    expect(wheel.size).toBe(3);
    await until(() => fired.length === 3, 3000);
    expect(fired.map((f) => f.item)).toEqual(['a', 'b', 'c']);
    for (const f of fired) {
      expect(f.late).toBeGreaterThanOrEqual(0);
      expect(f.late).toBeLessThan(500);
    }
    expect(wheel.size).toBe(0);
  });

  it('moves a rescheduled item, drops a cancelled one, and lets a handler schedule again', async () => {
    const fired: string[] = [];
    const wheel: DeadlineWheel<string> = new DeadlineWheel<string>(20, (item) => {
      fired.push(item);
      if (item === 'again' && fired.filter((f) => f === 'again').length === 1) wheel.schedule('again', Date.now() + 40);
    });
    const now = Date.now();
    wheel.schedule('moved', now + 40);
    wheel.schedule('moved', now + 200);
    wheel.schedule('gone', now + 60);
    wheel.cancel('gone');
    wheel.schedule('again', now + 80);
    expect(wheel.has('gone')).toBe(false);
    await until(() => fired.length === 3, 3000);
    expect(fired).toEqual(['again', 'again', 'moved']);
    expect(wheel.size).toBe(0);
  });
});
