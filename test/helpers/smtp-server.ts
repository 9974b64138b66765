// A real SMTP server on loopback for tests (npm smtp-server), keeping what
// it receives parsed by mailparser. It can be stopped and started again on
// the same port, as a mail server that goes down and comes back.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freeTcpPort } from './ports';

export interface TestSmtp {
  port: number;
  received: ParsedMail[];
  /** Raw envelopes, in the order accepted. */
  envelopes: { from: string; to: string[] }[];
  start(): Promise<void>;
  stop(): Promise<void>;
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
}

export async function testSmtp(opts: { user?: string; password?: string; port?: number; refuse?: string[] } = {}): Promise<TestSmtp> {
  const port = opts.port ?? (await freeTcpPort());
  const received: ParsedMail[] = [];
  const envelopes: { from: string; to: string[] }[] = [];
  let server: SMTPServer | undefined;
  const make = () =>
    new SMTPServer({
      // Plain SMTP on loopback: STARTTLS would need a certificate the client trusts; TLS has its own test.
      disabledCommands: opts.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: !opts.user,
      logger: false,
      // stop() must not wait for a client's pooled connection to quit (the default is 30 s).
      closeTimeout: 200,
      onAuth(auth, _session, cb) {
        if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, cb) {
        if (opts.refuse?.includes(address.address)) cb(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }));
        else cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          envelopes.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
          simpleParser(Buffer.concat(chunks)).then(
            (m) => {
              received.push(m);
              cb();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
  const t: TestSmtp = {
    port,
    received,
    envelopes,
    start: () =>
      new Promise<void>((resolve, reject) => {
        server = make();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = undefined;
        if (!s) return resolve();
        s.close(() => resolve());
      }),
    async waitFor(n, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`smtp: ${received.length} of ${n} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
  };
  await t.start();
  return t;
}
