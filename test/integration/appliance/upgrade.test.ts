// Upgrade with rollback (issue 18), against real appliances on loopback in a
// temporary prefix and data directory, driven by appliance/system/upgrade.sh
// as install.sh drives it:
// - the previous release is built from git: commit 790928e, main at the end of
//   the session that built call flows (2026-12-06 22:27 UTC), whose
//   migrations end at 0051 — the last state before migrations 0060…0095;
// - an upgrade to a copy of today's tree with one more migration that throws
//   fails, is rolled back, and the old release serves calls again;
// - the upgrade to today's code migrates and keeps the data;
// - `korobka rollback` by hand goes back to the old code and its database.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHa1Set } from '../../../services/call-control/auth/digest';
import { openStore } from '../../../services/store';
import { latestVersion } from '../../../services/store/migrate';
import { migrations } from '../../../services/store/migrations';
import { readPid, isAlive } from '../../../appliance/cli/runtime';
import { freePort, freeTcpPort, randomPortRange } from '../../helpers/ports';
import { tempDir } from '../../helpers/tmp';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { registerPhone, startCallee, startCaller, waitFor, type Pbx } from '../call-control/pbx';

const run = promisify(execFile);
const PREVIOUS_RELEASE = '790928e';
const ROOT = path.resolve('.');
const tmp = tempDir('korobka-upgrade-');
const prefix = path.join(tmp.dir, 'opt');
const data = path.join(tmp.dir, 'data');
const releases = path.join(prefix, 'releases');
const SCRIPT = path.join(ROOT, 'appliance', 'system', 'upgrade.sh');
let ports: { api: number; sip: number; drachtio: number; ng: number; dtmf: number };
let domain = '';

async function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const r = await run(cmd, args, { ...opts, timeout: 240_000, maxBuffer: 16 << 20 });
    return { code: 0, out: `${r.stdout}${r.stderr}` };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

// A release directory as install.sh lays it out; node_modules by symlink (seconds, not an npm ci).
function release(name: string, fill: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = path.join(releases, name);
    mkdirSync(dir, { recursive: true });
    await fill(dir);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    return name;
  };
}
const build = async (dir: string) => {
  const b = await sh(process.execPath, ['scripts/build.mjs'], { cwd: dir, env: { ...process.env, KOROBKA_RELEASE: '' } });
  if (b.code !== 0) throw new Error(`build in ${dir}: ${b.out}`);
};
// The source tree as it is here (the checkout under test), without the test-only and built parts.
const copySource = (dir: string) => {
  for (const n of ['appliance', 'services', 'shared', 'licensing', 'provisioning', 'ui', 'scripts', 'package.json', 'tsconfig.json'])
    cpSync(path.join(ROOT, n), path.join(dir, n), { recursive: true });
};

const oldRelease = release('0.1.0-previous', async (dir) => {
  const tar = await sh('bash', ['-c', `git -C "${ROOT}" archive ${PREVIOUS_RELEASE} | tar -x -C "${dir}"`]);
  if (tar.code !== 0) throw new Error(`the previous release ${PREVIOUS_RELEASE} is not in this clone's history (a full clone is needed): ${tar.out}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await build(dir);
  rmSync(path.join(dir, 'node_modules'));
});
const newRelease = release('0.1.0-new', (dir) => {
  copySource(dir);
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
});
const brokenRelease = release('0.1.0-broken', async (dir) => {
  copySource(dir);
  const index = path.join(dir, 'services', 'store', 'migrations', 'index.ts');
  const src = readFileSync(index, 'utf8');
  const patched = src.replace(/\n\];\s*$/, "\n  { version: 9999, name: '9999-throws', up: () => { throw new Error('migration 9999 fails on purpose'); } },\n];\n");
  if (patched === src) throw new Error('could not add the throwing migration to migrations/index.ts');
  writeFileSync(index, patched);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await build(dir);
  rmSync(path.join(dir, 'node_modules'));
});

const korobka = (rel: string, ...args: string[]) => sh(process.execPath, [path.join(releases, rel, 'dist', 'appliance', 'cli', 'main.js'), ...args, '--data-dir', data]);
const upgrade = (rel: string) => sh('bash', [SCRIPT, 'upgrade', '--prefix', prefix, '--data-dir', data, '--release', path.join(releases, rel), '--node', process.execPath, '--health-timeout', '90']);
const current = () => path.basename(readlinkSync(path.join(prefix, 'current')));
const schema = () => {
  const db = new Database(path.join(data, 'korobka.db'), { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const healthStatus = () =>
  new Promise<number>((resolve) => {
    https
      .get({ host: '127.0.0.1', port: ports.api, path: '/api/health', ca: readFileSync(path.join(data, 'tls', 'ca.crt')), servername: 'localhost' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', () => resolve(0));
  });

/** The api answers /api/health 200 (every process up and healthy) within a bound. */
const healthy = async () => {
  await waitFor(async () => (await healthStatus()) === 200, 60_000, '/api/health 200');
  return true;
};

// registerPhone/startCaller need only the SIP port and the domain of a Pbx.
const pbx = () => ({ app: { ports }, domain }) as unknown as Pbx;

/** REGISTER with digest auth, then a call 201 → 202 answered by a sipp phone: the box serves calls. */
async function servesACall(tag: string): Promise<void> {
  const callee = await startCallee(uasScenario('answer'), 1);
  await registerPhone(pbx(), '202', callee.port);
  const caller = await startCaller(pbx(), uacScenario(`upgrade-${tag}`, { answer: true }), '201', '202', { calls: 1, holdMs: 1000 });
  expect(await caller.exited, caller.output()).toBe(0);
  expect(await callee.exited, callee.output()).toBe(0);
}

let OLD = '';
let NEW = '';
let BROKEN = '';

beforeAll(async () => {
  mkdirSync(data, { recursive: true });
  [OLD, NEW, BROKEN] = await Promise.all([oldRelease(), newRelease(), brokenRelease()]);
  symlinkSync(path.join('releases', OLD), path.join(prefix, 'current'));
  ports = { api: await freeTcpPort(), sip: await freePort(), drachtio: await freeTcpPort(), ng: await freePort(), dtmf: await freePort() };
  const media = randomPortRange(100);
  writeFileSync(
    path.join(data, 'korobka.json'),
    JSON.stringify({
      api: { host: '127.0.0.1', port: ports.api },
      sip: { listen: [{ transport: 'udp', host: '127.0.0.1', port: ports.sip }, { transport: 'tcp', host: '127.0.0.1', port: ports.sip }] },
      drachtio: { host: '127.0.0.1', port: ports.drachtio },
      rtpengine: { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort: ports.ng, portMin: media.min, portMax: media.max, dtmfLogPort: ports.dtmf },
      supervisor: { restartMinMs: 200, restartMaxMs: 2000 },
    }),
  );
  // The old release installs the box as install.sh did: init, then the admin adds extensions.
  const init = await korobka(OLD, 'init', '--password-file', path.join(tmp.dir, 'pw'));
  if (init.code !== 0) throw new Error(`old korobka init: ${init.out}`);
  const store = openStore(path.join(data, 'korobka.db'), { migrate: false });
  try {
    const t = store.tenants.defaultTenant()!;
    domain = t.sipDomain;
    for (const ext of ['201', '202']) store.extensions.create({ tenantId: t.id, extension: ext, ha1: computeHa1Set(ext, domain, `pw-${ext}`) });
  } finally {
    store.close();
  }
  const start = await korobka(OLD, 'start', '--daemon');
  if (start.code !== 0) throw new Error(`old korobka start: ${start.out}`);
}, 300_000);

afterAll(async () => {
  await korobka(current(), 'stop');
  const pid = readPid(data);
  if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  tmp.cleanup();
});

describe('upgrade with rollback (install.sh over an existing installation)', () => {
  it('the previous release runs at schema 51 and serves calls', async () => {
    expect(schema()).toBe(51);
    expect(await healthy()).toBe(true);
    await servesACall('old');
  });

  it('an upgrade whose migration throws rolls back to the old release, which still serves calls', async () => {
    const r = await upgrade(BROKEN);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/migration 9999 fails on purpose/);
    expect(r.out).toMatch(/the upgrade to 0\.1\.0 failed: the database migration failed/);
    expect(r.out).toMatch(/korobka upgrade: rolled back to 0\.1\.0 \(0\.1\.0-previous\)/);
    expect(current()).toBe(OLD);
    expect(schema()).toBe(51);
    expect((await korobka(OLD, 'status')).code).toBe(0);
    expect(await healthy()).toBe(true);
    await servesACall('after-rollback');
  });

  it('an upgrade from the previous release to this one migrates and keeps the data', async () => {
    const r = await upgrade(NEW);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/korobka upgrade: now at 0\.1\.0 \(0\.1\.0-new\)/);
    expect(current()).toBe(NEW);
    expect(schema()).toBe(latestVersion(migrations));
    const store = openStore(path.join(data, 'korobka.db'), { migrate: false, readonly: true });
    try {
      expect(store.extensions.list(store.tenants.defaultTenant()!.id).map((e) => e.extension)).toEqual(['201', '202']);
      expect(store.users.list().map((u) => u.username)).toContain('admin');
    } finally {
      store.close();
    }
    expect(await healthy()).toBe(true);
    await servesACall('new');
  });

  it('korobka rollback goes back to the old release and its database by hand', async () => {
    const r = await korobka(NEW, 'rollback');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/korobka rollback: from 0\.1\.0 \(0\.1\.0-new\) to 0\.1\.0 \(0\.1\.0-previous\)/);
    expect(current()).toBe(OLD);
    expect(schema()).toBe(51);
    expect(await healthy()).toBe(true);
    await servesACall('rolled-back');
    const again = await korobka(OLD, 'status');
    expect(again.code).toBe(0);
  });

  it('refuses, changing nothing, a second rollback and a release without a build', async () => {
    const twice = await sh('bash', [SCRIPT, 'rollback', '--prefix', prefix, '--data-dir', data, '--node', process.execPath]);
    expect(twice.code).toBe(1);
    expect(twice.out).toMatch(/korobka rollback: nothing to roll back to: no upgrade recorded in .*upgrade\.state/);
    mkdirSync(path.join(releases, 'empty'));
    const empty = await upgrade('empty');
    expect(empty.code).toBe(1);
    expect(empty.out).toMatch(/korobka upgrade: .*releases\/empty has no dist\/appliance\/cli\/main\.js/);
    expect(current()).toBe(OLD);
    expect(schema()).toBe(51);
    expect((await korobka(OLD, 'status')).code).toBe(0);
  });
});
