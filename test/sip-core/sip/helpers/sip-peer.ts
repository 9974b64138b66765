// A scripted remote SIP element for stack tests: a real UDP socket (or TCP
// connection) on 127.0.0.1 that records what it receives with timestamps.
import dgram from 'node:dgram';
import net from 'node:net';
import { silentLogger } from '../../../../services/common/logger';
import { parseMessage } from '../../../../services/sip-core/sip/parser';
import { serializeMessage } from '../../../../services/sip-core/sip/serializer';
import { TransactionLayer } from '../../../../services/sip-core/sip/transaction/transaction-layer';
import { TransportLayer } from '../../../../services/sip-core/sip/transport/transport-layer';
import type { SipMessage } from '../../../../services/sip-core/sip/message';
import type { TransactionTimers } from '../../../../services/sip-core/sip/types';
import { freePort } from '../../../helpers/ports';

export interface Received {
  at: number;
  msg: SipMessage;
}

export class UdpPeer {
  readonly got: Received[] = [];
  private constructor(
    readonly sock: dgram.Socket,
    readonly port: number,
  ) {}

  static async start(): Promise<UdpPeer> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const peer = new UdpPeer(sock, sock.address().port);
    sock.on('message', (b) => peer.got.push({ at: Date.now(), msg: parseMessage(b) }));
    return peer;
  }

  send(msg: SipMessage | string, port: number): void {
    const buf = typeof msg === 'string' ? Buffer.from(msg) : serializeMessage(msg);
    this.sock.send(buf, port, '127.0.0.1');
  }

  close(): void {
    this.sock.close();
  }
}

export class TcpPeer {
  readonly got: Received[] = [];
  sock: net.Socket | undefined;
  private constructor(
    readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<TcpPeer> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const peer = new TcpPeer(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (s) => {
      peer.sock = s;
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        // Test traffic carries no bodies: a blank line ends each message.
        for (let i = buf.indexOf('\r\n\r\n'); i >= 0; i = buf.indexOf('\r\n\r\n')) {
          peer.got.push({ at: Date.now(), msg: parseMessage(Buffer.from(buf.slice(0, i + 4), 'latin1')) });
          buf = buf.slice(i + 4);
        }
      });
    });
    return peer;
  }

  send(msg: SipMessage): void {
    this.sock?.write(serializeMessage(msg));
  }

  close(): void {
    this.sock?.destroy();
    this.server.close();
  }
}

export interface Stack {
  transport: TransportLayer;
  layer: TransactionLayer;
  port: number;
  stop(): Promise<void>;
}

export async function startStack(timers: Partial<TransactionTimers>): Promise<Stack> {
  const port = await freePort();
  const transport = new TransportLayer({
    listen: [
      { transport: 'udp', host: '127.0.0.1', port },
      { transport: 'tcp', host: '127.0.0.1', port },
    ],
    log: silentLogger,
    rateLimit: false,
  });
  await transport.start();
  const layer = new TransactionLayer(transport, { timers, log: silentLogger });
  return {
    transport,
    layer,
    port,
    stop: async () => {
      layer.stop();
      await transport.stop();
    },
  };
}

export const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request as a remote UA would send it to the stack. */
export function remoteRequest(method: string, opts: { branch: string; port: number; transport?: string; cseq?: number; callId?: string; toTag?: string; maxForwards?: number }): string {
  const to = `<sip:svc@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`;
  return [
    `${method} sip:svc@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${opts.transport ?? 'UDP'} 127.0.0.1:${opts.port};branch=${opts.branch};rport`,
    `Max-Forwards: ${opts.maxForwards ?? 70}`,
    'From: <sip:peer@127.0.0.1>;tag=peer1',
    `To: ${to}`,
    `Call-ID: ${opts.callId ?? opts.branch + '@peer'}`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
