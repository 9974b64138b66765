// A real api process over the built dist/, on a fresh data directory made
// by `korobka init`, listening on a free loopback port.
import https from 'node:https';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { configSchema } from '../../../appliance/config/schema';
import { CHILD_CONFIG_ENV } from '../../../appliance/config/child';
import { freeTcpPort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { execFileSync } from 'node:child_process';

export interface ApiProcess {
  url: string;
  port: number;
  dataDir: string;
  /** The superadmin's one-time password printed by `korobka init`. */
  initialPassword: string;
  proc: Started;
  stop(): Promise<void>;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/api/health', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 503);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** `existing`: run over a data directory the test made (a restored one), with `config` added; it is not removed on stop. */
export async function startApiProcess(name: string, existing?: { dataDir: string; initialPassword: string; config?: Record<string, unknown> }): Promise<ApiProcess> {
  const t = existing ? { dir: existing.dataDir, cleanup: () => undefined } : tempDir('korobka-ui-');
  const pwFile = path.join(t.dir, 'initial-password');
  if (!existing) execFileSync(process.execPath, ['dist/appliance/cli/main.js', 'init', '--data-dir', t.dir, '--password-file', pwFile, '--sip-domain', 'default.korobka.test'], { stdio: 'pipe' });
  const port = await freeTcpPort();
  const config = configSchema.parse({ ...existing?.config, dataDir: t.dir, api: { host: '127.0.0.1', port } });
  const proc = startProcess(process.execPath, ['dist/services/api/main.js'], {
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config) },
    logFile: path.join(testOutputDir('ui', 'logs'), `${name}-api.log`),
    timeoutMs: 300_000,
  });
  const deadline = Date.now() + 20_000;
  while (!(await healthy(port))) {
    if (proc.child.exitCode !== null) throw new Error(`api exited: ${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`api not healthy on ${port}: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `https://localhost:${port}`,
    port,
    dataDir: t.dir,
    initialPassword: existing ? existing.initialPassword : readFileSync(pwFile, 'utf8').trim(),
    proc,
    async stop() {
      await proc.stop();
      t.cleanup();
    },
  };
}
