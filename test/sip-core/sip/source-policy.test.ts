// The flood budgets of sip-core (issue 16 items 7 and 8) with an injected clock.
import { describe, expect, it } from 'vitest';
import { blockListOf, SourcePolicy, subnetKey } from '../../../services/sip-core/sip/transport/source-policy';

function policy() {
  let now = 1_000_000;
  const p = new SourcePolicy({
    trusted: ['127.0.0.1/32', '::1'],
    unauthenticatedPerSource: { perSecond: 10, burst: 20 },
    unauthenticatedGlobal: { perSecond: 100, burst: 50 },
    shedMs: 1000,
    now: () => now,
  });
  return { p, advance: (ms: number) => (now += ms) };
}

describe('subnetKey', () => {
  it('groups IPv4 by /24 and IPv6 by /64 whatever the spelling', () => {
    expect(subnetKey('192.0.2.77')).toBe('192.0.2.0/24');
    expect(subnetKey('2001:db8:0:1::5')).toBe(subnetKey('2001:0db8:0000:0001:ffff::1'));
    expect(subnetKey('2001:db8:0:1::5')).not.toBe(subnetKey('2001:db8:0:2::5'));
    expect(subnetKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('SourcePolicy', () => {
  it('sheds a source over its budget before parsing for shedMs, then lets it try again', () => {
    const { p, advance } = policy();
    for (let i = 0; i < 20; i++) expect(p.admitRequest('192.0.2.1')).toBe('ok');
    expect(p.admitRequest('192.0.2.1')).toBe('source-over-budget');
    expect(p.dropBeforeParse('192.0.2.1')).toBe(true);
    expect(p.dropBeforeParse('192.0.2.2')).toBe(false); // nobody else pays
    advance(1001);
    expect(p.dropBeforeParse('192.0.2.1')).toBe(false);
    expect(p.admitRequest('192.0.2.1')).toBe('ok');
  });

  it('sheds every unauthenticated source briefly when the global budget is spent, but not known or trusted ones', () => {
    const { p, advance } = policy();
    p.markKnown('198.51.100.9');
    let verdict = 'ok';
    for (let i = 0; verdict === 'ok' && i < 1000; i++) verdict = p.admitRequest(`203.0.113.${i % 250}`);
    expect(verdict).toBe('global-over-budget');
    expect(p.dropBeforeParse('203.0.113.251')).toBe(true);
    expect(p.dropBeforeParse('198.51.100.9')).toBe(false);
    expect(p.admitRequest('198.51.100.9')).toBe('ok');
    expect(p.admitRequest('127.0.0.1')).toBe('ok');
    advance(300);
    expect(p.dropBeforeParse('203.0.113.251')).toBe(false);
  });

  it('silences a banned source (never a trusted one) until the time is up', () => {
    const { p, advance } = policy();
    p.silence('192.0.2.5', 5000);
    p.silence('127.0.0.1', 5000);
    expect(p.dropBeforeParse('192.0.2.5')).toBe(true);
    expect(p.dropBeforeParse('127.0.0.1')).toBe(false);
    advance(5001);
    expect(p.dropBeforeParse('192.0.2.5')).toBe(false);
    expect(p.counters.silenced).toBe(1);
  });

  it('refuses garbage in the trusted list', () => {
    expect(() => blockListOf(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => blockListOf(['office'])).toThrow(/not an IP/);
  });
});
