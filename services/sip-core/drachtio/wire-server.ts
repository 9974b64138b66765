// The drachtio admin port: accepts drachtio-srf apps over TCP, authenticates
// them with the shared secret, keeps their route tables and hands `sip` and
// `proxy` commands to the SIP side (notes A.1–A.5).
import net from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../common/logger';
import { AppConnection } from './app-connection';
import { AppRegistry } from './app-registry';
import { FrameDecoder, FrameError } from './frame-decoder';
import { parseWireMessage, type WireMessage } from './leader';

/** srf parses `^v(\d+)\.(\d+)\.(\d+)` and pings only from v0.8.2 on (notes A.10). */
export const WIRE_VERSION = 'v0.9.10-korobka';

const TAG_PATTERN = /^[a-zA-Z0-9\-_+@:]{1,32}$/;
const MAX_TAGS = 20;

export interface AppCommandHandler {
  onSip(conn: AppConnection, msg: WireMessage): void;
  onProxy(conn: AppConnection, msg: WireMessage): void;
  onDisconnect(conn: AppConnection): void;
  /** After a `route` was added (the controller hands orphaned calls to a returning app). */
  onRoute?(conn: AppConnection, verb: string): void;
}

export interface WireServerOptions {
  host: string;
  port: number;
  secret: string;
  log: Logger;
  /** `proto/host:port` lists: public (advertised) and local bind addresses. */
  hostports(): { advertised: string; local: string };
  handler: AppCommandHandler;
  /** Shared with the controller, which picks apps for new requests. */
  registry?: AppRegistry;
  maxPayloadBytes?: number;
  authTimeoutMs?: number;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class WireServer {
  readonly registry: AppRegistry;
  private server: net.Server | undefined;
  private readonly secretDigest: Buffer;
  private readonly sockets = new Set<net.Socket>();
  counters = { connections: 0, authFailures: 0, framingErrors: 0, commands: 0 };

  constructor(private readonly opts: WireServerOptions) {
    this.secretDigest = digest(opts.secret);
    this.registry = opts.registry ?? new AppRegistry();
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    this.opts.log.info('drachtio admin port listening', { host: addr.address, port: addr.port });
    return { host: addr.address, port: addr.port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.counters.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    const conn = new AppConnection(socket);
    const log = this.opts.log.child({ app: conn.id, remote: conn.remote });
    const decoder = new FrameDecoder(this.opts.maxPayloadBytes ?? 16 * 1024 * 1024);
    this.registry.add(conn);
    const authTimer = setTimeout(() => {
      if (!conn.authenticated) {
        log.warn('app did not authenticate in time');
        conn.destroy();
      }
    }, this.opts.authTimeoutMs ?? 10_000);
    socket.on('data', (data) => {
      let payloads: string[];
      try {
        payloads = decoder.push(data);
      } catch (e) {
        this.counters.framingErrors++;
        log.warn('bad frame from app, closing', { code: e instanceof FrameError ? e.code : 'frame-error' });
        conn.destroy();
        return;
      }
      for (const p of payloads) {
        if (conn.closed) return;
        this.dispatch(conn, parseWireMessage(p), log);
      }
    });
    socket.on('error', (err) => log.debug('app socket error', { err: err.message }));
    socket.on('close', () => {
      clearTimeout(authTimer);
      this.sockets.delete(socket);
      this.registry.remove(conn);
      conn.closed = true;
      if (conn.authenticated) {
        log.info('app disconnected');
        this.opts.handler.onDisconnect(conn);
      }
    });
  }

  private dispatch(conn: AppConnection, msg: WireMessage, log: Logger): void {
    this.counters.commands++;
    if (!conn.authenticated) {
      if (msg.type === 'authenticate') return this.authenticate(conn, msg, log);
      log.warn('command before authenticate, closing', { type: msg.type });
      conn.reply(msg.id, ['NO', 'authenticate first']);
      conn.close();
      return;
    }
    switch (msg.type) {
      case 'route':
      case 'remove_route':
        return this.route(conn, msg);
      case 'ping':
        return conn.reply(msg.id, ['OK', 'pong']);
      case 'sip':
        return this.guard(conn, msg, log, () => this.opts.handler.onSip(conn, msg));
      case 'proxy':
        return this.guard(conn, msg, log, () => this.opts.handler.onProxy(conn, msg));
      case 'authenticate':
        return conn.reply(msg.id, ['NO', 'already authenticated']);
      default:
        log.warn('unknown message type from app, closing', { type: msg.type.slice(0, 40) });
        conn.reply(msg.id, ['NO', 'Unknown message type']);
        conn.close();
    }
  }

  /** One bad command must not take the server down: answer NOK and carry on. */
  private guard(conn: AppConnection, msg: WireMessage, log: Logger, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      log.error('app command failed', { type: msg.type, err: e });
      conn.reply(msg.id, ['NOK', e instanceof Error ? e.message.replace(/[|\r\n]/g, ' ') : 'internal error']);
    }
  }

  private authenticate(conn: AppConnection, msg: WireMessage, log: Logger): void {
    const given = digest(msg.tokens[2] ?? '');
    if (!timingSafeEqual(given, this.secretDigest)) {
      this.counters.authFailures++;
      log.warn('app gave an incorrect secret');
      conn.reply(msg.id, ['NO', 'incorrect secret']);
      conn.close();
      return;
    }
    const tags = (msg.tokens[3] ?? '').split(',').filter((t) => t.length > 0);
    if (tags.length > MAX_TAGS || tags.some((t) => !TAG_PATTERN.test(t))) {
      log.warn('app gave invalid tags', { count: tags.length });
      conn.reply(msg.id, ['NO', 'invalid tags']);
      conn.close();
      return;
    }
    conn.authenticated = true;
    conn.tags = tags;
    const hp = this.opts.hostports();
    log.info('app authenticated', { tags });
    conn.reply(msg.id, ['OK', hp.advertised, WIRE_VERSION, hp.local]);
  }

  private route(conn: AppConnection, msg: WireMessage): void {
    const verb = (msg.tokens[2] ?? '').toLowerCase();
    if (!/^[a-z:]{2,32}$/.test(verb)) {
      conn.reply(msg.id, ['NO', 'invalid verb']);
      return;
    }
    if (msg.type === 'route') conn.routes.add(verb);
    else conn.routes.delete(verb);
    conn.reply(msg.id, ['OK']);
    if (msg.type === 'route') this.opts.handler.onRoute?.(conn, verb);
  }
}
