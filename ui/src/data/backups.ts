import type { backupView } from '../../../services/api/routes/backups';
import type { BackupSchedule } from '../../../shared/backup-schedule';
import type { Api } from './api';

export type Backup = ReturnType<typeof backupView>;
export type ScheduleView = BackupSchedule & { passphraseSet: boolean; defaultTargetDir: string; nextRunAt: string | null };
export type ScheduleInput = Omit<BackupSchedule, 'since' | 'targetDir'> & { targetDir: string; passphrase?: string };

export const listBackups = (api: Api) =>
  api.get<{ backups: Backup[]; total: number; lastGoodAt: string | null; schedule: ScheduleView }>('/api/backups?limit=50');
export const runBackup = (api: Api) => api.post<{ backup: Backup }>('/api/backups');
export const verifyBackup = (api: Api, id: number) => api.post<{ backup: Backup }>(`/api/backups/${id}/verify`);
export const saveSchedule = (api: Api, s: ScheduleInput) => api.put<{ schedule: ScheduleView }>('/api/backups/schedule', s);
