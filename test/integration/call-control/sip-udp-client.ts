// A minimal SIP UAC over UDP for registrar tests: builds REGISTERs by hand
// (so a test can send exactly the hostile header it means to) and reads the
// responses, repeated header rows included.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

export interface SipResponse {
  status: number;
  reason: string;
  /** Header rows in order, names lower-cased: [name, value]. */
  rows: Array<[string, string]>;
  all(name: string): string[];
  get(name: string): string | undefined;
}

function parseResponse(text: string): SipResponse | undefined {
  const [head = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const rows: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) rows.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
  }
  const all = (name: string) => rows.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v);
  return { status: Number(m[1]), reason: m[2]!, rows, all, get: (n) => all(n)[0] };
}

export class SipUdpClient {
  private cseq = 1;
  readonly callId = `${randomBytes(8).toString('hex')}@korobka-test`;
  private readonly tag = randomBytes(4).toString('hex');

  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
    private readonly target: { host: string; port: number },
    readonly local = '127.0.0.1',
  ) {}

  /** `local`: the loopback address to send from (127.x.y.z: one of many sources on this box). */
  static async open(target: { host: string; port: number }, local = '127.0.0.1'): Promise<SipUdpClient> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, local, () => resolve());
    });
    return new SipUdpClient(sock, sock.address().port, target, local);
  }

  /** Sends one REGISTER and waits for its final response (provisionals skipped). */
  register(o: { user: string; domain: string; contact?: string; expires?: number; headers?: Record<string, string>; rawHeaders?: string[]; timeoutMs?: number }): Promise<SipResponse> {
    const branch = 'z9hG4bK' + randomBytes(6).toString('hex');
    const cseq = this.cseq++;
    const lines = [
      `REGISTER sip:${o.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.local}:${this.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:${o.user}@${o.domain}>;tag=${this.tag}`,
      `To: <sip:${o.user}@${o.domain}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} REGISTER`,
      ...(o.contact === '' ? [] : [`Contact: ${o.contact ?? `<sip:${o.user}@${this.local}:${this.port}>`}`]),
      ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      ...(o.rawHeaders ?? []),
      'User-Agent: korobka-test',
      'Content-Length: 0',
    ];
    const message = lines.join('\r\n') + '\r\n\r\n';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sock.off('message', onMessage);
        reject(new Error(`no final response to REGISTER cseq ${cseq}`));
      }, o.timeoutMs ?? 5000);
      const onMessage = (msg: Buffer) => {
        const r = parseResponse(msg.toString());
        if (!r || r.status < 200 || !(r.get('via') ?? '').includes(branch)) return;
        clearTimeout(timer);
        this.sock.off('message', onMessage);
        resolve(r);
      };
      this.sock.on('message', onMessage);
      this.sock.send(message, this.target.port, this.target.host);
    });
  }

  close(): void {
    this.sock.close();
  }
}
