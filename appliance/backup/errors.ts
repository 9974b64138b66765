// Errors of backup and restore: a stable kebab code and a message that says
// what happened and what to do. Nothing on the box has changed when one is thrown.
export type BackupErrorCode =
  | 'archive-not-found'
  | 'archive-damaged'
  | 'archive-not-korobka'
  | 'passphrase-wrong'
  | 'passphrase-missing'
  | 'backup-too-new'
  | 'target-disk-full'
  | 'target-not-writable'
  | 'data-dir-not-initialised'
  | 'restore-in-progress'
  | 'stop-failed'
  | 'source-changed'
  | 'sftp-bad-target'
  | 'sftp-host-key-mismatch'
  | 'sftp-auth-failed'
  | 'sftp-unreachable'
  | 'sftp-upload-failed'
  | 'sftp-target-changed';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BackupError';
  }
}
