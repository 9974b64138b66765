// The ng protocol over HTTP: rtpengine's `--listen-http` takes
// `POST /ng` with `Content-Type: application/x-rtpengine-ng` and the same
// `<cookie> <bencoded dict>` as the UDP channel, and answers in kind
// (rtpengine daemon/websocket.c, websocket_http_body → websocket_http_ng).
//
// Why a second channel: `play media` with `blob=` carries the audio inside
// the message, and one UDP datagram holds at most 65,507 bytes — about 4 s of
// the 16-bit WAV a voicemail message is kept as. Over HTTP the body has no
// such limit (measured: a 1.9 MB, 120 s WAV plays, rtpengine 10.5.3.5), so a
// decrypted message goes from memory to rtpengine without ever touching a
// file. Everything else stays on the UDP channel (ng-client.ts), which
// retransmits and is what calls' signalling waits on.
//
// rtpengine listens for HTTP on the ng port number over TCP
// (appliance/supervisor/rtpengine-args.ts), on loopback like the UDP one; it
// has no authentication on either, so neither may face a network.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { rtpengineError, rtpengineTimeout } from '../errors';
import { bdecode, bencode, type Bencodable } from './bencode';
import { checkedReply, type NgClient, type NgCommand, type NgDict } from './ng-client';

const WIRE: Partial<Record<NgCommand, string>> = { ping: 'ping', playMedia: 'play media', stopMedia: 'stop media', query: 'query' };

export interface NgHttpOptions {
  host: string;
  port: number;
  /** Per request; a large blob over loopback takes milliseconds, a CPU-starved rtpengine longer. Default 10,000 ms. */
  timeoutMs?: number;
  log: Logger;
}

/** An ng client for the few commands that may carry a body too large for UDP. */
export function createNgHttpClient(opts: NgHttpOptions): NgClient {
  const target = `${opts.host}:${opts.port}`;
  const prefix = randomBytes(6).toString('hex');
  // One kept-alive connection is enough: blobs are played one at a time per caller.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let seq = 0;

  function post(name: NgCommand, params: NgDict): Promise<NgDict> {
    const wire = WIRE[name];
    if (!wire) return Promise.reject(rtpengineError(name, 'not sent over the HTTP channel'));
    // Cookies must differ per request: rtpengine answers a repeated cookie from its cache (daemon/cookie_cache.c).
    const cookie = `${prefix}h${(seq++).toString(36)}`;
    const body = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...params, command: wire } as Bencodable)]);
    return new Promise<NgDict>((resolve, reject) => {
      const req = http.request(
        {
          host: opts.host,
          port: opts.port,
          method: 'POST',
          path: '/ng',
          agent,
          headers: { 'content-type': 'application/x-rtpengine-ng', 'content-length': body.length },
          timeout: opts.timeoutMs ?? 10_000,
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const msg = Buffer.concat(parts);
            if (res.statusCode !== 200) return reject(rtpengineError(name, `HTTP ${res.statusCode ?? 0} from ${target}`));
            const space = msg.indexOf(0x20);
            if (space <= 0 || msg.toString('latin1', 0, space) !== cookie) return reject(rtpengineError(name, 'reply without our cookie'));
            try {
              const reply = bdecode(msg, space + 1);
              if (!reply || typeof reply !== 'object' || Array.isArray(reply)) return reject(rtpengineError(name, 'reply is not a dictionary'));
              resolve(reply as NgDict);
            } catch (err) {
              reject(rtpengineError(name, `reply undecodable: ${err instanceof Error ? err.message : String(err)}`));
            }
          });
          res.on('error', (err) => reject(rtpengineError(name, err.message)));
        },
      );
      req.on('timeout', () => req.destroy(rtpengineTimeout(name, target)));
      req.on('error', (err) => reject(err instanceof AppError ? err : rtpengineError(name, err.message)));
      req.end(body);
    });
  }

  return {
    async command(name, params) {
      return checkedReply(name, params, await post(name, params), opts.log);
    },
    close() {
      agent.destroy();
    },
  };
}
