// TCP listeners and connections, inbound and outbound. A connection is
// reused for any message to the same remote address and port (RFC 3261
// §18.2.2 for responses, §18.1.1 for requests), and closed on framing errors,
// on idle timeout, or when over the connection limit.
//
// Lock-out defence (issue 16 item 8): idle connections from many addresses
// must not fill the table. Inbound connections are limited per address and
// per IPv4 /24 / IPv6 /64; the last `reservedForKnown` slots are kept for
// sources we have answered 2xx (registered phones, trunks) and trusted ones;
// a connection that carries no complete SIP message within
// `firstMessageTimeoutMs` is closed; CRLF keep-alives (RFC 5626 §4.4.1) keep
// only a proven connection (one that carried a request we answered 2xx) open.
import net from 'node:net';
import type { Logger } from '../../../common/logger';
import type { Destination, ListenerInfo } from '../types';
import { advertisedHostFor, familyOf, normalizeAddress } from './addresses';
import { subnetKey } from './source-policy';
import { StreamFramer } from './stream-framer';
import { TransportUnavailableError } from './transport-unavailable-error';

export interface Connection {
  id: string;
  socket: net.Socket;
  /** The TCP listener this connection is reported under (accepting one, or the same family for outbound). */
  listener: ListenerInfo;
  remoteAddress: string;
  remotePort: number;
  /** We dialled it, or it carried a request we answered 2xx: keep-alives keep it open. */
  proven: boolean;
  write(raw: Buffer): Promise<void>;
}

export interface TcpConnectionsOptions {
  maxMessageBytes: number;
  idleTimeoutMs: number;
  /** A started message must be complete within this time (slow senders hold no connection for long). */
  messageTimeoutMs: number;
  /** An inbound connection must have carried one complete message by then. */
  firstMessageTimeoutMs: number;
  maxConnections: number;
  /** Slots only known or trusted sources may take. */
  reservedForKnown: number;
  maxPerSource: number;
  maxPerSubnet: number;
  isTrusted(address: string): boolean;
  isKnown(address: string): boolean;
  log: Logger;
  onFrame(raw: Buffer, conn: Connection): void;
  onFramingError(code: string, conn: Connection): void;
  onRefused(): void;
}

const CONNECT_TIMEOUT_MS = 5000;

export class TcpConnections {
  private readonly servers: Array<{ info: ListenerInfo; server: net.Server }> = [];
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  /** Inbound connections per remote address, and per /24 or /64. */
  private readonly perSource = new Map<string, number>();
  private readonly perSubnet = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly opts: TcpConnectionsOptions) {}

  async listen(spec: { host: string; port: number }, publicAddress?: string): Promise<void> {
    const family = familyOf(spec.host);
    const server = net.createServer((socket) => this.accept(socket, info));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host, port: spec.port, ipv6Only: family === 6 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    const info: ListenerInfo = {
      id: `tcp:${spec.host}:${port}`,
      transport: 'tcp',
      host: spec.host,
      port,
      family,
      advertisedHost: advertisedHostFor(spec.host, family, publicAddress),
      advertisedPort: port,
    };
    server.on('error', (err) => this.opts.log.warn('sip tcp listener error', { listener: info.id, err }));
    this.servers.push({ info, server });
  }

  listenerInfos(): ListenerInfo[] {
    return this.servers.map((s) => s.info);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  /** The connection carried a request we answered 2xx: a phone or trunk, not a slot-holder. */
  markProven(id: string): void {
    const conn = this.byId.get(id);
    if (conn) conn.proven = true;
  }

  /** The open connection to `dest` (by id, then by remote address), or a new outbound one. */
  async connectionFor(dest: Destination): Promise<Connection> {
    const byId = dest.connectionId ? this.byId.get(dest.connectionId) : undefined;
    if (byId) return byId;
    const key = remoteKey(dest.address, dest.port);
    const open = this.byRemote.get(key);
    if (open) return open;
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const p = this.connect(dest).finally(() => this.connecting.delete(key));
    this.connecting.set(key, p);
    return p;
  }

  async close(): Promise<void> {
    for (const c of this.byId.values()) c.socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.server.close(() => r()))));
    this.servers.length = 0;
  }

  private async connect(dest: Destination): Promise<Connection> {
    const family = familyOf(dest.address);
    const listener = this.servers.find((s) => s.info.family === family)?.info;
    if (!listener) throw new TransportUnavailableError(`no tcp listener for IPv${family}`);
    if (this.byId.size >= this.opts.maxConnections) throw new TransportUnavailableError('too many tcp connections');
    const socket = net.connect({ host: dest.address, port: dest.port, family });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportUnavailableError(`tcp connect to ${dest.address}:${dest.port} timed out`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new TransportUnavailableError(`tcp connect to ${dest.address}:${dest.port} failed: ${err.message}`));
      });
    });
    return this.track(socket, listener, true);
  }

  private accept(socket: net.Socket, listener: ListenerInfo): void {
    const remote = normalizeAddress(socket.remoteAddress ?? '');
    if (!this.admits(remote)) {
      this.opts.onRefused();
      socket.destroy();
      return;
    }
    const subnet = subnetKey(remote);
    bump(this.perSource, remote, 1);
    bump(this.perSubnet, subnet, 1);
    socket.once('close', () => {
      bump(this.perSource, remote, -1);
      bump(this.perSubnet, subnet, -1);
    });
    this.track(socket, listener, false);
  }

  private admits(remote: string): boolean {
    if (this.byId.size >= this.opts.maxConnections) return false;
    if (this.opts.isTrusted(remote)) return true;
    if ((this.perSource.get(remote) ?? 0) >= this.opts.maxPerSource) return false;
    if ((this.perSubnet.get(subnetKey(remote)) ?? 0) >= this.opts.maxPerSubnet) return false;
    return this.opts.isKnown(remote) || this.byId.size < this.opts.maxConnections - this.opts.reservedForKnown;
  }

  private track(socket: net.Socket, listener: ListenerInfo, outbound: boolean): Connection {
    const conn: Connection = {
      id: `tcp-${this.nextId++}`,
      socket,
      listener,
      remoteAddress: normalizeAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      proven: outbound,
      write: (raw) =>
        new Promise<void>((resolve, reject) => {
          if (socket.destroyed) reject(new TransportUnavailableError('tcp connection closed'));
          else socket.write(raw, (err) => (err ? reject(err) : resolve()));
        }),
    };
    const key = remoteKey(conn.remoteAddress, conn.remotePort);
    this.byId.set(conn.id, conn);
    if (!this.byRemote.has(key)) this.byRemote.set(key, conn);
    socket.setNoDelay(true);
    // Idle is judged by what the peer sends, not by socket activity: our own
    // keep-alive pongs and bare CRLFs must not keep a slot-holder alive.
    const idle = setTimeout(() => socket.destroy(), this.opts.idleTimeoutMs);
    // Inbound: the first complete message must come soon (an idle connect holds a slot).
    let firstMessage: NodeJS.Timeout | undefined = outbound
      ? undefined
      : setTimeout(() => {
          this.opts.onFramingError('no-message', conn);
          socket.destroy();
        }, this.opts.firstMessageTimeoutMs);
    const activity = (kind: 'message' | 'keepalive') => {
      if (kind === 'message') {
        clearTimeout(firstMessage);
        firstMessage = undefined;
      }
      if (kind === 'message' || conn.proven) idle.refresh();
    };
    const framer = new StreamFramer(this.opts.maxMessageBytes);
    let deadline: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => {
      this.onData(chunk, framer, conn, activity);
      if (framer.buffered === 0 || socket.destroyed) {
        clearTimeout(deadline);
        deadline = undefined;
      } else if (!deadline) {
        deadline = setTimeout(() => {
          this.opts.onFramingError('message-timeout', conn);
          socket.destroy();
        }, this.opts.messageTimeoutMs);
      }
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      clearTimeout(idle);
      clearTimeout(firstMessage);
    });
    socket.on('error', (err) => this.opts.log.debug('sip tcp connection error', { connection: conn.id, err }));
    socket.on('close', () => {
      this.byId.delete(conn.id);
      if (this.byRemote.get(key) === conn) this.byRemote.delete(key);
    });
    return conn;
  }

  private onData(chunk: Buffer, framer: StreamFramer, conn: Connection, activity: (kind: 'message' | 'keepalive') => void): void {
    framer.push(chunk);
    for (;;) {
      if (conn.socket.destroyed) return;
      const frame = framer.next();
      if (!frame) return;
      if (frame.kind === 'keepalive') {
        activity('keepalive');
        conn.socket.write('\r\n'); // RFC 5626 §4.4.1 pong
      } else if (frame.kind === 'message') {
        activity('message');
        this.opts.onFrame(frame.raw, conn);
      } else {
        this.opts.onFramingError(frame.code, conn);
        conn.socket.destroy();
        return;
      }
    }
  }
}

function remoteKey(address: string, port: number): string {
  return `${address}|${port}`;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
