// Issue 18: a remote backup target over SFTP with the host key pinned,
// against a real OpenSSH sshd the test starts on 127.0.0.1 (a free port, its
// own host key, config and authorized_keys): the archive and its .sha256
// arrive and verify; a server presenting another host key is refused with a
// clear error before anything is written, here or there; an unreachable
// server likewise; a missing remote directory is named.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, waitForTcp } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { makeAppliance, type Appliance } from './appliance';

const SSHD = '/usr/sbin/sshd';
const work = tempDir('korobka-backup-sftp-');
const remote = path.join(work.dir, 'remote-backups');
const passFile = path.join(work.dir, 'pass');
const user = os.userInfo().username;
let app: Appliance;
let sshd: Started;
let port: number;
const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);
const archives = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('korobka-backup-') || n.startsWith('.korobka-backup-')) : []);

beforeAll(async () => {
  if (!existsSync(SSHD)) throw new Error('sshd is missing: install.sh --with-test-tools installs openssh-server');
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  mkdirSync(remote, { mode: 0o700 });
  writeFileSync(passFile, 'a long backup passphrase\n', { mode: 0o600 });
  for (const k of ['host_key', 'other_host_key', 'client_key']) keygen(path.join(work.dir, k));
  writeFileSync(path.join(work.dir, 'authorized_keys'), readFileSync(path.join(work.dir, 'client_key.pub')), { mode: 0o600 });
  port = await freeTcpPort();
  const config = path.join(work.dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(work.dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(work.dir, 'authorized_keys')}`,
      `PidFile ${path.join(work.dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  sshd = startProcess(SSHD, ['-D', '-e', '-f', config], { logFile: path.join(testOutputDir('appliance'), 'sftp-sshd.log'), timeoutMs: 300_000 });
  await waitForTcp(port);
  app = await makeAppliance('backup-sftp');
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  await app?.cleanup();
  work.cleanup();
});

const sftpArgs = (o: { port?: number; hostKey?: string; dir?: string } = {}) => [
  '--sftp', `sftp://${user}@127.0.0.1:${o.port ?? port}${o.dir ?? remote}`,
  '--sftp-key', path.join(work.dir, 'client_key'),
  '--sftp-host-key', o.hostKey ?? path.join(work.dir, 'host_key.pub'),
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
    const otherKey = readFileSync(path.join(work.dir, 'other_host_key.pub'), 'utf8').trim();
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
