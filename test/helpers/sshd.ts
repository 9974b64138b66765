// A real OpenSSH sshd on 127.0.0.1 for the SFTP backup tests: a free port,
// its own host key (and a second key it does not use, to pin wrongly), a
// client key in its authorized_keys for the user running the test, and a
// directory to upload into. Stopped by pid; its log is kept per test.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeTcpPort, waitForTcp } from './ports';
import { startProcess, testOutputDir, type Started } from './processes';

const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  user: string;
  /** The directory backups go to (mode 0700, empty at start). */
  remote: string;
  /** `ssh-ed25519 AAAA…` of the key the server presents, and of one it does not. */
  hostKey: string;
  otherHostKey: string;
  hostKeyPub: string;
  /** The client's private key file and text (in the server's authorized_keys). */
  clientKeyFile: string;
  clientKey: string;
  stop(): Promise<void>;
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file]);

/** Starts sshd with its files under `dir`; `logName` names its log in the test output. */
export async function startSshd(dir: string, logName: string): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error('sshd is missing: install.sh --with-test-tools installs openssh-server');
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const remote = path.join(dir, 'remote-backups');
  mkdirSync(remote, { mode: 0o700 });
  for (const k of ['host_key', 'other_host_key', 'client_key']) keygen(path.join(dir, k));
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')), { mode: 0o600 });
  const port = await freeTcpPort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const sshd: Started = startProcess(SSHD, ['-D', '-e', '-f', config], { logFile: path.join(testOutputDir('appliance'), `${logName}-sshd.log`), timeoutMs: 600_000 });
  await waitForTcp(port);
  const pub = (k: string) => readFileSync(path.join(dir, `${k}.pub`), 'utf8').trim();
  return {
    port,
    user: os.userInfo().username,
    remote,
    hostKey: pub('host_key'),
    otherHostKey: pub('other_host_key'),
    hostKeyPub: path.join(dir, 'host_key.pub'),
    clientKeyFile: path.join(dir, 'client_key'),
    clientKey: readFileSync(path.join(dir, 'client_key'), 'utf8'),
    stop: async () => {
      await sshd.stop();
    },
  };
}
