import { describe, expect, it } from 'vitest';
import { BanList, normaliseIp } from '../../../services/call-control/registrar/ban-list';
import { createLogger } from '../../../services/common/logger';
import { AppError } from '../../../services/common/errors';

function world(opts: ConstructorParameters<typeof BanList>[1] = {}) {
  let now = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  const bans = new BanList({ now: () => now, log }, { maxFailures: 5, windowMs: 10_000, banMs: 60_000, maxBanMs: 200_000, offenceMemoryMs: 3_600_000, ...opts });
  return { bans, lines, advance: (ms: number) => (now += ms), now: () => now };
}

function fail(bans: BanList, ip: string, times: number) {
  let last;
  for (let i = 0; i < times; i++) last = bans.recordFailure(ip, { username: '100' });
  return last;
}

describe('BanList', () => {
  it('bans a source at the fifth failure inside the window, and only that source', () => {
    const { bans, now, lines } = world();
    expect(fail(bans, '203.0.113.9', 4)).toEqual({ banned: false, failures: 4 });
    expect(bans.isBanned('203.0.113.9')).toBe(false);
    expect(bans.recordFailure('203.0.113.9')).toEqual({ banned: true, until: now() + 60_000, newlyBanned: true });
    expect(bans.isBanned('203.0.113.9')).toBe(true);
    expect(bans.isBanned('203.0.113.10')).toBe(false);
    // Logs mask the source's last octet (issue 15); the ban list itself (API, UI) names it whole.
    expect(lines.find((l) => l.msg === 'source banned')).toMatchObject({ level: 'warn', ip: '203.0.113.***', failures: 5, offences: 1 });
  });

  it('uses a sliding window: failures spread out never ban', () => {
    const { bans, advance } = world();
    for (let i = 0; i < 50; i++) {
      expect(bans.recordFailure('198.51.100.1').banned).toBe(false);
      advance(2_600); // at most 4 failures in any 10 s
    }
  });

  it('counts failures that fall out of the window no longer', () => {
    const { bans, advance } = world();
    fail(bans, '198.51.100.2', 4);
    advance(10_001);
    expect(bans.recordFailure('198.51.100.2')).toEqual({ banned: false, failures: 1 });
  });

  it('lets the ban expire, then doubles it for a repeat offender up to the cap', () => {
    const { bans, advance, now } = world();
    const ip = '192.0.2.7';
    const durations: number[] = [];
    for (let round = 0; round < 4; round++) {
      const v = fail(bans, ip, 5);
      if (!v?.banned) throw new Error('expected a ban');
      durations.push(v.until - now());
      advance(v.until - now() - 1);
      expect(bans.isBanned(ip)).toBe(true);
      advance(1);
      expect(bans.isBanned(ip)).toBe(false);
    }
    expect(durations).toEqual([60_000, 120_000, 200_000, 200_000]);
  });

  it('forgets offences after the memory period', () => {
    const { bans, advance } = world({ offenceMemoryMs: 100_000 });
    fail(bans, '192.0.2.8', 5);
    advance(200_000);
    const v = fail(bans, '192.0.2.8', 5);
    expect(v).toMatchObject({ banned: true });
    expect(bans.list()[0]).toMatchObject({ offences: 1 });
  });

  it('does not extend a running ban with further failures', () => {
    const { bans, advance } = world();
    const first = fail(bans, '192.0.2.9', 5);
    advance(1000);
    expect(bans.recordFailure('192.0.2.9')).toEqual({ banned: true, until: (first as { until: number }).until, newlyBanned: false });
  });

  it('lists bans with detail and lifts them', () => {
    const { bans, advance, now } = world();
    fail(bans, '192.0.2.1', 5);
    advance(5);
    fail(bans, '2001:db8::1', 5);
    const list = bans.list();
    expect(list.map((b) => b.ip)).toEqual(['2001:db8::1', '192.0.2.1']);
    expect(list[1]).toEqual({ ip: '192.0.2.1', since: now() - 5, until: now() - 5 + 60_000, reason: '5 failed authentications in 10 s', failures: 5, offences: 1, lastUsername: '100' });
    expect(bans.lift('192.0.2.1').ip).toBe('192.0.2.1');
    expect(bans.isBanned('192.0.2.1')).toBe(false);
    expect(bans.list()).toHaveLength(1);
    // lifting forgets history: the next ban is a first offence again
    fail(bans, '192.0.2.1', 5);
    expect(bans.list().find((b) => b.ip === '192.0.2.1')?.offences).toBe(1);
  });

  it('refuses to lift what is not banned, with a 404', () => {
    const { bans } = world();
    fail(bans, '192.0.2.2', 2);
    expect(() => bans.lift('192.0.2.2')).toThrowError(expect.objectContaining({ status: 404, code: 'ban-not-found', message: '192.0.2.2 is not banned' }));
  });

  it('bans by hand for a bounded time', () => {
    const { bans, advance } = world();
    expect(bans.ban('192.0.2.3', 5_000, 'scanner seen in logs')).toMatchObject({ ip: '192.0.2.3', reason: 'scanner seen in logs' });
    expect(bans.isBanned('192.0.2.3')).toBe(true);
    advance(5_000);
    expect(bans.isBanned('192.0.2.3')).toBe(false);
    expect(() => bans.ban('192.0.2.3', 0)).toThrowError(expect.objectContaining({ code: 'invalid-ban-duration' }));
    expect(() => bans.ban('192.0.2.3', Number.NaN)).toThrowError(expect.objectContaining({ code: 'invalid-ban-duration' }));
    expect(() => bans.ban('192.0.2.3', 31 * 24 * 3_600_000)).toThrowError(expect.objectContaining({ code: 'invalid-ban-duration' }));
  });

  it('never bans allow-listed addresses and blocks', () => {
    const { bans } = world({ allow: ['127.0.0.0/8', '10.20.0.0/16', '2001:db8:1::/48', '198.51.100.77'] });
    for (const ip of ['127.0.0.1', '10.20.3.4', '2001:db8:1::5', '198.51.100.77', '::ffff:10.20.9.9']) {
      expect(fail(bans, ip, 20)).toEqual({ banned: false, failures: 0 });
    }
    expect(fail(bans, '10.21.0.1', 5)).toMatchObject({ banned: true });
  });

  it('treats IPv4-mapped IPv6 as the same source', () => {
    const { bans } = world();
    fail(bans, '::ffff:203.0.113.50', 3);
    fail(bans, '203.0.113.50', 2);
    expect(bans.isBanned('::FFFF:203.0.113.50')).toBe(true);
  });

  it('rejects what is not an IP address and changes nothing', () => {
    const { bans } = world();
    for (const bad of ['', 'example.com', '999.1.1.1', '1.2.3.4; DROP TABLE', '1.2.3.4/33']) {
      expect(() => bans.recordFailure(bad)).toThrow(AppError);
      expect(() => bans.lift(bad)).toThrowError(expect.objectContaining({ status: 400, code: 'invalid-ip' }));
    }
    expect(bans.trackedSources).toBe(0);
    expect(() => new BanList({ now: () => 0, log: createLogger({ sink: () => undefined }) }, { allow: ['10.0.0.0/40'] })).toThrowError(
      expect.objectContaining({ code: 'invalid-ip' }),
    );
  });

  it('keeps memory bounded under a scan from many addresses', () => {
    const { bans } = world({ maxSources: 1000 });
    for (let i = 0; i < 5000; i++) bans.recordFailure(`100.64.${i >> 8}.${i & 255}`);
    expect(bans.trackedSources).toBe(1000);
  });

  it('normalises addresses', () => {
    expect(normaliseIp(' 2001:DB8::A ')).toBe('2001:db8::a');
    expect(normaliseIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });
});
