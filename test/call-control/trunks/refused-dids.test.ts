import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger';
import { effectiveChannelLimit } from '../../../services/call-control/trunks/trunk-channels';
import { ALARM_UNKNOWN_DID, RefusedDids } from '../../../services/call-control/trunks/refused-dids';

function world() {
  const lines: Array<Record<string, unknown>> = [];
  const raised: Array<{ tenantId: number; details?: Record<string, unknown>; code: string }> = [];
  let now = 1_000_000;
  const log = createLogger({ level: 'info', sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  const r = new RefusedDids({ alarms: { raise: (a) => raised.push(a) }, log, now: () => now, cdrsPerWindow: 3, windowMs: 60_000, flushMs: 60_000 });
  return { r, lines, raised, tick: (ms: number) => (now += ms) };
}

describe('RefusedDids', () => {
  it('lets a few attempts per tenant and window keep their CDR, counts the rest, and reports them as one line and one alarm', () => {
    const { r, lines, raised, tick } = world();
    const trunk = { tenantId: 1, name: 'МТС' };
    const cdr = Array.from({ length: 10 }, (_, i) => r.note(trunk, `8495000${i}`));
    expect(cdr).toEqual([true, true, true, false, false, false, false, false, false, false]);
    // Another tenant has its own budget.
    expect(r.note({ tenantId: 2, name: 'Билайн' }, '1')).toBe(true);
    expect(raised).toHaveLength(0); // nothing per packet
    r.flush();
    const warn = lines.filter((l) => l.msg === 'calls from trunks to unknown numbers refused');
    expect(warn).toHaveLength(2);
    expect(raised.map((a) => [a.code, a.tenantId, a.details?.total])).toEqual([
      [ALARM_UNKNOWN_DID, 1, 10],
      [ALARM_UNKNOWN_DID, 2, 1],
    ]);
    // A new window gives CDRs again; the alarm's total goes on counting.
    tick(60_000);
    expect(r.note(trunk, '84950001')).toBe(true);
    r.flush();
    expect(raised.at(-1)).toMatchObject({ tenantId: 1, details: { total: 11, lastBatch: 1, trunks: { МТС: 11 } } });
    r.flush();
    expect(raised).toHaveLength(3); // nothing pending, nothing written
  });

  it('keeps at most ten sample numbers, cut to 32 characters', () => {
    const { r, raised } = world();
    for (let i = 0; i < 50; i++) r.note({ tenantId: 1, name: 'x' }, `${'9'.repeat(40)}${i}`);
    r.flush();
    const numbers = raised[0]!.details!.numbers as string[];
    expect(numbers.length).toBeLessThanOrEqual(10);
    expect(numbers.every((n) => n.length <= 32)).toBe(true);
  });
});

describe('effectiveChannelLimit', () => {
  it('gives an IP trunk without its own limit the default; a trunk with one, or a registering trunk, keeps its own', () => {
    expect(effectiveChannelLimit({ kind: 'ip', channelLimit: 0 }, 30)).toBe(30);
    expect(effectiveChannelLimit({ kind: 'ip', channelLimit: 4 }, 30)).toBe(4);
    expect(effectiveChannelLimit({ kind: 'register', channelLimit: 0 }, 30)).toBe(0);
    expect(effectiveChannelLimit({ kind: 'ip', channelLimit: 0 }, 0)).toBe(0);
  });
});
