// Issue 18: a remote backup target over SFTP with the host key pinned,
// against a real OpenSSH sshd the test starts on 127.0.0.1 (a free port, its
// own host key, config and authorized_keys): the archive and its .sha256
// arrive and verify; a server presenting another host key is refused with a
// clear error before anything is written, here or there; an unreachable
// server likewise; a missing remote directory is named.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../helpers/ports';
import { startSshd, type TestSshd } from '../../helpers/sshd';
import { tempDir } from '../../helpers/tmp';
import { makeAppliance, type Appliance } from './appliance';

const work = tempDir('korobka-backup-sftp-');
const passFile = path.join(work.dir, 'pass');
let app: Appliance;
let sshd: TestSshd;
let remote: string;
let user: string;
const archives = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('korobka-backup-') || n.startsWith('.korobka-backup-')) : []);

beforeAll(async () => {
  writeFileSync(passFile, 'a long backup passphrase\n', { mode: 0o600 });
  sshd = await startSshd(work.dir, 'sftp');
  ({ remote, user } = sshd);
  app = await makeAppliance('backup-sftp');
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  await app?.cleanup();
  work.cleanup();
});

const sftpArgs = (o: { port?: number; hostKey?: string; dir?: string } = {}) => [
  '--sftp', `sftp://${user}@127.0.0.1:${o.port ?? sshd.port}${o.dir ?? remote}`,
  '--sftp-key', sshd.clientKeyFile,
  '--sftp-host-key', o.hostKey ?? sshd.hostKeyPub,
];

describe('korobka backup --sftp (issue 18)', () => {
  it('uploads the archive and its .sha256 to the server with the pinned host key; the copy verifies', async () => {
    const r = await app.korobka('backup', '--passphrase-file', passFile, ...sftpArgs());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const local = /^backup written: (.*)$/m.exec(r.stdout)![1]!;
    const name = path.basename(local);
    expect(r.stdout).toContain(`uploaded: ${user}@127.0.0.1:${path.join(remote, name)} (and its .sha256)`);
    expect(readdirSync(remote).sort()).toEqual([name, `${name}.sha256`]);
    expect(readFileSync(path.join(remote, name)).equals(readFileSync(local))).toBe(true);
    const v = await app.korobka('backup', '--verify', path.join(remote, name), '--passphrase-file', passFile);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/matches its \.sha256/);
  }, 120_000);

  it('refuses a server whose host key is not the pinned one, before writing anything', async () => {
    const before = { here: archives(path.join(app.dataDir, 'backups')), there: readdirSync(remote) };
    const otherKey = sshd.otherHostKey;
    const r = await app.korobka('backup', '--passphrase-file', passFile, ...sftpArgs({ hostKey: otherKey }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/korobka backup: the SFTP server 127\.0\.0\.1:\d+ presented host key SHA256:\S+, not the pinned SHA256:\S+: refused, nothing was sent .*\[sftp-host-key-mismatch\]/);
    expect(r.stdout).not.toMatch(/backup written/);
    expect(archives(path.join(app.dataDir, 'backups'))).toEqual(before.here);
    expect(readdirSync(remote)).toEqual(before.there);
  }, 60_000);

  it('an unreachable server or a missing directory: a clear error, nothing written', async () => {
    const before = archives(path.join(app.dataDir, 'backups'));
    const closed = await freeTcpPort();
    const r = await app.korobka('backup', '--passphrase-file', passFile, ...sftpArgs({ port: closed }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`korobka backup: cannot reach the SFTP server 127\\.0\\.0\\.1:${closed}: ECONNREFUSED; nothing was sent \\[sftp-unreachable\\]`));
    const m = await app.korobka('backup', '--passphrase-file', passFile, ...sftpArgs({ dir: path.join(work.dir, 'no-such-dir') }));
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/no-such-dir on the SFTP server 127\.0\.0\.1:\d+ is not a directory .*\[sftp-bad-target\]/);
    const bad = await app.korobka('backup', '--passphrase-file', passFile, ...sftpArgs({ hostKey: 'not a key' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--sftp-host-key: expected the server's public host key .*\[sftp-bad-target\]/);
    expect(archives(path.join(app.dataDir, 'backups'))).toEqual(before);
  }, 60_000);
});
