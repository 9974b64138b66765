import { describe, expect, it } from 'vitest';
import type { AnnouncementInput, ScheduleInput } from '../../../services/call-flows';
import { flowWorld } from './flow-world';

const schedule = (over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  name: 'Офис',
  timeZone: 'Europe/Moscow',
  branches: [{ name: 'Будни', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: { type: 'feature', feature: 'ivr', id: 5 } }],
  holidays: [{ name: 'Новый год', from: '2027-01-01', to: '2027-01-08', yearly: true }],
  closed: { type: 'feature', feature: 'announcement', id: 8 },
  ...over,
});
const closedNotice: AnnouncementInput = { name: 'Нерабочее время', prompt: 21 };
const dest = { kind: 'feature', feature: 'schedule', id: '2' } as const;
// Monday 7 December 2026: 12:00 and 21:00 in Moscow (UTC+3).
const mondayNoon = Date.UTC(2026, 11, 7, 9, 0);
const mondayNight = Date.UTC(2026, 11, 7, 18, 0);

describe('schedule', () => {
  it('sends a call in business hours to the open branch', async () => {
    const w = flowWorld({ now: mondayNoon, configs: { '7/schedule/2': schedule({ branches: [{ name: 'Будни', days: ['mon'], from: '09:00', to: '18:00', destination: { type: 'extension', extension: '201' } }] }) } });
    await w.run(dest);
    expect(w.call.path).toEqual(['feature:schedule:2', 'extension:201']);
  });

  it('after hours plays the closed announcement and hangs up', async () => {
    const w = flowWorld({ now: mondayNight, configs: { '7/schedule/2': schedule(), '7/announcement/8': closedNotice } });
    await w.run(dest);
    expect(w.call.path).toEqual(['feature:schedule:2', 'feature:announcement:8']);
    expect(w.actions.log.map((l) => l.action)).toEqual(['answer', 'play']);
    expect(w.a.sent).toEqual(['200', 'BYE']);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', side: 'system', reason: 'announcement' });
  });

  it('a yearly holiday is closed whatever the hour; a VIP caller gets the first branch anyway', async () => {
    const newYear = Date.UTC(2027, 0, 4, 9, 0);
    const w = flowWorld({ now: newYear, configs: { '7/schedule/2': schedule({ holiday: { type: 'hangup', status: 480, reason: 'Holiday' } }) } });
    await w.run(dest);
    expect(w.call.path).toEqual(['feature:schedule:2', 'hangup:480']);
    const vip = flowWorld({ now: newYear, configs: { '7/schedule/2': schedule({ branches: [{ name: 'Будни', days: ['mon'], from: '09:00', to: '18:00', destination: { type: 'extension', extension: '201' } }] }) } });
    vip.call.vip = true;
    await vip.run(dest);
    expect(vip.call.path).toEqual(['feature:schedule:2', 'extension:201']);
  });

  it('the night switch forces closed during the day', async () => {
    const w = flowWorld({ now: mondayNoon, configs: { '7/schedule/2': schedule({ override: 'night', closed: { type: 'extension', extension: '250' } }) } });
    await w.run(dest);
    expect(w.call.path).toEqual(['feature:schedule:2', 'extension:250']);
  });
});

describe('announcement', () => {
  it('continues to its destination after playing', async () => {
    const w = flowWorld({ configs: { '7/announcement/8': { ...closedNotice, then: { action: 'continue', destination: { type: 'extension', extension: '201' } } } } });
    await w.run({ kind: 'feature', feature: 'announcement', id: '8' });
    expect(w.actions.log).toEqual([{ action: 'answer' }, { action: 'play', file: '/prompts/7/21.wav' }, { action: 'answer' }]);
    expect(w.connected).toEqual(['201']);
  });

  it('a prompt deleted since saving refuses the call 480 prompt-missing instead of silence', async () => {
    const w = flowWorld({ configs: { '7/announcement/8': { ...closedNotice, prompt: 404 } } });
    await w.run({ kind: 'feature', feature: 'announcement', id: '8' });
    expect(w.a.sent).toEqual(['480']);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', reason: 'prompt-missing' });
  });

  it('the caller hanging up during the prompt ends it there', async () => {
    const w = flowWorld({ configs: { '7/announcement/8': { ...closedNotice, then: { action: 'continue', destination: { type: 'extension', extension: '201' } } } } });
    w.actions.playOutcome = { kind: 'ended' };
    await w.run({ kind: 'feature', feature: 'announcement', id: '8' });
    expect(w.connected).toEqual([]);
  });
});
