// The SFTP server of scheduled backups (issue 18), as the Backups page sets it:
// host, port, user, directory, the box's private key (sealed with the
// SecretBox like trunk and SMTP passwords, never returned, never logged or
// audited: the page shows its public half for the server's authorized_keys)
// and the server's host key, which the admin fetches here, compares by its
// SHA-256 fingerprint and pins. The backup job refuses any other key.
import type Router from '@koa/router';
import { loadMasterKey } from '../../../common/keys';
import { SecretBox } from '../../../common/secret-box';
import { BACKUP_SFTP_KEY, fetchHostKey, parseHostKeyLine, parsePrivateKey, SshKeyError } from '../../../common/ssh-keys';
import type { StoredSftpTarget } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { AppError, validationFailed } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { hostKeyInputSchema, type sftpInputSchema } from './schema';
import type { z } from 'zod';

type SftpInput = z.infer<typeof sftpInputSchema>;

/** What the api shows of the target: everything but the private key. */
export function sftpView(t: StoredSftpTarget | undefined) {
  if (!t) return null;
  const { privateKeySealed: _sealed, ...rest } = t;
  return { ...rest, hostKeyFingerprint: parseHostKeyLine(t.hostKey)?.fingerprint ?? null, privateKeySet: true };
}

/** The stored target after this input: the host key checked, a new private key checked and sealed. */
export function sftpFromInput(deps: ApiDeps, input: SftpInput, before: StoredSftpTarget | undefined): StoredSftpTarget {
  const pinned = parseHostKeyLine(input.hostKey);
  if (!pinned) throw validationFailed([{ field: 'sftp.hostKey', message: 'expected the server\'s host key as "ssh-ed25519 AAAA…" (fetch it)' }]);
  let sealed = before?.privateKeySealed;
  let publicKey = before?.publicKey;
  if (input.privateKey !== undefined) {
    try {
      publicKey = parsePrivateKey(input.privateKey).publicLine;
    } catch (e) {
      throw validationFailed([{ field: 'sftp.privateKey', message: e instanceof SshKeyError ? e.message : 'not an SSH private key' }]);
    }
    const box = new SecretBox(loadMasterKey({ dataDir: deps.config.dataDir, masterKeyPath: deps.config.recordings.masterKeyPath }).key, BACKUP_SFTP_KEY.purpose);
    sealed = box.seal(input.privateKey, BACKUP_SFTP_KEY.aad);
  }
  if (!sealed || !publicKey) throw validationFailed([{ field: 'sftp.privateKey', message: 'paste the private key the box logs in with' }]);
  return { host: input.host, port: input.port, username: input.username, dir: input.dir.replace(/(.)\/+$/, '$1'), hostKey: pinned.line, privateKeySealed: sealed, publicKey };
}

export function sftpRoutes(deps: ApiDeps, router: Router<ApiState>): void {
  // Fetching makes the box connect out to the address given: superadmins only, and audited.
  router.post('/sftp/host-key', can(deps, 'backups.write'), async (ctx) => {
    const input = parseInput(hostKeyInputSchema, ctx.state.body);
    const target = `${input.host}:${input.port}`;
    try {
      const key = await fetchHostKey(input.host, input.port);
      audit(deps, ctx, { tenantId: null, action: 'backup.sftp-host-key', target, details: { fingerprint: key.fingerprint } });
      ctx.body = { hostKey: key.line, type: key.type, fingerprint: key.fingerprint };
    } catch (e) {
      audit(deps, ctx, { tenantId: null, action: 'backup.sftp-host-key', target, outcome: 'failed' });
      if (e instanceof SshKeyError) throw new AppError(502, e.code, e.message, { host: input.host, port: input.port });
      throw e;
    }
  });
}
