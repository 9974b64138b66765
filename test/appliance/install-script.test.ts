// install.sh's own checks, run as the installer runs them: which systems it
// accepts (os-release fixtures, including Astra Linux SE), and that the
// systemd unit and logrotate config it writes are valid for those tools.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const INSTALL = path.resolve('install.sh');
const FIXTURES = path.resolve('test/appliance/fixtures/os-release');

function checkOs(fixture: string) {
  const r = spawnSync('bash', [INSTALL, '--check-os', path.join(FIXTURES, fixture)], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

describe('install.sh --check-os', () => {
  it.each([
    ['debian-12', /^Debian GNU\/Linux 12 \(bookworm\)$/],
    ['ubuntu-24.04', /^Ubuntu 24\.04\.1 LTS$/],
    ['astra-se-1.8', /^Astra Linux \(Astra Linux SE 1\.8, Debian 12 based\)$/],
  ])('accepts %s', (fixture, name) => {
    const r = checkOs(fixture);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(name);
  });

  it('refuses Astra Linux SE 1.7, saying it is Debian 10 based without rtpengine and what to do', () => {
    const r = checkOs('astra-se-1.7');
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      'unsupported system Astra Linux: Astra Linux SE 1.7 is built on Debian 10 (buster), which has no rtpengine package and too old a base for Node 20; upgrade to Astra Linux SE 1.8 (Debian 12 based)',
    );
  });

  it.each([
    ['astra-ce-2.12', 'unsupported system Astra Linux (Orel 2.12.46): Debian 12, Ubuntu 22.04+ or Astra Linux SE 1.8 is required'],
    ['debian-10', 'unsupported system Debian GNU/Linux 10 (buster): Debian 12, Ubuntu 22.04+ or Astra Linux SE 1.8 is required'],
    ['no-such-file', `cannot read ${path.join(FIXTURES, 'no-such-file')}: Debian 12, Ubuntu 22.04+ or Astra Linux SE 1.8 is required`],
  ])('refuses %s', (fixture, message) => {
    const r = checkOs(fixture);
    expect(r.code).toBe(1);
    expect(r.out).toBe(message);
  });

  it('checks this machine when no file is given', () => {
    const r = spawnSync('bash', [INSTALL, '--check-os'], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(0); // the test machine is Debian 12
  });
});

describe('what install.sh writes for the system', () => {
  // `daemon`: a user and group every Debian has, so the tools can resolve them.
  const render = (what: string) => execFileSync('bash', [INSTALL, '--data-dir', '/srv/korobka-data', '--prefix', '/opt/kb', '--user', 'daemon', what], { encoding: 'utf8', timeout: 10_000 });

  it('a hardened systemd unit that systemd accepts', () => {
    const unit = render('--print-unit');
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/srv/korobka-data', 'PrivateTmp=yes', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE', 'AmbientCapabilities=CAP_NET_BIND_SERVICE', 'User=daemon', 'Environment=KOROBKA_DATA_DIR=/srv/korobka-data'])
      expect(unit.split('\n')).toContain(line);
    expect(unit).toMatch(/^ExecStart=\/\S+ \/opt\/kb\/current\/dist\/appliance\/cli\/main\.js start$/m);
    expect(unit).not.toMatch(/@[A-Z_]+@/);
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('bash', ['-c', `cat > ${dir}/korobka.service`], { input: unit });
      // systemd-analyze names unknown keys and bad values on stderr; it must have nothing to say but the user check.
      const r = spawnSync('systemd-analyze', ['verify', `${dir}/korobka.service`], { encoding: 'utf8', timeout: 30_000 });
      const complaints = r.stderr.split('\n').filter((l) => l.trim() && /korobka\.service/.test(l));
      expect(complaints).toEqual([]);
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });

  it('a logrotate config for the daemon log that logrotate parses', () => {
    const conf = render('--print-logrotate');
    expect(conf).toMatch(/^\/srv\/korobka-data\/logs\/\*\.log \{$/m);
    expect(conf).toMatch(/^\s+copytruncate$/m);
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    try {
      execFileSync('bash', ['-c', `cat > ${dir}/korobka`], { input: conf });
      // --debug parses and reports what it would do, touching nothing; a syntax error exits non-zero.
      const r = spawnSync('logrotate', ['--debug', '--state', `${dir}/state`, `${dir}/korobka`], { encoding: 'utf8', timeout: 30_000 });
      expect(r.error).toBeUndefined();
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/error:/);
      expect(r.status).toBe(0);
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });
});
