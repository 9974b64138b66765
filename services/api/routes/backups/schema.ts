import path from 'node:path';
import { z } from 'zod';
import { backupFrequencies, backupTargetKinds } from '../../../../shared/backup-schedule';
import { MIN_BACKUP_PASSPHRASE } from '../../../common/backup-passphrase';

const host = z
  .string({ message: 'expected a host name or IP address' })
  .trim()
  .max(253, 'expected a host name or IP address')
  .regex(/^[A-Za-z0-9.:-]+$/, 'expected a host name or IP address');

/** The SFTP server of scheduled backups; the private key is write-only (absent: keep the stored one). */
export const sftpInputSchema = z
  .object({
    host,
    port: z.number({ message: 'expected 1–65535' }).int('expected 1–65535').min(1, 'expected 1–65535').max(65535, 'expected 1–65535').default(22),
    username: z
      .string({ message: 'expected a user name' })
      .min(1, 'expected a user name')
      .max(64, 'at most 64 characters')
      .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore and hyphen only'),
    dir: z
      .string({ message: 'must be an absolute directory like /backups/korobka' })
      .max(1024, 'at most 1024 characters')
      .refine((v) => v.startsWith('/') && v !== '/' && !/[\0\n\r]/.test(v) && !v.split('/').includes('..'), 'must be an absolute directory like /backups/korobka'),
    /** The server's host key as fetched and confirmed on the page: `ssh-ed25519 AAAA…`. */
    hostKey: z.string({ message: 'fetch and confirm the server\'s host key' }).min(1, 'fetch and confirm the server\'s host key').max(16_384, 'at most 16384 characters'),
    privateKey: z.string().min(1, 'paste the private key').max(16_384, 'at most 16384 characters').optional(),
  })
  .strict();

export const hostKeyInputSchema = z.object({ host, port: z.number({ message: 'expected 1–65535' }).int('expected 1–65535').min(1, 'expected 1–65535').max(65535, 'expected 1–65535').default(22) }).strict();

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
  /** Where the archives go: the directory (targetDir) or the SFTP server (sftp, or the one stored). */
  target: z.enum(backupTargetKinds, { message: 'must be local or sftp' }).optional(),
  sftp: sftpInputSchema.optional(),
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
