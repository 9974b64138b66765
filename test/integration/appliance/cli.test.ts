import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { makeAppliance, type Appliance } from './appliance';

let app: Appliance;
beforeAll(async () => {
  app = await makeAppliance('cli');
});
afterAll(async () => app?.cleanup());

describe('korobka command', () => {
  it('has --help on every verb', async () => {
    for (const verb of ['init', 'start', 'stop', 'status', 'doctor', 'admin', 'url', 'backup', 'restore']) {
      const r = await app.korobka(verb, '--help');
      expect(r.code, verb).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: korobka ${verb}`));
    }
  });

  it('answers an unknown verb or option with usage and exit 2', async () => {
    expect((await app.korobka('frobnicate')).code).toBe(2);
    const bad = await app.korobka('status', '--frobnicate');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it('prints every config problem and exits 78', async () => {
    const r = await app.korobka('status', '--set', 'api.port=0', '--set', 'logLevel=loud');
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/--api\.port: api\.port: expected 1–65535, got 0/);
    expect(r.stderr).toMatch(/--logLevel: logLevel: .*"loud"/);
  });

  it('resets an admin password to a new one-time password', async () => {
    const r = await app.korobka('admin', 'reset-password', 'admin');
    expect(r.code).toBe(0);
    const pw = r.stdout.trim().split('\n').pop()!;
    expect(pw).toMatch(/^[A-Za-z0-9]{18}$/);
    expect(pw).not.toBe(app.password);
    expect((await app.korobka('admin', 'reset-password', 'nobody')).code).toBe(1);
  });

  it('doctor names a port another program holds, and what to do', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(app.ports.api, '127.0.0.1', r));
    try {
      const r = await app.korobka('doctor');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`FAIL port +api tcp 127\\.0\\.0\\.1:${app.ports.api} is taken by another program`));
      expect(r.stdout).toMatch(/OK {3}database/);
      expect(r.stdout).toMatch(/OK {3}audit log +\d+ rows, hash chain intact/);
      expect(r.stdout).toMatch(/OK {3}rtpengine/);
    } finally {
      blocker.close();
    }
  });

  it('start refuses, naming the port, when one it needs is taken, and starts nothing', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(app.ports.dtmf, '127.0.0.1', r));
    try {
      const r = await app.korobka('start', '--daemon');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Korobka not started: a port it needs is not free');
      expect(r.stderr).toContain(`dtmf events udp 127.0.0.1:${app.ports.dtmf} is taken by another program (set by rtpengine.dtmfLogPort)`);
      expect(existsSync(path.join(app.dataDir, 'run', 'korobka.pid'))).toBe(false);
      expect(existsSync(path.join(app.dataDir, 'run', 'status.json'))).toBe(false);
      // Nothing of the appliance answers: the api port is still free to bind.
      const probe = net.createServer();
      await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(app.ports.api, '127.0.0.1', resolve));
      probe.close();
    } finally {
      blocker.close();
    }
  });

  it('start refuses an uninitialised data directory', async () => {
    const r = await app.korobka('start', '--set', 'dataDir=/tmp/korobka-never-initialised');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not initialised: run `korobka init` first/);
    expect(existsSync('/tmp/korobka-never-initialised')).toBe(false);
  });
});
