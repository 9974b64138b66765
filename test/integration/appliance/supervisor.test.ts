// The appliance as an admin runs it: init, start, status, a killed process
// comes back, stop leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeAppliance, waitFor, type Appliance } from './appliance';

const NAMES = ['rtpengine', 'recordings', 'sip-core', 'call-control', 'api', 'mail'];
let app: Appliance;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  app = await makeAppliance('supervisor');
  await app.start();
});
afterAll(async () => app?.cleanup());

describe('appliance', () => {
  it('runs every process and says so in status and health', async () => {
    const st = await app.korobka('status', '--json');
    expect(st.code, st.stdout + st.stderr).toBe(0);
    const status = JSON.parse(st.stdout);
    expect(status.processes.map((p: { name: string }) => p.name)).toEqual(NAMES);
    const h = await app.get('/api/health');
    expect(h.body.ok).toBe(true);
    expect(h.body.processes.every((p: { state: string; healthy: boolean }) => p.state === 'running' && p.healthy)).toBe(true);
    // call-control is healthy only once its drachtio-srf connection to sip-core is up.
    const cc = h.body.processes.find((p: { name: string }) => p.name === 'call-control');
    expect(cc.health).toMatchObject({ ok: true, listening: expect.stringContaining(`127.0.0.1:${app.ports.sip}`) });
    const text = await app.korobka('status');
    for (const n of NAMES) expect(text.stdout).toMatch(new RegExp(`^${n}\\s+running`, 'm'));
  });

  for (const name of NAMES) {
    it(`restarts ${name} after it is killed`, async () => {
      const before = (await app.get('/api/health').catch(() => null))?.body ?? JSON.parse((await app.korobka('status', '--json')).stdout);
      const proc = before.processes.find((p: { name: string }) => p.name === name);
      process.kill(proc.pid, 'SIGKILL');
      await waitFor(
        async () => {
          const s = JSON.parse((await app.korobka('status', '--json')).stdout);
          const p = s.processes.find((x: { name: string }) => x.name === name);
          return p.pid !== proc.pid && p.state === 'running' && p.restarts === proc.restarts + 1 && s.ok;
        },
        20_000,
        `${name} back with a new pid`,
      );
      await waitFor(async () => (await app.get('/api/health').catch(() => ({ status: 0 }))).status === 200, 20_000, 'health ok again');
      const after = await app.get('/api/health');
      expect(after.body.processes.find((p: { name: string }) => p.name === name).restarts).toBe(proc.restarts + 1);
    });
  }

  it('init a second time keeps the admin, database and certificate', async () => {
    const r = await app.korobka('init');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/a superadmin exists/);
    expect(r.stdout).toMatch(/kept .*server\.crt/);
    expect(r.stdout).not.toMatch(/one-time password/);
  });

  it('refuses a second start while running', async () => {
    const r = await app.korobka('start');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already running/);
  });

  it('stops cleanly on SIGTERM: no process left, pid file gone', async () => {
    const s = JSON.parse((await app.korobka('status', '--json')).stdout);
    const pids: number[] = s.processes.map((p: { pid: number }) => p.pid);
    const code = await app.supervisor!.stop('SIGTERM', 20_000);
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(path.join(app.dataDir, 'run', 'korobka.pid'))).toBe(false);
    const st = await app.korobka('status');
    expect(st.code).toBe(3);
    expect(st.stdout).toMatch(/not running/);
  });
});
