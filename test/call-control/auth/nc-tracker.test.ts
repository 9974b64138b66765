import { describe, expect, it } from 'vitest';
import { NcTracker } from '../../../services/call-control/auth/nc-tracker';

describe('NcTracker', () => {
  it('accepts each nc once per nonce', () => {
    const t = new NcTracker({ ttlMs: 1000, maxNonces: 10, maxCountsPerNonce: 10 });
    expect(t.use('n1', 0, 1, 0)).toBe('fresh');
    expect(t.use('n1', 0, 1, 1)).toBe('replay');
    expect(t.use('n2', 0, 1, 1)).toBe('fresh');
  });

  it('forgets nonces once expired', () => {
    const t = new NcTracker({ ttlMs: 1000, maxNonces: 10, maxCountsPerNonce: 10 });
    t.use('n1', 0, 1, 0);
    t.use('n2', 900, 1, 900);
    t.use('n3', 1500, 1, 1500);
    expect(t.size).toBe(2);
  });

  it('after evicting under pressure, refuses older untracked nonces instead of allowing replays', () => {
    const t = new NcTracker({ ttlMs: 60_000, maxNonces: 2, maxCountsPerNonce: 10 });
    t.use('a', 10, 1, 10);
    t.use('b', 20, 1, 20);
    t.use('c', 30, 1, 30); // evicts a (issued at 10)
    expect(t.size).toBe(2);
    expect(t.use('a', 10, 1, 31)).toBe('forgotten');
    expect(t.use('z', 5, 1, 31)).toBe('forgotten');
    expect(t.use('d', 40, 1, 40)).toBe('fresh');
  });

  it('caps the counts remembered per nonce', () => {
    const t = new NcTracker({ ttlMs: 60_000, maxNonces: 2, maxCountsPerNonce: 3 });
    expect([1, 2, 3, 4].map((nc) => t.use('a', 0, nc, 1))).toEqual(['fresh', 'fresh', 'fresh', 'exhausted']);
  });
});
