// UDP, TCP and TLS transports (RFC 3261 §18, §26) for IPv4 and IPv6: listeners from
// config.sip.listen, stream framing, connection reuse, RFC 3581 rport, a
// per-source rate limit, and 400 replies for requests that do not parse.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from '../../../common/logger';
import { parseVia, formatVia } from '../header-values';
import type { SipMessage, SipRequest } from '../message';
import { ParseError } from '../parse-error';
import { parseMessage } from '../parser';
import { createResponse, serializeMessage } from '../serializer';
import type { Destination, ListenerInfo, MessageSource, SendResult, Transport, TransportCounters } from '../types';
import { advertisedHostFor, familyOf, normalizeAddress, randomToken } from './addresses';
import { RateLimiter, defaultRateLimit, type RateLimit } from './rate-limiter';
import { SourcePolicy } from './source-policy';
import { TcpConnections, type Connection, type TlsSettings } from './tcp-connections';
import { TransportUnavailableError } from './transport-unavailable-error';

const UDP_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
const UDP_SEND_BUFFER_BYTES = 2 * 1024 * 1024;

export { TransportUnavailableError };

export interface ListenSpec {
  transport: Transport;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export interface TransportLayerOptions {
  listen: readonly ListenSpec[];
  /** config.sip.publicAddress: advertised in Via/Contact instead of the bound address. */
  publicAddress?: string;
  /** config.sip.maxMessageBytes. */
  maxMessageBytes?: number;
  /** Per-source-address limit; false disables it. */
  rateLimit?: RateLimit | false;
  /**
   * Loopback sources (call-control, sipp in tests and benchmarks) are not
   * rate-limited unless this is false: they are this box's own processes.
   */
  exemptLoopback?: boolean;
  tcpIdleTimeoutMs?: number;
  /** Time a peer has to finish a message it started on a stream (32 s). */
  tcpMessageTimeoutMs?: number;
  maxTcpConnections?: number;
  /** Inbound connections one remote address may hold (loopback exempt unless exemptLoopback is false). */
  maxTcpConnectionsPerSource?: number;
  /** Inbound connections one IPv4 /24 or IPv6 /64 may hold (trusted sources exempt). */
  maxTcpConnectionsPerSubnet?: number;
  /** TCP slots kept for known sources (answered 2xx) and trusted ones. */
  tcpReservedForKnown?: number;
  /** An inbound connection must carry one complete SIP message within this time. */
  tcpFirstMessageTimeoutMs?: number;
  /**
   * Trusted networks, budgets for requests without credentials, silencing of
   * banned sources (source-policy.ts). Default: loopback trusted (unless
   * exemptLoopback is false) and budgets too large to matter.
   */
  policy?: SourcePolicy;
  /** Certificates for TLS listeners and outbound TLS (sip-tls.ts reads them from config.sip.tls). */
  tls?: TlsSettings;
  log: Logger;
}

export type TransportEvents = { message: [msg: SipMessage, source: MessageSource] };

interface UdpListener {
  info: ListenerInfo;
  socket: dgram.Socket;
}

export class TransportLayer extends EventEmitter<TransportEvents> {
  private readonly udp: UdpListener[] = [];
  private readonly tcp: TcpConnections;
  private readonly limiter: RateLimiter | undefined;
  private readonly maxMessageBytes: number;
  private readonly log: Logger;
  readonly policy: SourcePolicy;
  private readonly stats: Omit<TransportCounters, 'tcpConnections' | 'policy'> = {
    parsed: 0, malformed: 0, rejected: 0, dropped: 0, rateLimited: 0, sent: 0, sendErrors: 0, tlsHandshakeErrors: 0,
  };

  constructor(private readonly opts: TransportLayerOptions) {
    super();
    this.log = opts.log;
    this.maxMessageBytes = opts.maxMessageBytes ?? 65_535;
    this.limiter = opts.rateLimit === false ? undefined : new RateLimiter(opts.rateLimit ?? defaultRateLimit);
    const unlimited = { perSecond: 1e9, burst: 1e9 };
    this.policy =
      opts.policy ??
      new SourcePolicy({
        trusted: opts.exemptLoopback === false ? [] : ['127.0.0.0/8', '::1/128'],
        unauthenticatedPerSource: unlimited,
        unauthenticatedGlobal: unlimited,
        shedMs: 1000,
      });
    const policy = this.policy;
    this.tcp = new TcpConnections({
      maxMessageBytes: this.maxMessageBytes,
      idleTimeoutMs: opts.tcpIdleTimeoutMs ?? 600_000,
      messageTimeoutMs: opts.tcpMessageTimeoutMs ?? 32_000,
      firstMessageTimeoutMs: opts.tcpFirstMessageTimeoutMs ?? 32_000,
      maxConnections: opts.maxTcpConnections ?? 2048,
      reservedForKnown: opts.tcpReservedForKnown ?? 0,
      maxPerSource: opts.maxTcpConnectionsPerSource ?? 64,
      maxPerSubnet: opts.maxTcpConnectionsPerSubnet ?? Number.MAX_SAFE_INTEGER,
      isTrusted: (a) => policy.isTrusted(a),
      isKnown: (a) => policy.isKnown(a),
      log: opts.log,
      onFrame: (raw, conn) => this.onStreamMessage(raw, conn),
      onFramingError: (code) => {
        this.stats.malformed++;
        this.stats.dropped++;
        this.log.debug('sip stream closed on framing error', { code });
      },
      onRefused: () => this.stats.dropped++,
      onHandshakeError: (err) => {
        this.stats.tlsHandshakeErrors++;
        this.log.debug('sip tls handshake failed', { err: err.message });
      },
      ...(opts.tls ? { tls: opts.tls } : {}),
    });
  }

  async start(): Promise<void> {
    try {
      for (const spec of this.opts.listen) {
        if (spec.transport === 'udp') await this.bindUdp(spec);
        else if (spec.transport === 'tcp' || spec.transport === 'tls') await this.tcp.listen(spec, this.opts.publicAddress, spec.transport);
        else throw new TransportUnavailableError(`sip.listen: transport ${spec.transport} is not supported yet`);
      }
    } catch (e) {
      // Release what was bound before the failure (a port in use, an unsupported transport).
      await this.stop();
      throw e;
    }
    this.log.info('sip transports listening', { listeners: this.listenerInfos().map((l) => l.id) });
  }

  async stop(): Promise<void> {
    await Promise.all(this.udp.map((l) => new Promise<void>((r) => l.socket.close(() => r()))));
    this.udp.length = 0;
    await this.tcp.close();
  }

  listenerInfos(): ListenerInfo[] {
    return [...this.udp.map((l) => l.info), ...this.tcp.listenerInfos()];
  }

  /** The listener whose address belongs in Via/Contact for this transport (and address family). */
  localFor(transport: Transport, family: 4 | 6 = 4): ListenerInfo | undefined {
    const all = this.listenerInfos().filter((l) => l.transport === transport);
    return all.find((l) => l.family === family) ?? all[0];
  }

  counters(): TransportCounters {
    return { ...this.stats, tcpConnections: this.tcp.size, policy: { ...this.policy.counters, ...this.policy.tracked } };
  }

  /** Drop everything from `address` unread for `ms` (call-control banned it); trusted sources are never silenced. */
  silence(address: string, ms: number): boolean {
    return this.policy.silence(normalizeAddress(address), ms);
  }

  /** Serialize and send. Stream transports reuse a connection to the destination or open one. */
  async send(msg: SipMessage, dest: Destination): Promise<SendResult> {
    return this.sendBytes(serializeMessage(msg), dest, msg);
  }

  /** Sends bytes already serialized (retransmissions of a kept response or ACK); `msg`: what they encode, when known. */
  async sendBytes(raw: Buffer, dest: Destination, msg?: SipMessage): Promise<SendResult> {
    try {
      const result = dest.transport === 'udp' ? await this.sendUdp(raw, dest) : await this.sendStream(raw, dest);
      this.stats.sent++;
      if (msg && provesAuthentication(msg)) this.onAuthenticated(result);
      return result;
    } catch (e) {
      this.stats.sendErrors++;
      throw e;
    }
  }

  /**
   * RFC 3261 §18.2.2 and RFC 3581 §4: where a response goes. Stream: the
   * connection the request came on while it is open, else received/sent-by.
   * Datagram: received (or sent-by host) and rport (or sent-by port, 5060).
   */
  responseDestination(res: SipMessage, source?: MessageSource): Destination {
    const via = res.topVia;
    // The transport the request really came over wins over what its Via claims.
    const transport = source?.transport ?? (via.transport.toLowerCase() as Transport);
    if (transport !== 'udp' && source?.connectionId && this.tcp.get(source.connectionId)) {
      return { transport, address: source.address, port: source.port, connectionId: source.connectionId };
    }
    const address = via.received ?? via.host;
    const port = typeof via.rport === 'number' ? via.rport : (via.port ?? 5060);
    return { transport, address, port };
  }

  private async bindUdp(spec: ListenSpec): Promise<void> {
    const family = familyOf(spec.host);
    // The kernel's default receive buffer (~208 KB, about 100 datagrams) overflows
    // in bursts of a few hundred calls per second, and a lost 180/200 costs a
    // retransmission cycle. The kernel caps this at net.core.rmem_max, which
    // install.sh raises.
    const socket = dgram.createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      ipv6Only: family === 6,
      recvBufferSize: UDP_RECEIVE_BUFFER_BYTES,
      sendBufferSize: UDP_SEND_BUFFER_BYTES,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(spec.port, spec.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const port = socket.address().port;
    const info: ListenerInfo = {
      id: `udp:${spec.host}:${port}`,
      transport: 'udp',
      host: spec.host,
      port,
      family,
      advertisedHost: advertisedHostFor(spec.host, family, this.opts.publicAddress),
      advertisedPort: port,
    };
    const listener: UdpListener = { info, socket };
    socket.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo, info));
    socket.on('error', (err) => this.log.warn('sip udp socket error', { listener: info.id, err }));
    this.udp.push(listener);
  }

  private onDatagram(buf: Buffer, rinfo: dgram.RemoteInfo, local: ListenerInfo): void {
    const address = normalizeAddress(rinfo.address);
    // Before anything else, not even an object: a silenced or shed source costs one lookup.
    if (this.policy.dropBeforeParse(address)) return;
    const source: MessageSource = { transport: 'udp', address, port: rinfo.port, local, receivedAt: Date.now() };
    if (!this.admit(source)) return;
    // Keep-alives (CRLF) carry nothing.
    if (buf.every((b) => b === 0x0d || b === 0x0a)) return;
    this.receive(buf, source, true);
  }

  private onStreamMessage(raw: Buffer, conn: Connection): void {
    const source: MessageSource = {
      transport: conn.transport, address: conn.remoteAddress, port: conn.remotePort, local: conn.listener, connectionId: conn.id, receivedAt: Date.now(),
    };
    if (this.policy.dropBeforeParse(source.address)) return;
    if (!this.admit(source)) return;
    this.receive(raw, source, false);
  }

  private admit(source: MessageSource): boolean {
    if (!this.limiter) return true;
    if (this.policy.isTrusted(source.address)) return true;
    if (this.limiter.allow(source.address)) return true;
    this.stats.rateLimited++;
    return false;
  }

  private receive(raw: Buffer, source: MessageSource, datagram: boolean): void {
    let msg: SipMessage;
    try {
      msg = parseMessage(raw, { maxMessageBytes: this.maxMessageBytes, datagram });
    } catch (e) {
      if (e instanceof ParseError) this.onMalformed(e, source);
      else {
        // A parser bug must not take the process down: count the input as malformed.
        this.stats.malformed++;
        this.stats.dropped++;
        this.log.error('sip parser failed', { err: e, source: `${source.address}:${source.port}` });
      }
      return;
    }
    this.stats.parsed++;
    if (msg.kind === 'request' && !this.admitRequest(msg, source)) return;
    try {
      if (msg.kind === 'request') stampVia(msg, source);
      this.emit('message', msg, source);
    } catch (e) {
      // A bug above us must not take the transport (and every other call) down.
      this.log.error('sip message handler failed', { err: e, callId: msg.headers.get('call-id') });
    }
  }

  /**
   * Requests from sources not yet authenticated (never answered 2xx) share
   * the per-source and global budgets (source-policy.ts), credentials or
   * not: garbage Authorization headers are as cheap to send as none. Over
   * budget they are dropped with no state and no answer: the peer's own
   * retransmission is its retry. ACK never creates work.
   */
  private admitRequest(req: SipRequest, source: MessageSource): boolean {
    if (req.method === 'ACK') return true;
    return this.policy.admitRequest(source.address) === 'ok';
  }

  /** A 2xx to a REGISTER or INVITE went out: its destination is a phone or trunk we serve (reserved TCP capacity, keep-alives honoured). */
  private onAuthenticated(result: SendResult): void {
    this.policy.markKnown(result.destination.address);
    if (result.destination.connectionId) this.tcp.markProven(result.destination.connectionId);
  }

  /** Answer 400 (505 for another version) straight to the source when the request could be read far enough. */
  private onMalformed(e: ParseError, source: MessageSource): void {
    this.stats.malformed++;
    const req = e.partial;
    this.log.debug('sip malformed message', { code: e.code, reason: e.message, source: `${source.address}:${source.port}` });
    // The client matches our answer by its Via branch: without a Via nobody can use it; ACK is never answered.
    const routable = req && req.method !== 'ACK' && req.headers.has('via');
    if (!routable) {
      this.stats.dropped++;
      return;
    }
    const status = e.code === 'version-not-supported' ? 505 : 400;
    const reason = e.message.replace(/[\r\n]+/g, ' ').slice(0, 120);
    // RFC 3581 §4: the 400 names where the request came from like any other answer, so a
    // client behind NAT can match it (and a developer can see which address we saw).
    try {
      stampVia(req, source);
    } catch {
      // A top Via too broken to stamp: answer with it as it came.
    }
    const res = createResponse(req, status, reason, randomToken());
    const dest: Destination = { transport: source.transport, address: source.address, port: source.port };
    if (source.connectionId) dest.connectionId = source.connectionId;
    this.stats.rejected++;
    this.send(res, dest).catch((err: unknown) => this.log.debug('sip 400 not sent', { err }));
  }

  private async sendUdp(raw: Buffer, dest: Destination): Promise<SendResult> {
    const family = familyOf(dest.address);
    const listener = this.udp.find((l) => l.info.family === family);
    if (!listener) throw new TransportUnavailableError(`no udp listener for IPv${family}`);
    await new Promise<void>((resolve, reject) => {
      listener.socket.send(raw, dest.port, dest.address, (err) => (err ? reject(err) : resolve()));
    });
    return { local: listener.info, destination: { ...dest }, raw };
  }

  private async sendStream(raw: Buffer, dest: Destination): Promise<SendResult> {
    if (dest.transport !== 'tcp' && dest.transport !== 'tls') throw new TransportUnavailableError(`transport ${dest.transport} is not supported yet`);
    const conn = await this.tcp.connectionFor(dest);
    await conn.write(raw);
    return {
      local: conn.listener,
      destination: { transport: conn.transport, address: conn.remoteAddress, port: conn.remotePort, connectionId: conn.id },
      raw,
    };
  }
}

/** RFC 3261 §18.2.1, RFC 3581 §4: note where the request really came from in its top Via. */
function stampVia(req: SipMessage, source: MessageSource): void {
  const first = req.headers.get('via');
  if (first === undefined) return;
  const via = parseVia(first);
  const wantsRport = via.rport === null;
  if (via.host === source.address && !wantsRport) return;
  via.received = source.address;
  if (wantsRport) via.rport = source.port;
  req.headers.setFirst('via', formatVia(via));
}

/**
 * A 2xx to a REGISTER or an INVITE: call-control answers these only after
 * digest authentication (or to a trunk it knows). A 200 to OPTIONS proves
 * nothing (anyone gets one).
 */
function provesAuthentication(msg: SipMessage): boolean {
  if (msg.kind !== 'response' || msg.status < 200 || msg.status > 299) return false;
  const method = /^\s*\d+\s+(\S+)/.exec(msg.headers.get('cseq') ?? '')?.[1];
  return method === 'REGISTER' || method === 'INVITE';
}
