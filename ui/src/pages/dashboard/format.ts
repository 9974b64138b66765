import { formatNumber, t } from '../../i18n';

export function formatBytes(n: number): string {
  const gb = n / 1024 ** 3;
  return gb >= 1 ? t('unit.gb', { n: formatNumber(gb, 1) }) : t('unit.mb', { n: formatNumber(n / 1024 ** 2, 0) });
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return t('unit.daysHours', { d, h });
  if (h > 0) return t('unit.hoursMinutes', { h, m });
  return t('unit.minutes', { m });
}

/** A call's talk time as m:ss (h:mm:ss past an hour), as phones show it. */
export function formatTalkTime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
