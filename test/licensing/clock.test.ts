import { describe, expect, it } from 'vitest';
import { trustedNow } from '../../licensing/clock';

const t = (s: string) => new Date(s);

describe('trustedNow', () => {
  it('uses the clock when it is not behind the latest time seen', () => {
    expect(trustedNow(t('2027-01-02T00:00:00Z'), t('2027-01-01T00:00:00Z'))).toEqual({ now: t('2027-01-02T00:00:00Z'), rolledBack: false });
    expect(trustedNow(t('2027-01-02T00:00:00Z'), undefined)).toEqual({ now: t('2027-01-02T00:00:00Z'), rolledBack: false });
  });

  it('never runs backwards, and reports a clock set back by more than a day', () => {
    expect(trustedNow(t('2027-01-01T23:00:00Z'), t('2027-01-02T00:00:00Z'))).toEqual({ now: t('2027-01-02T00:00:00Z'), rolledBack: false });
    expect(trustedNow(t('2026-06-01T00:00:00Z'), t('2027-01-02T00:00:00Z'))).toEqual({ now: t('2027-01-02T00:00:00Z'), rolledBack: true });
  });
});
