// A real api process (dist/services/api/main.js, as the supervisor runs it)
// on a fresh data directory made by `korobka init`, on a free loopback port,
// with a client that can pick its own loopback source address so tests can
// play several attackers and a legitimate user at once.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { CHILD_CONFIG_ENV } from '../../../appliance/config/child';
import { configSchema } from '../../../appliance/config/schema';
import { freeTcpPort } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
  headers: Record<string, string | string[] | undefined>;
}

export interface ApiProcess {
  port: number;
  dataDir: string;
  ca: Buffer;
  adminName: string;
  /** The first superadmin's one-time password printed by `korobka init`. */
  initialPassword: string;
  proc: Started;
  /** One HTTPS request from the given loopback source address (default 127.0.0.1). */
  request(method: string, url: string, opts?: { body?: unknown; headers?: Record<string, string>; from?: string }): Promise<Reply>;
  /** True while the process runs and answers /api/health. */
  alive(): Promise<boolean>;
  stop(): Promise<void>;
}

/** `prepare` runs on the data directory after `korobka init`, before the api starts. */
export async function startApiProcess(name: string, api: Record<string, unknown> = {}, init: string[] = [], prepare?: (dataDir: string) => void): Promise<ApiProcess> {
  const t = tempDir('korobka-api-');
  const pwFile = path.join(t.dir, 'initial-password');
  const adminName = init[init.indexOf('--admin-name') + 1] ?? 'admin';
  execFileSync(process.execPath, ['dist/appliance/cli/main.js', 'init', '--data-dir', t.dir, '--password-file', pwFile, '--sip-domain', 'default.korobka.test', ...init], { stdio: 'pipe' });
  prepare?.(t.dir);
  const port = await freeTcpPort();
  const config = configSchema.parse({ dataDir: t.dir, api: { host: '127.0.0.1', port, ...api } });
  const proc = startProcess(process.execPath, ['dist/services/api/main.js'], {
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config) },
    logFile: path.join(testOutputDir('api'), `${name}.log`),
    timeoutMs: 300_000,
  });
  const ca = readFileSync(path.join(t.dir, 'tls', 'ca.crt'));
  const request: ApiProcess['request'] = (method, url, opts = {}) => {
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: url,
          ca,
          servername: 'localhost',
          localAddress: opts.from ?? '127.0.0.1',
          agent: false,
          headers: {
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  };
  const alive = async () => proc.child.exitCode === null && proc.child.signalCode === null && (await request('GET', '/api/health').then((r) => r.status > 0, () => false));
  const deadline = Date.now() + 30_000;
  while (!(await alive())) {
    if (proc.child.exitCode !== null) throw new Error(`api exited: ${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`api not answering on ${port}: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    dataDir: t.dir,
    ca,
    adminName,
    initialPassword: readFileSync(pwFile, 'utf8').trim(),
    proc,
    request,
    alive,
    async stop() {
      await proc.stop();
      t.cleanup();
    },
  };
}

/** Signs in and changes the one-time password; returns the session cookie and CSRF token. */
export async function signIn(api: ApiProcess, username: string, password: string, from?: string): Promise<{ cookie: string; csrf: string }> {
  const r = await api.request('POST', '/api/auth/login', { body: { username, password }, from });
  if (r.status !== 200) throw new Error(`sign-in as ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  const cookie = (r.headers['set-cookie'] as string[]).find((c) => c.startsWith('korobka_sid='))!.split(';')[0]!;
  return { cookie, csrf: r.body.csrfToken as string };
}

/** Signs in as the first superadmin and replaces the one-time password; the session stays. */
export async function signInAdmin(api: ApiProcess, newPassword = 'a new and long passphrase 1'): Promise<{ cookie: string; csrf: string }> {
  const s = await signIn(api, api.adminName, api.initialPassword);
  const r = await api.request('POST', '/api/auth/password', {
    body: { currentPassword: api.initialPassword, newPassword },
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
  });
  if (r.status !== 204) throw new Error(`password change failed: ${r.status} ${JSON.stringify(r.body)}`);
  return s;
}
