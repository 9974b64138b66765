// Runs the real appliance (korobka init + start) in a temporary data
// directory with every listener on 127.0.0.1 and free ports.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, freeTcpPort, randomPortRange } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';

const run = promisify(execFile);
export const CLI = path.resolve('dist/appliance/cli/main.js');

export interface Appliance {
  dataDir: string;
  ports: { api: number; sip: number; drachtio: number; ng: number; dtmf: number };
  password: string;
  supervisor: Started | null;
  korobka(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  get(url: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the api
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Each probe frees its port before the next one asks, so two probes can hand
 * out the same port (CI once got api.port = drachtio.port and `korobka init`
 * refused the config): ask again until all five differ.
 */
async function distinctPorts(): Promise<{ api: number; sip: number; drachtio: number; ng: number; dtmf: number }> {
  for (let attempt = 1; ; attempt++) {
    const ports = { api: await freeTcpPort(), sip: await freePort(), drachtio: await freeTcpPort(), ng: await freePort(), dtmf: await freePort() };
    if (new Set(Object.values(ports)).size === 5 || attempt === 20) return ports;
  }
}

export async function makeAppliance(name: string, extraConfig: Record<string, unknown> = {}): Promise<Appliance> {
  const t = tempDir('korobka-appliance-');
  const dataDir = t.dir;
  // Every port free and chosen here, the DTMF event port too: other test runs on
  // this machine hold the defaults (22222, 22223) at the same time.
  const ports = await distinctPorts();
  const media = randomPortRange(100);
  const { drachtio: drachtioExtra, rtpengine: rtpengineExtra, sip: sipExtra, ...rest } = extraConfig;
  writeFileSync(
    path.join(dataDir, 'korobka.json'),
    JSON.stringify({
      api: { host: '127.0.0.1', port: ports.api },
      // `sip` settings (security budgets, timers) keep these listeners.
      sip: { ...(sipExtra as Record<string, unknown> | undefined), listen: [{ transport: 'udp', host: '127.0.0.1', port: ports.sip }, { transport: 'tcp', host: '127.0.0.1', port: ports.sip }] },
      drachtio: { ...(drachtioExtra as Record<string, unknown> | undefined), host: '127.0.0.1', port: ports.drachtio },
      rtpengine: { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort: ports.ng, portMin: media.min, portMax: media.max, dtmfLogPort: ports.dtmf, ...(rtpengineExtra as Record<string, unknown> | undefined) },
      supervisor: { restartMinMs: 200, restartMaxMs: 2000 },
      ...rest,
    }),
  );
  const korobka = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [CLI, ...args, '--data-dir', dataDir], { timeout: 90_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };
  const pwFile = path.join(dataDir, 'first-password');
  const init = await korobka('init', '--password-file', pwFile);
  if (init.code !== 0) throw new Error(`korobka init failed: ${init.stderr}${init.stdout}`);
  const password = readFileSync(pwFile, 'utf8').trim();
  const ca = readFileSync(path.join(dataDir, 'tls', 'ca.crt'));
  // The full /api/health (each process's own report) is for superadmins and the box's own tools.
  const healthToken = (): Record<string, string> => {
    try {
      return { 'x-korobka-health-token': readFileSync(path.join(dataDir, 'keys', 'health.token'), 'utf8').trim() };
    } catch {
      return {};
    }
  };
  const get = (url: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the api
      https
        .get({ host: '127.0.0.1', port: ports.api, path: url, ca, servername: 'localhost', headers: healthToken() }, (res) => {
          let s = '';
          res.on('data', (d: Buffer) => (s += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s ? JSON.parse(s) : undefined }));
        })
        .on('error', reject);
    });
  const app: Appliance = {
    dataDir,
    ports,
    password,
    supervisor: null,
    korobka,
    get,
    async start() {
      app.supervisor = startProcess(process.execPath, [CLI, 'start', '--data-dir', dataDir], {
        logFile: path.join(testOutputDir('appliance'), `${name}.log`),
        timeoutMs: 600_000,
      });
      await waitFor(async () => (await get('/api/health').catch(() => ({ status: 0 }))).status === 200, 60_000, 'appliance healthy');
    },
    async cleanup() {
      await app.supervisor?.stop('SIGTERM', 15_000);
      t.cleanup();
    },
  };
  return app;
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
