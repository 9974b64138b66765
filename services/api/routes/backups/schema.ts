import path from 'node:path';
import { z } from 'zod';
import { backupFrequencies } from '../../../../shared/backup-schedule';
import { MIN_BACKUP_PASSPHRASE } from '../../../common/backup-passphrase';

export const scheduleInputSchema = z.object({
  enabled: z.boolean({ message: 'must be true or false' }),
  frequency: z.enum(backupFrequencies, { message: 'must be daily or weekly' }),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 02:30'),
  weekday: z
    .number({ message: 'must be 0 (Sunday) to 6' })
    .int('must be 0 (Sunday) to 6')
    .min(0, 'must be 0 (Sunday) to 6')
    .max(6, 'must be 0 (Sunday) to 6')
    .default(0),
  keepDaily: z.number({ message: 'must be 0–366' }).int('must be 0–366').min(0, 'must be 0–366').max(366, 'must be 0–366'),
  keepWeekly: z.number({ message: 'must be 0–520' }).int('must be 0–520').min(0, 'must be 0–520').max(520, 'must be 0–520'),
  /** A directory on the box (an NFS or SMB mount is one); empty or null: <data dir>/backups. */
  targetDir: z
    .string()
    .max(4096, 'at most 4096 characters')
    .refine(
      (v) => v === '' || (path.isAbsolute(v) && !/[\0\n]/.test(v) && !v.split('/').includes('..')),
      'must be an absolute directory path like /mnt/backup',
    )
    .nullable()
    .optional(),
  /** Set or change the passphrase the box seals its backups with; absent: keep the one set. */
  passphrase: z
    .string()
    .min(MIN_BACKUP_PASSPHRASE, `must be at least ${MIN_BACKUP_PASSPHRASE} characters`)
    .max(1024, 'at most 1024 characters')
    .optional(),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number({ message: 'must be 1–200' }).int('must be 1–200').min(1, 'must be 1–200').max(200, 'must be 1–200').default(50),
  offset: z.coerce.number({ message: 'must be 0 or more' }).int('must be 0 or more').min(0, 'must be 0 or more').default(0),
});
