// A small syslog receiver for tests: TCP or TLS on 127.0.0.1, octet-counted
// frames (RFC 5425 §4.3) or JSON lines, every message kept in order.
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';

export type Framing = 'octet-counting' | 'lines';

export class SyslogReceiver {
  readonly messages: string[] = [];
  /** One entry per accepted connection: the messages it carried. */
  readonly connections: string[][] = [];
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();

  constructor(
    private readonly framing: Framing,
    private readonly tlsOpts?: { cert: string; key: string },
  ) {}

  async start(port = 0): Promise<number> {
    const onSocket = (sock: net.Socket) => {
      this.sockets.add(sock);
      const mine: string[] = [];
      this.connections.push(mine);
      let buf = Buffer.alloc(0);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          let msg: Buffer;
          if (this.framing === 'lines') {
            const nl = buf.indexOf(0x0a);
            if (nl < 0) break;
            msg = buf.subarray(0, nl);
            buf = buf.subarray(nl + 1);
          } else {
            const sp = buf.indexOf(0x20);
            if (sp < 0) break;
            const len = Number(buf.subarray(0, sp).toString('ascii'));
            if (!Number.isInteger(len) || len <= 0) throw new Error(`bad frame length ${buf.subarray(0, sp).toString()}`);
            if (buf.length < sp + 1 + len) break;
            msg = buf.subarray(sp + 1, sp + 1 + len);
            buf = buf.subarray(sp + 1 + len);
          }
          const s = msg.toString('utf8');
          this.messages.push(s);
          mine.push(s);
        }
      });
      sock.on('error', () => undefined);
      sock.on('close', () => this.sockets.delete(sock));
    };
    this.server = this.tlsOpts ? tls.createServer({ cert: this.tlsOpts.cert, key: this.tlsOpts.key }, onSocket) : net.createServer(onSocket);
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }
}

/** Waits (bounded) until `check` holds, polling; never a fixed sleep. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
