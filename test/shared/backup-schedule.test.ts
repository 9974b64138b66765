// The schedule's arithmetic in local time: due slots with one catch-up, the
// stale rule with its grace, and rotation keeping the newest of each of the
// last N days and weeks.
import { describe, expect, it } from 'vitest';
import {
  backupDue,
  backupStale,
  defaultBackupSchedule,
  lastSlot,
  nextSlot,
  rotate,
  type BackupSchedule,
} from '../../shared/backup-schedule';

const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);
const daily: BackupSchedule = {
  ...defaultBackupSchedule,
  enabled: true,
  frequency: 'daily',
  time: '02:30',
  since: local(2026, 11, 1).toISOString(),
};
const weekly: BackupSchedule = { ...daily, frequency: 'weekly', weekday: 0 }; // Sundays

describe('backup schedule slots', () => {
  it('finds the last and next daily slot around the time of day', () => {
    expect(lastSlot(daily, local(2026, 12, 7, 2, 29))).toEqual(local(2026, 12, 6, 2, 30));
    expect(lastSlot(daily, local(2026, 12, 7, 2, 30))).toEqual(local(2026, 12, 7, 2, 30));
    expect(nextSlot(daily, local(2026, 12, 7, 10))).toEqual(local(2026, 12, 8, 2, 30));
  });

  it('finds the weekly slot on its weekday', () => {
    // 2026-12-06 is a Sunday.
    expect(local(2026, 12, 6).getDay()).toBe(0);
    expect(lastSlot(weekly, local(2026, 12, 9, 12))).toEqual(local(2026, 12, 6, 2, 30));
    expect(lastSlot(weekly, local(2026, 12, 6, 1))).toEqual(local(2026, 11, 29, 2, 30));
    expect(nextSlot(weekly, local(2026, 12, 6, 3))).toEqual(local(2026, 12, 13, 2, 30));
  });

  it('is due once per slot, catches up once after the box was off, and never when disabled', () => {
    const now = local(2026, 12, 7, 9);
    expect(backupDue(daily, null, now)).toBe(true);
    expect(backupDue(daily, local(2026, 12, 7, 2, 30), now)).toBe(false);
    expect(backupDue(daily, local(2026, 12, 3, 2, 30), now)).toBe(true); // off for days: one backup now
    expect(backupDue({ ...daily, enabled: false }, null, now)).toBe(false);
    // switched on after today's slot: the first backup waits for tomorrow's
    expect(backupDue({ ...daily, since: local(2026, 12, 7, 8).toISOString() }, null, now)).toBe(false);
  });

  it('is stale past the interval plus two hours, counting from the switch-on before the first backup', () => {
    const now = local(2026, 12, 7, 12);
    expect(backupStale(daily, local(2026, 12, 6, 10, 1), now)).toBe(false);
    expect(backupStale(daily, local(2026, 12, 6, 9, 59), now)).toBe(true);
    expect(backupStale(weekly, local(2026, 12, 1), now)).toBe(false);
    expect(backupStale(daily, null, now)).toBe(true); // since 1 Nov, never a backup
    expect(backupStale({ ...daily, since: local(2026, 12, 7, 11).toISOString() }, null, now)).toBe(false);
    expect(backupStale({ ...daily, enabled: false }, local(2026, 1, 1), now)).toBe(false);
  });
});

describe('backup rotation', () => {
  const at = (id: number, d: Date) => ({ id, finishedAt: d.toISOString() });

  it('keeps the newest of each of the last N days and weeks and removes the rest', () => {
    // Two backups a day for 30 days: ids 1..60, newest last.
    const list = Array.from({ length: 60 }, (_, i) => at(i + 1, local(2026, 11, 7 + Math.floor(i / 2), i % 2 ? 14 : 2)));
    const gone = rotate(list, { keepDaily: 7, keepWeekly: 4 });
    const kept = list.map((b) => b.id).filter((id) => !gone.includes(id));
    // The 7 newest days' later backups: ids 48, 50, …, 60.
    expect(kept.filter((id) => id >= 48)).toEqual([48, 50, 52, 54, 56, 58, 60]);
    // Plus the newest of each of the three weeks before (4 weeks in all, the current one already kept).
    expect(kept.length).toBe(7 + 3);
    for (const id of kept)
      expect(list.find((b) => b.id === id)!.finishedAt).toBe(local(2026, 11, 7 + Math.floor((id - 1) / 2), 14).toISOString());
    expect(gone.length).toBe(50);
  });

  it('always keeps the newest one and removes nothing from a short list', () => {
    expect(rotate([at(1, local(2026, 12, 1)), at(2, local(2026, 12, 2))], { keepDaily: 7, keepWeekly: 4 })).toEqual([]);
    expect(rotate([at(1, local(2026, 12, 1)), at(2, local(2026, 12, 2))], { keepDaily: 0, keepWeekly: 0 })).toEqual([1]);
  });
});
