// May a new recording start? Call-control asks before it tells rtpengine to
// record; the answer comes from the alarms the recordings service keeps
// current (disk, quotas), so any process with the store can ask. A "no" never
// fails the call: the call goes on unrecorded and the alarm says why.
import { statfsSync } from 'node:fs';

export const ALARM_DISK_HIGH = 'recordings-disk-high';
export const ALARM_DISK_FULL = 'recordings-disk-full';
export const ALARM_QUOTA = 'recordings-quota-exceeded';
export const ALARM_CONVERSION = 'recordings-conversion-failed';
export const ALARM_TRACK_CUT = 'recordings-track-cut';

export type RecordingRefusal = 'disabled' | 'disk-full' | 'quota-exceeded';

export interface ActiveAlarms {
  list(q: { active?: boolean; tenantId?: number }): { rows: Array<{ code: string; tenantId: number | null }> };
}

/** `tenantId` is the tenants table's id. */
export function canRecord(deps: { enabled: boolean; alarms: ActiveAlarms }, tenantId: number): { ok: true } | { ok: false; reason: RecordingRefusal } {
  if (!deps.enabled) return { ok: false, reason: 'disabled' };
  const active = deps.alarms.list({ active: true, tenantId }).rows;
  if (active.some((a) => a.code === ALARM_DISK_FULL)) return { ok: false, reason: 'disk-full' };
  if (active.some((a) => a.code === ALARM_QUOTA && a.tenantId === tenantId)) return { ok: false, reason: 'quota-exceeded' };
  return { ok: true };
}

export interface DiskUsage {
  totalBytes: number;
  freeBytes: number;
  /** What an unprivileged writer cannot use any more, as `df` shows it. */
  usedPercent: number;
}

export function diskUsage(dir: string): DiskUsage {
  const s = statfsSync(dir);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  // df's Use%: used / (used + available to non-root)
  const usedPercent = used + freeBytes === 0 ? 100 : (100 * used) / (used + freeBytes);
  return { totalBytes, freeBytes, usedPercent: Math.round(usedPercent * 10) / 10 };
}
