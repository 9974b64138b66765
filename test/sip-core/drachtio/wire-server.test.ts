// The admin port against real, unmodified drachtio-srf.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { newSrf, type Loose } from './loose-srf';
import { silentLogger } from '../../../services/common/logger';
import { WireServer, type AppCommandHandler } from '../../../services/sip-core/drachtio/wire-server';
import { encodeFrame, FrameDecoder } from '../../../services/sip-core/drachtio/frame-decoder';
import type { AppConnection } from '../../../services/sip-core/drachtio/app-connection';
import type { WireMessage } from '../../../services/sip-core/drachtio/leader';

const SECRET = 'test-secret-ü';
const servers: WireServer[] = [];
const srfs: Loose[] = [];

afterEach(async () => {
  for (const s of srfs.splice(0)) s.disconnect();
  for (const s of servers.splice(0)) await s.close();
});

async function startServer(handler: Partial<AppCommandHandler> = {}) {
  const server = new WireServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    log: silentLogger,
    hostports: () => ({ advertised: 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060', local: 'udp/127.0.0.1:5060,tcp/127.0.0.1:5060' }),
    handler: { onSip: () => undefined, onProxy: () => undefined, onDisconnect: () => undefined, ...handler },
    authTimeoutMs: 500,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

function connectSrf(port: number, secret = SECRET, extra: Record<string, unknown> = {}) {
  const srf = newSrf();
  srfs.push(srf);
  return {
    srf,
    connected: new Promise<{ err: unknown; hostport?: string; version?: string; local?: string }>((resolve) => {
      srf.on('error', () => undefined);
      srf.connect({ host: '127.0.0.1', port, secret, reconnect: { maxAttempts: 1 }, ...extra });
      srf.on('connect', (err: unknown, hostport: string, version: string, local: string) =>
        resolve({ err, hostport, version, local }),
      );
    }),
  };
}

/** A raw client for what srf never sends (garbage, commands before authenticate). */
function rawClient(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  const decoder = new FrameDecoder(1_000_000);
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  sock.on('data', (d) => {
    frames.push(...decoder.push(d));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  sock.on('error', () => undefined);
  return {
    sock,
    closed,
    send: (payload: string) => sock.write(encodeFrame(payload)),
    async next(): Promise<string> {
      while (frames.length === 0) await new Promise<void>((r) => waiters.push(r));
      return frames.shift()!;
    },
  };
}

describe('WireServer with drachtio-srf', () => {
  it('authenticates srf and reports hostports and a v0.9.x version', async () => {
    const { server, port } = await startServer();
    const { connected } = connectSrf(port, SECRET, { tags: ['pbx', 'a-b'] });
    const r = await connected;
    expect(r.err).toBeNull();
    expect(r.hostport).toBe('udp/127.0.0.1:5060,tcp/127.0.0.1:5060');
    expect(r.version).toMatch(/^v0\.9\.\d+/);
    expect(r.local).toBe('udp/127.0.0.1:5060,tcp/127.0.0.1:5060');
    expect(server.registry.authenticatedCount).toBe(1);
    expect(server.registry.all()[0]!.tags).toEqual(['pbx', 'a-b']);
  });

  it('refuses a wrong secret with an error and closes the connection', async () => {
    const { server, port } = await startServer();
    const { connected } = connectSrf(port, 'wrong');
    const r = await connected;
    expect(r.err).toBeInstanceOf(Error);
    expect(server.counters.authFailures).toBe(1);
    expect(server.registry.authenticatedCount).toBe(0);
  });

  it('answers NO|incorrect secret on the wire, then closes', async () => {
    const { port } = await startServer();
    const c = rawClient(port);
    c.send('r1|authenticate|nope|');
    expect(await c.next()).toMatch(/^[0-9a-f-]{36}\|response\|r1\|NO\|incorrect secret$/);
    await c.closed;
  });

  it('records routes from srf handlers and round-robins per method', async () => {
    const { server, port } = await startServer();
    const a = connectSrf(port);
    a.srf.invite(() => undefined);
    a.srf.options(() => undefined);
    await a.connected;
    const b = connectSrf(port);
    b.srf.invite(() => undefined);
    await b.connected;
    await expect.poll(() => server.registry.routedFor('invite').length).toBe(2);
    await expect.poll(() => server.registry.routedFor('options').length).toBe(1);
    const picks = [0, 1, 2, 3].map(() => server.registry.pick('invite')!.id);
    expect(picks[0]).not.toBe(picks[1]);
    expect(picks[0]).toBe(picks[2]);
    expect(picks[1]).toBe(picks[3]);
    expect(server.registry.pick('message')).toBeUndefined();
  });

  it('answers ping and route/remove_route', async () => {
    const { server, port } = await startServer();
    const c = rawClient(port);
    c.send(`r1|authenticate|${SECRET}|`);
    expect(await c.next()).toMatch(/\|response\|r1\|OK\|udp\/127\.0\.0\.1:5060,tcp\/127\.0\.0\.1:5060\|v0\.9\./);
    c.send('r2|ping');
    expect(await c.next()).toMatch(/\|response\|r2\|OK\|pong$/);
    c.send('r3|route|INVITE');
    expect(await c.next()).toMatch(/\|response\|r3\|OK$/);
    expect(server.registry.routedFor('invite')).toHaveLength(1);
    c.send('r4|remove_route|invite');
    expect(await c.next()).toMatch(/\|response\|r4\|OK$/);
    expect(server.registry.routedFor('invite')).toHaveLength(0);
    c.sock.destroy();
  });

  it('hands sip and proxy commands to the handler', async () => {
    const seen: WireMessage[] = [];
    const { port } = await startServer({
      onSip: (_c: AppConnection, m: WireMessage) => seen.push(m),
      onProxy: (_c: AppConnection, m: WireMessage) => seen.push(m),
    });
    const c = rawClient(port);
    c.send(`r1|authenticate|${SECRET}|`);
    await c.next();
    c.send('r2|sip|||\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n');
    c.send('r3|proxy|t1||fullResponse||serial|||sip:x\r\nINVITE sip:x SIP/2.0\r\n\r\n');
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[0]!.sip).toBe('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
    expect(seen[1]!.tokens[2]).toBe('t1');
    c.sock.destroy();
  });

  it.each([
    ['garbage length', (c: ReturnType<typeof rawClient>) => c.sock.write('hello world#')],
    ['a command before authenticate', (c: ReturnType<typeof rawClient>) => c.send('r1|route|invite')],
  ])('closes the connection on %s', async (_name, act) => {
    const { port } = await startServer();
    const c = rawClient(port);
    act(c);
    await c.closed;
  });

  it('closes an unknown message type with NO|Unknown message type', async () => {
    const { port } = await startServer();
    const c = rawClient(port);
    c.send(`r1|authenticate|${SECRET}|`);
    await c.next();
    c.send('r2|frobnicate|x');
    expect(await c.next()).toMatch(/\|response\|r2\|NO\|Unknown message type$/);
    await c.closed;
  });

  it('drops a connection that never authenticates', async () => {
    const { port } = await startServer();
    const c = rawClient(port);
    await c.closed;
  });
});
