// TCP and TLS listeners and connections, inbound and outbound. A connection
// is reused for any message to the same transport, remote address and port
// (RFC 3261 §18.2.2 for responses, §18.1.1 for requests), and closed on
// framing errors, on idle timeout, or when over the connection limit.
//
// TLS (RFC 3261 §26.2.1, RFC 5630) is the same stream with a TLS layer: an
// inbound socket is admitted by the same per-source limits before its
// handshake costs any CPU, then wrapped; a handshake that fails (garbage, a
// refused client certificate) closes that socket only, and one that never
// completes is cut by the first-message timer like an idle TCP slot-holder.
//
// Lock-out defence (issue 16 item 8): idle connections from many addresses
// must not fill the table. Inbound connections are limited per address and
// per IPv4 /24 / IPv6 /64; the last `reservedForKnown` slots are kept for
// sources we have answered 2xx (registered phones, trunks) and trusted ones;
// a connection that carries no complete SIP message within
// `firstMessageTimeoutMs` is closed; CRLF keep-alives (RFC 5626 §4.4.1) keep
// only a proven connection (one that carried a request we answered 2xx) open.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../../common/logger';
import type { Destination, ListenerInfo } from '../types';
import { advertisedHostFor, familyOf, normalizeAddress } from './addresses';
import { subnetKey } from './source-policy';
import { StreamFramer } from './stream-framer';
import { TransportUnavailableError } from './transport-unavailable-error';

export type StreamTransport = 'tcp' | 'tls';

export interface Connection {
  id: string;
  transport: StreamTransport;
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
  /** A TLS handshake failed (bad certificate, not TLS at all): counted, the socket closed. */
  onHandshakeError?(err: Error): void;
  /** Certificates and policy for TLS listeners and outbound TLS; without it no TLS. */
  tls?: TlsSettings;
}

export interface TlsSettings {
  /** For TLS listeners: our certificate, key and the protocol policy. */
  server: tls.SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean };
  /** For outbound TLS (trunks, phones we dial): whom we trust and whether we check. */
  client: { ca?: string | Buffer; rejectUnauthorized: boolean } & tls.SecureContextOptions;
}

const CONNECT_TIMEOUT_MS = 5000;

export class TcpConnections {
  private readonly servers: Array<{ info: ListenerInfo; server: net.Server }> = [];
  private serverContext: tls.SecureContext | undefined;
  private readonly tlsServers = new Map<string, tls.Server>();
  /** Inbound sockets whose TLS handshake is under way (not yet in byId): closed on stop. */
  private readonly handshaking = new Set<net.Socket>();
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  /** Inbound connections per remote address, and per /24 or /64. */
  private readonly perSource = new Map<string, number>();
  private readonly perSubnet = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly opts: TcpConnectionsOptions) {}

  async listen(spec: { host: string; port: number }, publicAddress?: string, transport: StreamTransport = 'tcp'): Promise<void> {
    const family = familyOf(spec.host);
    if (transport === 'tls' && !this.serverContext) {
      if (!this.opts.tls) throw new TransportUnavailableError('sip.listen: a tls listener needs sip.tls certificates');
      // Tried once here: a bad certificate or key fails the start, not the first phone.
      this.serverContext = tls.createSecureContext(this.opts.tls.server);
    }
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
      id: `${transport}:${spec.host}:${port}`,
      transport,
      host: spec.host,
      port,
      family,
      advertisedHost: advertisedHostFor(spec.host, family, publicAddress),
      advertisedPort: port,
    };
    if (transport === 'tls') this.tlsServers.set(info.id, this.tlsServerFor(() => info));
    server.on('error', (err) => this.opts.log.warn('sip stream listener error', { listener: info.id, err }));
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
    const key = remoteKey(streamTransport(dest.transport), dest.address, dest.port);
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
    for (const s of this.handshaking) s.destroy();
    this.tlsServers.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.server.close(() => r()))));
    this.servers.length = 0;
  }

  private async connect(dest: Destination): Promise<Connection> {
    const transport = streamTransport(dest.transport);
    const family = familyOf(dest.address);
    const listener = this.servers.find((s) => s.info.family === family && s.info.transport === transport)?.info;
    if (!listener) throw new TransportUnavailableError(`no ${transport} listener for IPv${family}`);
    if (this.byId.size >= this.opts.maxConnections) throw new TransportUnavailableError(`too many ${transport} connections`);
    const client = this.opts.tls?.client;
    // RFC 5922 §7.2: the peer's certificate must name the host we meant; our
    // destinations are addresses here, so the address is what it must name.
    const socket =
      transport === 'tls' && client
        ? tls.connect({ ...client, host: dest.address, port: dest.port, ...(net.isIP(dest.address) ? {} : { servername: dest.address }) })
        : net.connect({ host: dest.address, port: dest.port, family });
    const ready = transport === 'tls' ? 'secureConnect' : 'connect';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportUnavailableError(`${transport} connect to ${dest.address}:${dest.port} timed out`));
      }, CONNECT_TIMEOUT_MS);
      socket.once(ready, () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new TransportUnavailableError(`${transport} connect to ${dest.address}:${dest.port} failed: ${err.message}`));
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
    if (listener.transport !== 'tls') {
      this.track(socket, listener, false);
      return;
    }
    // The handshake runs in a tls.Server of this listener (never listening
    // itself): it applies the certificate policy, and a failure is a
    // tlsClientError there that closes this socket only.
    this.handshaking.add(socket);
    socket.once('close', () => this.handshaking.delete(socket));
    this.tlsServers.get(listener.id)!.emit('connection', socket);
  }

  /** The TLS layer of a tls listener; `secureConnection` is a phone whose handshake completed. */
  private tlsServerFor(listener: () => ListenerInfo): tls.Server {
    const server = this.opts.tls!.server;
    const s = tls.createServer({
      ...server,
      requestCert: server.requestCert ?? false,
      rejectUnauthorized: server.rejectUnauthorized ?? false,
      // A handshake that never finishes holds a slot like an idle TCP connect.
      handshakeTimeout: this.opts.firstMessageTimeoutMs,
    });
    s.on('secureConnection', (secure: tls.TLSSocket) => {
      if (server.rejectUnauthorized && !secure.authorized) {
        this.opts.onHandshakeError?.(new Error(`client certificate refused: ${String(secure.authorizationError)}`));
        secure.destroy();
        return;
      }
      this.track(secure, listener(), false);
    });
    s.on('tlsClientError', (err, secure) => {
      this.opts.onHandshakeError?.(err);
      secure.destroy();
    });
    return s;
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
      id: `${listener.transport}-${this.nextId++}`,
      transport: streamTransport(listener.transport),
      socket,
      listener,
      remoteAddress: normalizeAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      proven: outbound,
      write: (raw) =>
        new Promise<void>((resolve, reject) => {
          if (socket.destroyed) reject(new TransportUnavailableError(`${listener.transport} connection closed`));
          else socket.write(raw, (err) => (err ? reject(err) : resolve()));
        }),
    };
    const key = remoteKey(conn.transport, conn.remoteAddress, conn.remotePort);
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
    socket.on('error', (err) => this.opts.log.debug('sip stream connection error', { connection: conn.id, err }));
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

function remoteKey(transport: StreamTransport, address: string, port: number): string {
  return `${transport}|${address}|${port}`;
}

function streamTransport(t: Destination['transport']): StreamTransport {
  if (t === 'tcp' || t === 'tls') return t;
  throw new TransportUnavailableError(`transport ${t} is not supported yet`);
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
