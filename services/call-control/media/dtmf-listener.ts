// DTMF digits as rtpengine reports them: with `--dtmf-log-dest=host:port`
// it sends one JSON datagram per RFC 4733 event it relays (notes B.5), e.g.
// {"callid":"…","source_tag":"A","tags":["A","B"],"type":"DTMF",
//  "timestamp":1795298315,"source_ip":"127.0.0.1","event":1,"duration":120,"volume":10}
// This listener turns those into typed digits for IVRs and feature codes.
// It binds loopback only; anything that is not such a datagram is dropped.
import dgram from 'node:dgram';
import type { Logger } from '../../common/logger';

export interface DtmfDigit {
  callId: string;
  /** Tag of the party that pressed the key. */
  sourceTag: string;
  /** RFC 4733 §3.2: events 0–9, 10 = *, 11 = #, 12–15 = A–D. */
  digit: string;
  durationMs: number;
  volume?: number;
  /** Unix ms (rtpengine reports whole seconds). */
  at: number;
}

const DIGITS = '0123456789*#ABCD';
const MAX_DATAGRAM = 4096;

/** Parses one datagram; undefined when it is not a DTMF report. */
export function parseDtmfReport(buf: Buffer): DtmfDigit | undefined {
  if (buf.length > MAX_DATAGRAM) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (r.type !== 'DTMF' || typeof r.callid !== 'string' || typeof r.source_tag !== 'string') return undefined;
  if (typeof r.event !== 'number' || !Number.isInteger(r.event) || r.event < 0 || r.event >= DIGITS.length) return undefined;
  const d: DtmfDigit = {
    callId: r.callid,
    sourceTag: r.source_tag,
    digit: DIGITS[r.event]!,
    durationMs: typeof r.duration === 'number' && r.duration >= 0 ? r.duration : 0,
    at: typeof r.timestamp === 'number' ? r.timestamp * 1000 : Date.now(),
  };
  if (typeof r.volume === 'number') d.volume = r.volume;
  return d;
}

export class DtmfListener {
  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
  ) {}

  static async listen(opts: { host: string; port: number; log: Logger; onDigit: (d: DtmfDigit) => void }): Promise<DtmfListener> {
    const sock = dgram.createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(opts.port, opts.host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    sock.on('error', (err) => opts.log.warn('dtmf listener socket error', { err }));
    sock.on('message', (msg, rinfo) => {
      const digit = parseDtmfReport(msg);
      if (!digit) {
        opts.log.debug('dtmf report ignored', { from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length });
        return;
      }
      opts.onDigit(digit);
    });
    return new DtmfListener(sock, sock.address().port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}
