// A real api over HTTPS on 127.0.0.1 with a temporary SQLite file, plus a
// small client that keeps the session cookie and CSRF token like a browser.
import https from 'node:https';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { configSchema } from '../../appliance/config/schema';
import { licencePort } from '../../appliance/license/licence-service';
import { buildApp, type SupervisorStatus } from '../../services/api';
import { silentLogger, type Logger } from '../../services/common/logger';
import { openStore, type Role, type Store } from '../../services/store';
import { hashPassword } from '../../services/api/password';
import { ensureTls } from '../../provisioning/tls';
import { tempDir } from '../helpers/tmp';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes, for binary answers (audio). */
  raw: Buffer;
}

export class Client {
  private cookie = '';
  csrf = '';
  constructor(
    private readonly port: number,
    private readonly ca: Buffer,
  ) {}

  request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: url,
          ca: this.ca,
          servername: 'localhost',
          headers: {
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'];
            const sid = setCookie?.find((c) => c.startsWith('korobka_sid='));
            if (sid) this.cookie = sid.split(';')[0]!;
            const raw = Buffer.concat(chunks);
            const text = raw.toString();
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, raw });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async login(username: string, password: string): Promise<Reply> {
    const r = await this.request('POST', '/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}

export interface Harness {
  store: Store;
  port: number;
  client(): Client;
  /** Creates a user with a known password that needs no change, returns a signed-in client. */
  as(role: Role, tenantId: number | null, username?: string): Promise<{ client: Client; userId: number }>;
  close(): Promise<void>;
}

let tlsCache: { dir: string; ca: Buffer; cert: Buffer; key: Buffer } | undefined;
function tls() {
  if (!tlsCache) {
    const { dir, cleanup } = tempDir('korobka-tls-');
    process.once('exit', cleanup);
    const r = ensureTls(dir);
    tlsCache = { dir, ca: readFileSync(r.files.caCert), cert: readFileSync(r.files.cert), key: readFileSync(r.files.key) };
  }
  return tlsCache;
}

export const PASSWORD = 'correct horse battery staple';
/** One hash of PASSWORD for every harness: scrypt at OWASP's cost takes a while. */
let hashOnce: Promise<string> | undefined;

export async function startApi(overrides: Record<string, unknown> = {}, opts: { supervisorStatus?: () => SupervisorStatus | null; log?: Logger } = {}): Promise<Harness> {
  const t = tempDir();
  // scrypt at 2^14 keeps the many sign-ins of the api tests quick; the cost
  // itself (2^17 by default) is tested in hardening.test.ts.
  const api = { scryptLogN: 14, ...(overrides.api as Record<string, unknown> | undefined) };
  const config = Object.freeze(configSchema.parse({ dataDir: t.dir, ...overrides, api }));
  const store = openStore(path.join(t.dir, 'korobka.db'));
  const { app } = buildApp({ store, config, log: opts.log ?? silentLogger, licence: licencePort(config, store), supervisorStatus: opts.supervisorStatus ?? (() => null) });
  const { cert, key, ca } = tls();
  const server = https.createServer({ cert, key }, app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  hashOnce ??= hashPassword(PASSWORD, 14);
  const hash = await hashOnce;
  let n = 0;
  return {
    store,
    port,
    client: () => new Client(port, ca),
    async as(role, tenantId, username) {
      const name = username ?? `${role}-${tenantId ?? 'all'}-${++n}`;
      const u = store.users.create({ tenantId, username: name, role, passwordHash: hash });
      const client = new Client(port, ca);
      const r = await client.login(name, PASSWORD);
      if (r.status !== 200) throw new Error(`login as ${name} failed: ${JSON.stringify(r.body)}`);
      return { client, userId: u.id };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
      t.cleanup();
    },
  };
}
