// `korobka backup`: an archive of everything the box holds, and `--verify`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createBackup, type BackupProgress } from '../../backup/create-backup';
import { BackupError } from '../../backup/errors';
import { verifyBackup } from '../../backup/verify-backup';
import { SftpSession, sftpTarget } from '../../backup/sftp-target';
import { existsSync } from 'node:fs';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

const MB = 1024 * 1024;

/** The passphrase from a file (or `-`: standard input), so it is never in the process list or shell history. */
export function readPassphrase(file: string | undefined, required: boolean): string | undefined {
  if (!file) {
    if (required) throw new BackupError('passphrase-missing', 'a backup passphrase is needed: --passphrase-file FILE (or - for standard input)');
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new BackupError('passphrase-missing', `cannot read the passphrase file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pass = text.replace(/\r?\n$/, '');
  if (!pass) throw new BackupError('passphrase-missing', `the passphrase file ${file} is empty`);
  return pass;
}

/** Progress on the terminal: one line rewritten in place on a TTY, a line per phase and every 10 % otherwise. */
export function progressPrinter(label: string): { update: (done: number, total: number, detail?: string) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let lastDraw = 0;
  const started = Date.now();
  return {
    update(done, total, detail = '') {
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      const rate = done / MB / Math.max((Date.now() - started) / 1000, 0.001);
      const line = `${label}: ${pct}% ${(done / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB ${rate.toFixed(1)} MB/s ${detail}`.trimEnd();
      if (tty) {
        if (Date.now() - lastDraw < 100 && pct < 100) return;
        lastDraw = Date.now();
        process.stderr.write(`\r\x1b[K${line}`);
      } else if (Math.floor(pct / 10) !== lastDecile) {
        lastDecile = Math.floor(pct / 10);
        process.stderr.write(line + '\n');
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function printBackupError(verb: string, e: unknown): number {
  if (e instanceof BackupError) {
    printErr(`korobka ${verb}: ${e.message} [${e.code}]`);
    return 1;
  }
  throw e;
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write one archive of the database, recordings, keys, licence and settings; --verify checks one',
  help: `Usage: korobka backup --passphrase-file FILE [--target DIR]
       korobka backup --verify ARCHIVE [--passphrase-file FILE]

Writes korobka-backup-<version>-<time>.tar (and a .sha256 beside it) while the
appliance runs: the database through SQLite's online backup (calls go on),
recordings as they are stored (encrypted), licence, branding, TLS
certificates, and the key material (master key, TLS private keys, secrets,
the config file) sealed under the backup passphrase with scrypt and
AES-256-GCM. A manifest lists the SHA-256 of every file. Keep the passphrase
apart from the archives: without it a backup cannot be restored.

  --passphrase-file FILE  the backup passphrase (first line of FILE; - reads standard input)
  --target DIR            where to write (default <data-dir>/backups; an NFS or SMB mount is a directory)
  --verify ARCHIVE        read ARCHIVE and check every checksum; with the passphrase also
                          its authenticity and the sealed keys
  --sftp sftp://USER@HOST[:PORT]/DIR
                          also upload the archive (and its .sha256) to an SFTP server; the
                          connection, host key and directory are checked before the backup
  --sftp-key FILE         the box's SSH private key for that user (no passphrase)
  --sftp-host-key KEY     the server's host key, pinned: "ssh-ed25519 AAAA…" or a file holding it
                          (its /etc/ssh/ssh_host_ed25519_key.pub); any other key is refused

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, {
      'passphrase-file': { type: 'string' },
      target: { type: 'string' },
      verify: { type: 'string' },
      sftp: { type: 'string' },
      'sftp-key': { type: 'string' },
      'sftp-host-key': { type: 'string' },
    });
    let session: SftpSession | null = null;
    try {
      if (values.verify) {
        if (values.target) throw new UsageError('--target and --verify do not go together');
        const passphrase = readPassphrase(values['passphrase-file'], false);
        const bar = progressPrinter('verifying');
        const v = await verifyBackup(path.resolve(values.verify), { passphrase, onProgress: (p) => bar.update(p.doneBytes, p.totalBytes) }).finally(() => bar.end());
        const m = v.manifest;
        print(`OK ${values.verify}`);
        print(`   Korobka ${m.appVersion}, database schema ${m.schemaVersion}, made ${m.createdAt} on ${m.hostname}`);
        print(`   ${m.files.length} files checked (SHA-256), archive ${(v.bytes / MB).toFixed(1)} MB${v.sidecar ? ', matches its .sha256' : ' (no .sha256 file beside it)'}`);
        print(passphrase ? `   passphrase correct, ${v.secrets!.length} sealed key files readable` : '   not checked without --passphrase-file: the passphrase and the sealed keys');
        return 0;
      }
      const config = configFrom(values);
      const passphrase = readPassphrase(values['passphrase-file'], true)!;
      if (passphrase.length < 8) throw new BackupError('passphrase-missing', 'the backup passphrase must have at least 8 characters');
      if (values.sftp) {
        if (!values['sftp-key'] || !values['sftp-host-key']) throw new UsageError('--sftp needs --sftp-key FILE and --sftp-host-key KEY (the server\'s host key, pinned)');
        const pin = values['sftp-host-key'];
        const hostKey = existsSync(pin) ? readFileSync(pin, 'utf8') : pin;
        // Connect first: a wrong host key or an unreachable server fails before anything is written.
        session = await SftpSession.open(sftpTarget(values.sftp, values['sftp-key'], hostKey));
      }
      const bar = progressPrinter('backup');
      const r = await createBackup({
        config,
        passphrase,
        targetDir: values.target,
        onProgress: (p: BackupProgress) => bar.update(p.doneBytes, p.totalBytes, p.phase === 'database' ? 'database' : `${p.doneFiles}/${p.totalFiles} files`),
      }).finally(() => bar.end());
      print(`backup written: ${r.file}`);
      print(`   ${(r.bytes / MB).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s (${(r.bytes / MB / Math.max(r.ms / 1000, 0.001)).toFixed(1)} MB/s), ${r.manifest.files.length} files, database schema ${r.manifest.schemaVersion}`);
      print(`   SHA-256 ${r.sha256} (also in ${path.basename(r.file)}.sha256)`);
      if (r.skipped.length) print(`   left out: ${r.skipped.slice(0, 5).join(', ')}${r.skipped.length > 5 ? ` and ${r.skipped.length - 5} more` : ''}`);
      if (session) {
        const remote = await session.upload(r.file);
        await session.upload(`${r.file}.sha256`);
        print(`uploaded: ${session.target.username}@${session.target.host}:${remote} (and its .sha256)`);
      }
      return 0;
    } catch (e) {
      return printBackupError('backup', e);
    } finally {
      session?.close();
    }
  },
};
