// The ng control channel to rtpengine: `<cookie> <bencoded dict>` in one UDP
// datagram each way, the reply carrying the request's cookie.
//
// Why our own client instead of npm rtpengine-client: at 200 calls/s (four
// ng round trips per call) replies were lost in bursts and calls failed
// with 503. The bench (bench/calls) showed the datagrams dropped at our
// socket's 208 KB default receive buffer while the event loop was busy,
// and the library neither retransmits nor lets us size the buffer. Here:
// - an 8 MB receive buffer (the kernel caps it at net.core.rmem_max, which
//   install.sh raises);
// - retransmission of the very same datagram, same cookie, after 1 s,
//   doubling, until the deadline. rtpengine keeps the reply of every cookie
//   for 30–60 s and a retransmission that arrives while the first copy is
//   still being worked on waits for that reply (daemon/cookie_cache.c), so
//   a retransmitted offer never allocates a second set of ports. That wait
//   holds one of rtpengine's worker threads, so we do not retransmit early:
//   at 500 ms a slow (CPU-starved) rtpengine got 0.4 copies per request;
// - cookies unique per client instance (random prefix + counter), so a
//   restarted call-control never gets a previous process's cached reply;
// - counters and round-trip times for health and the benchmark.
// `result: error` replies become AppErrors (`media-call-not-found`,
// `rtpengine-error`), silence past the deadline `rtpengine-timeout`.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Logger } from '../../common/logger';
import { mediaCallNotFound, ngAddressUnsupported, rtpengineError, rtpengineTimeout } from '../errors';
import { bdecode, bencode, type Bencodable } from './bencode';

/** ng command names in camelCase (`blockMedia` → "block media" on the wire). */
export type NgCommand =
  | 'offer'
  | 'answer'
  | 'delete'
  | 'query'
  | 'ping'
  | 'list'
  | 'blockMedia'
  | 'unblockMedia'
  | 'silenceMedia'
  | 'unsilenceMedia'
  | 'playMedia'
  | 'stopMedia'
  | 'playDTMF'
  | 'startRecording'
  | 'stopRecording'
  | 'statistics';

const WIRE_NAMES: Record<NgCommand, string> = {
  offer: 'offer',
  answer: 'answer',
  delete: 'delete',
  query: 'query',
  ping: 'ping',
  list: 'list',
  blockMedia: 'block media',
  unblockMedia: 'unblock media',
  silenceMedia: 'silence media',
  unsilenceMedia: 'unsilence media',
  playMedia: 'play media',
  stopMedia: 'stop media',
  playDTMF: 'play DTMF',
  startRecording: 'start recording',
  stopRecording: 'stop recording',
  statistics: 'statistics',
};

export type NgDict = Record<string, unknown>;

/** Counters since the client was created; round trips in ms over the last 1,024 answered requests. */
export interface NgStats {
  requests: number;
  answered: number;
  retransmits: number;
  timeouts: number;
  /** Replies whose cookie we no longer waited for (after a timeout, or the second copy of a retransmitted one). */
  lateReplies: number;
  pending: number;
  roundTripMs: { p50: number; p99: number; max: number };
  receiveBufferBytes: number;
}

/** What RtpengineMedia needs from the control channel; tests of callers may give their own. */
export interface NgClient {
  command(name: NgCommand, params: NgDict): Promise<NgDict>;
  stats?(): NgStats;
  close(): void;
}

export interface NgClientOptions {
  host: string;
  port: number;
  /** Overall deadline per command, retransmissions included. Default 3,000 ms. */
  timeoutMs?: number;
  /** First retransmission after this long, then doubling. Default 1,000 ms. */
  retransmitMs?: number;
  /** SO_RCVBUF asked for; the kernel caps it at net.core.rmem_max. Default 8 MB. */
  receiveBufferBytes?: number;
  log: Logger;
}

interface Pending {
  name: NgCommand;
  datagram: Buffer;
  sentAt: number;
  resolve(reply: NgDict): void;
  reject(err: Error): void;
  retransmit?: NodeJS.Timeout;
  deadline: NodeJS.Timeout;
}

const WINDOW = 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** rtpengine's reply as the caller gets it, over either channel: an error result thrown with a stable code, a warning logged. */
export function checkedReply(name: NgCommand, params: NgDict, reply: NgDict, log: Logger): NgDict {
  if (reply.result === 'error') {
    const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'unknown error';
    if (/unknown call-id/i.test(reason)) throw mediaCallNotFound(String(params['call-id'] ?? ''));
    throw rtpengineError(name, reason);
  }
  if (typeof reply.warning === 'string') log.debug('rtpengine warning', { command: name, warning: reply.warning });
  return reply;
}

export async function createNgClient(opts: NgClientOptions): Promise<NgClient> {
  const target = `${opts.host}:${opts.port}`;
  // rtpengine listens where the supervisor put it, on IPv4 (appliance/supervisor/rtpengine-args.ts).
  if (net.isIP(opts.host) === 6) throw ngAddressUnsupported(opts.host);
  const timeoutMs = opts.timeoutMs ?? 3000;
  const firstRetransmitMs = opts.retransmitMs ?? 1000;
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    // Send from loopback when rtpengine is local, so replies never leave the host.
    sock.bind(0, opts.host === '127.0.0.1' ? '127.0.0.1' : undefined, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.setRecvBufferSize(opts.receiveBufferBytes ?? 8 * 1024 * 1024);
  const prefix = randomBytes(6).toString('hex');
  let seq = 0;
  const pending = new Map<string, Pending>();
  const rtts: number[] = [];
  const counters = { requests: 0, answered: 0, retransmits: 0, timeouts: 0, lateReplies: 0 };

  sock.on('error', (err) => opts.log.warn('rtpengine ng socket error', { target, err: err.message }));
  sock.on('message', (msg) => {
    const space = msg.indexOf(0x20);
    const cookie = space > 0 ? msg.toString('latin1', 0, space) : '';
    const p = pending.get(cookie);
    if (!p) {
      counters.lateReplies++;
      opts.log.debug('rtpengine ng reply for no pending request', { target, cookie: cookie.slice(0, 40) });
      return;
    }
    let reply: unknown;
    try {
      reply = bdecode(msg, space + 1);
    } catch (err) {
      // A garbled datagram: keep waiting, a retransmission may bring a good copy.
      opts.log.warn('rtpengine ng reply undecodable', { target, err: err instanceof Error ? err.message : String(err) });
      return;
    }
    finish(cookie, p);
    counters.answered++;
    rtts.push(Number(process.hrtime.bigint() / 1000n) / 1000 - p.sentAt);
    if (rtts.length > WINDOW) rtts.shift();
    if (!reply || typeof reply !== 'object' || Array.isArray(reply)) p.reject(rtpengineError(p.name, 'reply is not a dictionary'));
    else p.resolve(reply as NgDict);
  });

  function finish(cookie: string, p: Pending): void {
    pending.delete(cookie);
    clearTimeout(p.deadline);
    clearTimeout(p.retransmit);
  }

  function send(cookie: string, p: Pending, delayMs: number): void {
    const failed = (err: Error) => {
      if (pending.get(cookie) !== p) return;
      finish(cookie, p);
      p.reject(rtpengineError(p.name, err.message));
    };
    try {
      sock.send(p.datagram, opts.port, opts.host, (err) => err && failed(err));
    } catch (err) {
      return failed(err as Error); // the socket was closed
    }
    armRetransmit(cookie, p, delayMs);
  }

  function armRetransmit(cookie: string, p: Pending, delayMs: number): void {
    const due = Date.now() + delayMs;
    p.retransmit = setTimeout(() => afterPendingReads(() => {
      if (pending.get(cookie) !== p) return;
      // Fired late: our own event loop is the slow part and the reply may be queued behind it.
      // Wait another interval instead of adding datagrams for both sides to handle; the deadline still holds.
      if (Date.now() - due > Math.max(delayMs / 2, 100)) return armRetransmit(cookie, p, delayMs);
      counters.retransmits++;
      send(cookie, p, delayMs * 2);
    }), delayMs);
  }

  /**
   * Timers run before the event loop reads sockets: when call-control was
   * busy, the reply may be sitting in our receive buffer already. Deciding
   * after that read (setImmediate runs after the poll phase) keeps a slow
   * event loop from turning into retransmissions and timeouts of requests
   * rtpengine did answer.
   */
  function afterPendingReads(fn: () => void): void {
    setImmediate(fn);
  }

  function request(name: NgCommand, params: NgDict): Promise<NgDict> {
    const cookie = `${prefix}${(seq++).toString(36)}`;
    const datagram = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...params, command: WIRE_NAMES[name] } as Bencodable)]);
    counters.requests++;
    return new Promise<NgDict>((resolve, reject) => {
      const p: Pending = {
        name,
        datagram,
        sentAt: Number(process.hrtime.bigint() / 1000n) / 1000,
        resolve,
        reject,
        deadline: setTimeout(() => afterPendingReads(() => {
          if (pending.get(cookie) !== p) return;
          finish(cookie, p);
          counters.timeouts++;
          reject(rtpengineTimeout(name, target));
        }), timeoutMs),
      };
      pending.set(cookie, p);
      send(cookie, p, firstRetransmitMs);
    });
  }

  return {
    async command(name, params) {
      return checkedReply(name, params, await request(name, params), opts.log);
    },
    stats() {
      const sorted = [...rtts].sort((a, b) => a - b);
      const round = (n: number) => Math.round(n * 100) / 100;
      return {
        ...counters,
        pending: pending.size,
        roundTripMs: { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? 0) },
        receiveBufferBytes: sock.getRecvBufferSize(),
      };
    },
    close() {
      for (const [cookie, p] of pending) {
        finish(cookie, p);
        p.reject(rtpengineError(p.name, 'ng client closed'));
      }
      sock.close();
    },
  };
}
