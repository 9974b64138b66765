// The ng control channel to rtpengine (UDP, bencode), over npm
// rtpengine-client. This file only adds what the library leaves out: a
// bound local socket on the right address family, a timeout that becomes
// `rtpengine-timeout`, and `result: error` replies turned into AppErrors
// (`media-call-not-found`, `rtpengine-error`) instead of resolved values.
import net from 'node:net';
import rtpengine from 'rtpengine-client';
import type { Logger } from '../../common/logger';
import { mediaCallNotFound, ngAddressUnsupported, rtpengineError, rtpengineTimeout } from '../errors';

/** ng command names as the library spells them (`blockMedia` → "block media"). */
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

export type NgDict = Record<string, unknown>;

/** What RtpengineMedia needs from the control channel; tests of callers may give their own. */
export interface NgClient {
  command(name: NgCommand, params: NgDict): Promise<NgDict>;
  close(): void;
}

export interface NgClientOptions {
  host: string;
  port: number;
  timeoutMs?: number;
  log: Logger;
}

export async function createNgClient(opts: NgClientOptions): Promise<NgClient> {
  const target = `${opts.host}:${opts.port}`;
  // rtpengine-client only opens udp4 sockets; say so instead of timing out on every command.
  if (net.isIP(opts.host) === 6) throw ngAddressUnsupported(opts.host);
  // The library binds an IPv4 socket; send from loopback when rtpengine is local.
  const localAddress = opts.host === '127.0.0.1' ? '127.0.0.1' : undefined;
  const client = new rtpengine.Client({ localPort: 0, ...(localAddress ? { localAddress } : {}), timeout: opts.timeoutMs ?? 3000 });
  await new Promise<void>((resolve, reject) => {
    client.once('listening', () => resolve());
    client.once('error', reject);
  });
  // Late replies after a timeout surface as 'error' events; they must not crash the process.
  client.on('error', (err: unknown) => opts.log.warn('rtpengine ng socket error', { target, err }));
  return {
    async command(name, params) {
      let reply: NgDict;
      try {
        reply = await client[name](opts.port, opts.host, params);
      } catch (err) {
        if (err instanceof Error && /timeout/i.test(err.message)) throw rtpengineTimeout(name, target);
        throw rtpengineError(name, err instanceof Error ? err.message : String(err));
      }
      if (reply.result === 'error') {
        const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'unknown error';
        if (/unknown call-id/i.test(reason)) throw mediaCallNotFound(String(params['call-id'] ?? ''));
        throw rtpengineError(name, reason);
      }
      if (typeof reply.warning === 'string') opts.log.debug('rtpengine warning', { command: name, warning: reply.warning });
      return reply;
    },
    close: () => client.close(),
  };
}
