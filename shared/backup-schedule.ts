// Backup schedules: when the next scheduled backup is due, when the last good
// one counts as stale, and which scheduled archives rotation removes (keep
// the newest of each of the last N days and of the last N weeks, as Wazo's
// daily backups and 3CX's "keep N" do). Pure: the appliance's scheduler acts
// on it, the api and the admin page show the same answers.

export const backupFrequencies = ['daily', 'weekly'] as const;
export type BackupFrequency = (typeof backupFrequencies)[number];

export interface BackupSchedule {
  enabled: boolean;
  frequency: BackupFrequency;
  /** Local time of the box, HH:MM. */
  time: string;
  /** Weekly: 0 = Sunday … 6 = Saturday (Date#getDay). */
  weekday: number;
  /** Newest scheduled archive of each of the last keepDaily days is kept… */
  keepDaily: number;
  /** …and of each of the last keepWeekly weeks (Monday to Sunday). */
  keepWeekly: number;
  /** Where the archives go: a directory on the box, or the SFTP server of the backup.sftp setting. */
  target?: BackupTargetKind;
  /** Where the archives go; null: <dataDir>/backups. */
  targetDir: string | null;
  /** When the schedule was last switched on: staleness before the first backup counts from here. */
  since: string | null;
}

export const backupTargetKinds = ['local', 'sftp'] as const;
export type BackupTargetKind = (typeof backupTargetKinds)[number];

export const defaultBackupSchedule: BackupSchedule = {
  enabled: false,
  frequency: 'daily',
  time: '02:30',
  weekday: 0,
  keepDaily: 7,
  keepWeekly: 4,
  target: 'local',
  targetDir: null,
  since: null,
};

/** A backup may run this late (the box was busy or off) before the alarm says it is stale. */
export const STALE_GRACE_MS = 2 * 3600_000;
const DAY_MS = 24 * 3600_000;

export const intervalMs = (s: Pick<BackupSchedule, 'frequency'>): number => (s.frequency === 'daily' ? DAY_MS : 7 * DAY_MS);

function atTime(day: Date, time: string): Date {
  const [h, m] = time.split(':').map(Number);
  const d = new Date(day);
  d.setHours(h ?? 0, m ?? 0, 0, 0);
  return d;
}

/** The latest scheduled moment at or before `now` (local time). */
export function lastSlot(s: BackupSchedule, now: Date): Date {
  const slot = atTime(now, s.time);
  if (s.frequency === 'weekly') {
    const back = (now.getDay() - s.weekday + 7) % 7;
    slot.setDate(slot.getDate() - back);
  }
  if (slot > now) slot.setDate(slot.getDate() - (s.frequency === 'daily' ? 1 : 7));
  return slot;
}

/** The next scheduled moment after `now`. */
export function nextSlot(s: BackupSchedule, now: Date): Date {
  const slot = lastSlot(s, now);
  slot.setDate(slot.getDate() + (s.frequency === 'daily' ? 1 : 7));
  return slot;
}

/**
 * A scheduled backup is due when the latest slot has passed and no scheduled
 * backup was started since; a box that was off at the slot catches up once
 * (as anacron does), never twice.
 */
export function backupDue(s: BackupSchedule, lastScheduledStart: Date | null, now: Date): boolean {
  if (!s.enabled) return false;
  const slot = lastSlot(s, now);
  if (s.since && slot < new Date(s.since)) return false;
  return !lastScheduledStart || lastScheduledStart < slot;
}

/** Stale: the newest good backup (or, before the first, the switch-on) is older than the interval plus the grace. */
export function backupStale(s: BackupSchedule, lastGood: Date | null, now: Date): boolean {
  if (!s.enabled) return false;
  const from = lastGood ?? (s.since ? new Date(s.since) : null);
  if (!from) return false;
  return now.getTime() - from.getTime() > intervalMs(s) + STALE_GRACE_MS;
}

export interface RotatableBackup {
  id: number;
  finishedAt: string;
}

const dayKey = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
function weekKey(d: Date): string {
  const monday = new Date(d);
  monday.setHours(0, 0, 0, 0);
  monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
  return dayKey(monday);
}

/**
 * The ids rotation removes: of good scheduled backups, each of the last
 * keepDaily days keeps its newest and each of the last keepWeekly weeks its
 * newest; the newest backup of all is always kept.
 */
export function rotate(backups: readonly RotatableBackup[], s: Pick<BackupSchedule, 'keepDaily' | 'keepWeekly'>): number[] {
  const newestFirst = [...backups].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const keep = new Set<number>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  for (const b of newestFirst) {
    const d = new Date(b.finishedAt);
    const day = dayKey(d);
    const week = weekKey(d);
    if (!days.has(day) && days.size < s.keepDaily) {
      days.add(day);
      keep.add(b.id);
    }
    if (!weeks.has(week) && weeks.size < s.keepWeekly) {
      weeks.add(week);
      keep.add(b.id);
    }
  }
  if (newestFirst[0]) keep.add(newestFirst[0].id);
  return newestFirst.filter((b) => !keep.has(b.id)).map((b) => b.id);
}
