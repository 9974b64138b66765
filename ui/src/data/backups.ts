import type { backupView } from '../../../services/api/routes/backups';
import type { sftpView } from '../../../services/api/routes/backups/sftp';
import type { BackupSchedule } from '../../../shared/backup-schedule';
import type { Api } from './api';

export type Backup = ReturnType<typeof backupView>;
export type SftpView = NonNullable<ReturnType<typeof sftpView>>;
export type ScheduleView = BackupSchedule & { passphraseSet: boolean; defaultTargetDir: string; nextRunAt: string | null; sftp: SftpView | null };
export interface SftpInput {
  host: string;
  port: number;
  username: string;
  dir: string;
  hostKey: string;
  privateKey?: string;
}
export type ScheduleInput = Omit<BackupSchedule, 'since' | 'targetDir'> & { targetDir: string; passphrase?: string; sftp?: SftpInput };

export const listBackups = (api: Api) =>
  api.get<{ backups: Backup[]; total: number; lastGoodAt: string | null; schedule: ScheduleView }>('/api/backups?limit=50');
export const runBackup = (api: Api) => api.post<{ backup: Backup }>('/api/backups');
export const verifyBackup = (api: Api, id: number) => api.post<{ backup: Backup }>(`/api/backups/${id}/verify`);
export const saveSchedule = (api: Api, s: ScheduleInput) => api.put<{ schedule: ScheduleView }>('/api/backups/schedule', s);
export const fetchHostKey = (api: Api, host: string, port: number) =>
  api.post<{ hostKey: string; type: string; fingerprint: string }>('/api/backups/sftp/host-key', { host, port });
