// GET /api/system and the /api/live WebSocket: figures from the real host,
// the session cookie as the only key, and a feed that stops with the session.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PASSWORD, startApi, type Client, type Harness } from './harness';
import { attachLive } from '../../services/api/routes/system';
import { buildApp } from '../../services/api';
import { configSchema } from '../../appliance/config/schema';
import { licencePort } from '../../appliance/license/licence-service';
import { silentLogger } from '../../services/common/logger';

let h: Harness;
let admin: Client;

beforeAll(async () => {
  h = await startApi();
  admin = (await h.as('superadmin', null, 'live-admin')).client;
});
afterAll(() => h.close());

/** Signs in with a raw request to get the cookie a browser would hold. */
function rawLogin(username: string): Promise<{ cookie: string; csrf: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password: PASSWORD });
    const req = https.request(
      { host: '127.0.0.1', port: h.port, method: 'POST', path: '/api/auth/login', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ cookie: res.headers['set-cookie']![0]!.split(';')[0]!, csrf: JSON.parse(text).csrfToken }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function openLive(headers: Record<string, string>): WebSocket {
  return new WebSocket(`wss://127.0.0.1:${h.port}/api/live`, { headers, rejectUnauthorized: false, handshakeTimeout: 5000 });
}

function refusedWith(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('opened')));
    ws.once('error', () => undefined);
  });
}

describe('GET /api/system', () => {
  it('reports CPU, memory, disk and uptime from this machine, and no fake call figures', async () => {
    const r = await admin.request('GET', '/api/system');
    expect(r.status).toBe(200);
    expect(r.body.cpu.cores).toBeGreaterThan(0);
    expect(r.body.cpu.loadPercent).toBeGreaterThanOrEqual(0);
    expect(r.body.memory.totalBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(r.body.memory.percent).toBeGreaterThan(0);
    expect(r.body.memory.percent).toBeLessThanOrEqual(100);
    expect(r.body.disk.totalBytes).toBeGreaterThan(0);
    expect(r.body.uptimeSeconds).toBeGreaterThan(0);
    expect(r.body.history.length).toBeGreaterThanOrEqual(1);
    expect(r.body.calls).toEqual({ available: false });
    expect(r.body.registrations).toEqual({ available: false });
  });

  it('is refused to an employee', async () => {
    const { client } = await h.as('employee', h.store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id);
    const r = await client.request('GET', '/api/system');
    expect(r.status).toBe(403);
  });

  it('GET /api/live without an upgrade answers 426', async () => {
    const r = await admin.request('GET', '/api/live');
    expect(r.status).toBe(426);
    expect(r.body.code).toBe('upgrade-required');
  });
});

describe('/api/live', () => {
  it('pushes system figures to a signed-in admin, then closes when the session ends', async () => {
    const { cookie, csrf } = await rawLogin('live-admin');
    await admin.request('GET', '/api/system');
    const ws = openLive({ cookie, origin: `https://127.0.0.1:${h.port}`, host: `127.0.0.1:${h.port}` });
    const messages: { type: string; system: { cpu: { cores: number } }; sample: { cpuPercent: number } }[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        messages.push(JSON.parse(String(d)));
        if (messages.length === 2) resolve();
      });
      ws.once('error', reject);
    });
    expect(messages[0]!.type).toBe('system');
    expect(messages[1]!.system.cpu.cores).toBeGreaterThan(0);
    expect(messages[1]!.sample.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(messages[1]!.system).not.toHaveProperty('history');
    // The harness runs without a supervisor: said as null, not as an empty list.
    expect(messages[1]).toHaveProperty('processes', null);
    // Sign that session out: the feed closes at its next push.
    await new Promise<void>((resolve) => {
      https
        .request({ host: '127.0.0.1', port: h.port, method: 'POST', path: '/api/auth/logout', rejectUnauthorized: false, headers: { cookie, 'x-csrf-token': csrf } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .end();
    });
    expect(await closed).toBe(4001);
  });

  it('does not keep a stopping server waiting on open feeds', async () => {
    const h2 = await startApi();
    await h2.as('superadmin', null, 'stop-admin');
    const port = h2.port;
    const { cookie } = await new Promise<{ cookie: string }>((resolve, reject) => {
      const body = JSON.stringify({ username: 'stop-admin', password: PASSWORD });
      https
        .request({ host: '127.0.0.1', port, method: 'POST', path: '/api/auth/login', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ cookie: res.headers['set-cookie']![0]!.split(';')[0]! }));
        })
        .on('error', reject)
        .end(body);
    });
    await new Promise<void>((resolve) => {
      https.get({ host: '127.0.0.1', port, path: '/api/system', rejectUnauthorized: false, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
    });
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/live`, { headers: { cookie }, rejectUnauthorized: false });
    await new Promise((resolve) => ws.once('message', resolve));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    const t0 = Date.now();
    await h2.close();
    await closed;
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('attachLive hands a server to the feed before any request', () => {
    const { routers } = buildApp({ store: h.store, config: configSchema.parse({ dataDir: '/nonexistent' }), log: silentLogger, licence: licencePort(configSchema.parse({ dataDir: '/nonexistent' }), h.store), supervisorStatus: () => null });
    const server = https.createServer();
    expect(server.listenerCount('upgrade')).toBe(0);
    attachLive(server, routers);
    attachLive(server, routers);
    expect(server.listenerCount('upgrade')).toBe(1);
  });

  it('refuses no cookie (401), an employee (403) and a foreign Origin (403)', async () => {
    await admin.request('GET', '/api/system');
    expect(await refusedWith(openLive({}))).toBe(401);
    const tenant = h.store.tenants.create({ name: 'E', sipDomain: 'e.example.ru' }).id;
    await h.as('employee', tenant, 'live-employee');
    const emp = await rawLogin('live-employee');
    expect(await refusedWith(openLive({ cookie: emp.cookie }))).toBe(403);
    const { cookie } = await rawLogin('live-admin');
    expect(await refusedWith(openLive({ cookie, origin: 'https://evil.example' }))).toBe(403);
  });
});

describe('call figures from call-control', () => {
  const now = () => new Date().toISOString();
  const status = (state: 'running' | 'backoff', health: Record<string, unknown> | null) => ({
    pid: 1,
    updatedAt: now(),
    processes: [{ name: 'call-control', state, pid: state === 'running' ? 2 : null, restarts: 0, since: now(), lastExit: null, health }],
  });

  it('shows active calls against the licence and registrations while call-control reports them', async () => {
    let current = status('running', { ok: true, activeCalls: 2, registrations: 5, licence: { profile: 'S', state: 'valid', concurrentCalls: 16 } });
    const hh = await startApi({}, { supervisorStatus: () => current });
    try {
      const { client } = await hh.as('superadmin', null, 'root');
      const r = await client.request('GET', '/api/system');
      expect(r.body.calls).toEqual({ available: true, active: 2, limit: 16, profile: 'S' });
      expect(r.body.registrations).toEqual({ available: true, count: 5 });
      current = status('backoff', null);
      // The monitor samples every few seconds; a GET takes a fresh snapshot.
      await expect.poll(async () => (await client.request('GET', '/api/system')).body.calls, { timeout: 10_000 }).toEqual({ available: false });
    } finally {
      await hh.close();
    }
  });
});
