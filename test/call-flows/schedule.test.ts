import { describe, expect, it } from 'vitest';
import { holidayOn, localTime, overlaps, resolveSchedule, scheduleSchema, type ScheduleInput } from '../../services/call-flows';
import { ext } from './helpers';

const office = (over: Partial<ScheduleInput> = {}) =>
  scheduleSchema.parse({
    name: 'Офис',
    timeZone: 'Europe/Moscow',
    branches: [
      { name: 'Будни', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: ext('201') },
      { name: 'Суббота', days: ['sat'], from: '10:00', to: '14:00', destination: ext('202') },
    ],
    closed: { type: 'hangup', status: 480, reason: 'closed' },
    ...over,
  });

describe('resolveSchedule', () => {
  it('Moscow has no DST: 21:00 on a Saturday is closed, 09:00 on a weekday in summer and winter is open', () => {
    const s = office();
    const sat = resolveSchedule(s, new Date('2025-07-05T18:00:00Z'));
    expect(sat).toMatchObject({ state: 'closed', reason: 'outside-hours', local: { weekday: 'sat', time: '21:00', date: '2025-07-05' } });
    expect(resolveSchedule(s, new Date('2025-07-07T06:00:00Z'))).toMatchObject({ state: 'open', branch: 0, label: 'Будни' });
    expect(resolveSchedule(s, new Date('2025-01-13T06:00:00Z'))).toMatchObject({ state: 'open', branch: 0 });
    expect(resolveSchedule(s, new Date('2025-01-13T05:59:00Z'))).toMatchObject({ state: 'closed' });
    expect(resolveSchedule(s, new Date('2025-07-05T08:30:00Z'))).toMatchObject({ state: 'open', branch: 1, destination: ext('202') });
    // `to` is exclusive: 18:00 is closed.
    expect(resolveSchedule(s, new Date('2025-07-07T15:00:00Z')).state).toBe('closed');
  });

  it('a zone with DST follows the clock change (Europe/Berlin, 30 March 2025)', () => {
    const s = office({ timeZone: 'Europe/Berlin' });
    // Friday before the change: CET, UTC+1.
    expect(resolveSchedule(s, new Date('2025-03-28T08:00:00Z')).local.time).toBe('09:00');
    expect(resolveSchedule(s, new Date('2025-03-28T07:30:00Z')).state).toBe('closed');
    // Monday after: CEST, UTC+2 — the same UTC instant is an hour later on the wall.
    expect(resolveSchedule(s, new Date('2025-03-31T07:30:00Z'))).toMatchObject({ state: 'open', local: { time: '09:30' } });
    expect(resolveSchedule(s, new Date('2025-03-31T06:30:00Z'))).toMatchObject({ state: 'closed', local: { time: '08:30' } });
    expect(localTime(new Date('2025-10-27T08:00:00Z'), 'Europe/Berlin').time).toBe('09:00');
  });

  it('holidays: a date, a range, a yearly range across New Year; a holiday destination or closed', () => {
    const s = office({
      holidays: [
        { name: 'День России', from: '2025-06-12', to: null },
        { name: 'Майские', from: '2025-05-01', to: '2025-05-04' },
        { name: 'Новый год', from: '2000-12-31', to: '2000-01-08', yearly: true },
      ],
      holiday: { type: 'hangup', status: 480, reason: 'holiday' },
    });
    expect(resolveSchedule(s, new Date('2025-06-12T08:00:00Z'))).toMatchObject({ state: 'holiday', label: 'День России', destination: { reason: 'holiday' } });
    expect(resolveSchedule(s, new Date('2025-05-02T08:00:00Z')).label).toBe('Майские');
    expect(resolveSchedule(s, new Date('2025-05-05T08:00:00Z')).state).toBe('open');
    expect(resolveSchedule(s, new Date('2026-01-05T08:00:00Z')).label).toBe('Новый год');
    expect(resolveSchedule(s, new Date('2027-12-31T08:00:00Z')).label).toBe('Новый год');
    expect(resolveSchedule(s, new Date('2026-01-09T08:00:00Z')).state).toBe('open');
    // The local date decides: 21:30 UTC on 11 June is 00:30 on 12 June in Moscow.
    expect(holidayOn(s.holidays, localTime(new Date('2025-06-11T21:30:00Z'), 'Europe/Moscow').date)?.name).toBe('День России');
    expect(resolveSchedule(office({ holidays: [{ from: '2025-06-12' }] }), new Date('2025-06-12T08:00:00Z')).destination).toEqual({ type: 'hangup', status: 480, reason: 'closed' });
  });

  it('manual override: day forces the first branch, night forces closed, VIP skips the hours', () => {
    expect(resolveSchedule(office({ override: 'day' }), new Date('2025-07-05T18:00:00Z'))).toMatchObject({ state: 'open', branch: 0, reason: 'override' });
    expect(resolveSchedule(office({ override: 'night' }), new Date('2025-07-07T08:00:00Z'))).toMatchObject({ state: 'closed', reason: 'override' });
    expect(resolveSchedule(office(), new Date('2025-07-05T18:00:00Z'), { vip: true })).toMatchObject({ state: 'open', reason: 'vip' });
  });
});

describe('scheduleSchema', () => {
  it('refuses overlapping branches naming the second one', () => {
    const r = scheduleSchema.safeParse({
      name: 'x',
      branches: [
        { name: 'Утро', days: ['mon', 'tue'], from: '09:00', to: '13:00', destination: ext('201') },
        { name: 'День', days: ['tue'], from: '12:00', to: '18:00', destination: ext('202') },
      ],
      closed: ext('203'),
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['branches.1', "overlaps branches[0] 'Утро' on tue 12:00–13:00"]]);
    expect(overlaps([{ name: 'a', days: ['mon'], from: '09:00', to: '12:00' }, { name: 'b', days: ['mon'], from: '12:00', to: '13:00' }])).toEqual([]);
  });

  it('refuses a bad zone, an empty or backwards branch and a backwards holiday', () => {
    const r = scheduleSchema.safeParse({
      name: 'x',
      timeZone: 'Mars/Olympus',
      branches: [{ name: 'b', days: [], from: '18:00', to: '09:00', destination: ext('201') }],
      holidays: [{ from: '2025-05-04', to: '2025-05-01' }, { from: '2025-02-30' }],
      closed: ext('203'),
    });
    const got = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'timeZone: not a known time zone (e.g. Europe/Moscow)',
        'branches.0.days: pick at least one day',
        'branches.0.to: must be after from (split a night shift into two branches)',
        'holidays.0.to: must not be before from',
        'holidays.1.from: not a calendar date',
      ]),
    );
  });
});
