// The passphrase scheduled backups are sealed with, kept on the box so the
// appliance can back itself up unattended (as 3CX keeps its backup
// password). It lives in keys/ (mode 0600) beside the master key, never in
// the database, and is itself sealed inside every backup like the rest of keys/.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MIN_BACKUP_PASSPHRASE = 8;

export const backupPassphraseFile = (dataDir: string) => path.join(dataDir, 'keys', 'backup.passphrase');

export function readBackupPassphrase(dataDir: string): string | null {
  const file = backupPassphraseFile(dataDir);
  if (!existsSync(file)) return null;
  const pass = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  return pass.length > 0 ? pass : null;
}

export function writeBackupPassphrase(dataDir: string, passphrase: string): void {
  const file = backupPassphraseFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, passphrase + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
