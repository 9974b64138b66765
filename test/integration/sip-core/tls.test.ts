// SIP over TLS (RFC 3261 §26, RFC 5630) against the real sip-core: phones are
// node:tls clients (OpenSSL underneath) that verify sip-core's certificate
// against the CA that issued it, exactly as a phone with the appliance CA
// installed does; an unmodified drachtio-srf app answers.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert, makeCa } from '../../../provisioning/tls';
import { freePort, freeTcpPort } from '../../helpers/ports';
import { stopAll } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import type { Loose } from '../../sip-core/drachtio/loose-srf';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';
import { connectSrf, type SrfApp } from './helpers/srf-app';

const tmp = tempDir('korobka-sip-tls-');
let boxCa: { cert: string; key: string };
let files: { cert: string; key: string; ca: string; trunkCa: string };
/** A phone's certificate from the box's CA, and one it made itself. */
let phoneCert: { cert: string; key: string };
let selfSigned: { cert: string; key: string };
/** A trunk's certificate from a CA the box does not know by default. */
let trunkCa: { cert: string; key: string };
let trunkCert: { cert: string; key: string };

beforeAll(() => {
  boxCa = makeCa('Korobka test CA');
  const server = issueServerCert(boxCa, { dns: ['localhost'], ips: ['127.0.0.1'] });
  phoneCert = issueServerCert(boxCa, { dns: ['phone-201'], ips: ['127.0.0.1'] });
  const other = makeCa('Someone else');
  selfSigned = issueServerCert(other, { dns: ['phone-201'], ips: ['127.0.0.1'] });
  trunkCa = makeCa('Operator CA');
  trunkCert = issueServerCert(trunkCa, { dns: ['trunk'], ips: ['127.0.0.1'] });
  files = { cert: path.join(tmp.dir, 'server.crt'), key: path.join(tmp.dir, 'server.key'), ca: path.join(tmp.dir, 'ca.crt'), trunkCa: path.join(tmp.dir, 'trunk-ca.crt') };
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.key);
  writeFileSync(files.ca, boxCa.cert);
  writeFileSync(files.trunkCa, trunkCa.cert);
}, 60_000);

afterAll(() => tmp.cleanup());

let app: SrfApp | undefined;
afterEach(async () => {
  app?.close();
  app = undefined;
  await stopAll();
});

async function startTlsCore(name: string, tlsExtra: Record<string, unknown> = {}): Promise<{ core: SipCoreProcess; tlsPort: number }> {
  const sipPort = await freePort();
  let tlsPort = await freeTcpPort();
  while (tlsPort === sipPort) tlsPort = await freeTcpPort();
  const core = await startSipCore(
    name,
    {
      sip: {
        listen: [
          { transport: 'udp', host: '127.0.0.1', port: sipPort },
          { transport: 'tcp', host: '127.0.0.1', port: sipPort },
          { transport: 'tls', host: '127.0.0.1', port: tlsPort },
        ],
        tls: { certFile: files.cert, keyFile: files.key, ...tlsExtra },
      },
    },
    { sipPort },
  );
  return { core, tlsPort };
}

interface Phone {
  sock: tls.TLSSocket;
  data: string;
  closed: boolean;
  wait(pred: (data: string) => boolean, what: string, ms?: number): Promise<void>;
}

async function tlsPhone(port: number, opts: tls.ConnectionOptions = {}): Promise<Phone> {
  const sock = tls.connect({ host: '127.0.0.1', port, ca: boxCa.cert, ...opts });
  const phone: Phone = {
    sock,
    data: '',
    closed: false,
    async wait(pred, what, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!pred(phone.data)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${phone.data.slice(0, 400)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  sock.on('data', (d: Buffer) => (phone.data += d.toString()));
  sock.on('error', () => undefined);
  sock.on('close', () => (phone.closed = true));
  await new Promise<void>((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
  return phone;
}

function register(phone: Phone): string {
  const port = phone.sock.localPort!;
  const callId = randomBytes(8).toString('hex');
  phone.sock.write(
    [
      'REGISTER sips:bank.example.ru SIP/2.0',
      `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sips:201@bank.example.ru>;tag=${randomBytes(4).toString('hex')}`,
      'To: <sips:201@bank.example.ru>',
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      `Contact: <sips:201@127.0.0.1:${port}>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  return callId;
}

const registrar = (seen: Array<{ protocol: string; via: string }>) => (srf: Loose) =>
  srf.register((req: Loose, res: Loose) => {
    seen.push({ protocol: req.protocol, via: req.get('Via') });
    res.send(200, { headers: { Contact: req.get('Contact'), Expires: '300' } });
  });

describe('SIP over TLS', () => {
  it('registers a phone over TLS and sends requests to it over the connection it registered on', async () => {
    const { core, tlsPort } = await startTlsCore('tls-register');
    const seen: Array<{ protocol: string; via: string }> = [];
    app = await connectSrf(core, { before: registrar(seen) });
    // drachtio's hostport list names the TLS listener, as drachtio-server's does.
    expect(app.hostport).toContain(`tls/127.0.0.1:${tlsPort}`);
    const phone = await tlsPhone(tlsPort);
    // The phone checked sip-core's certificate against the CA (rejectUnauthorized is node's default).
    expect(phone.sock.authorized).toBe(true);
    const callId = register(phone);
    await phone.wait((d) => d.includes('SIP/2.0 200') && d.includes(callId), 'the REGISTER 200');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.protocol).toBe('tls');
    expect(seen[0]!.via).toMatch(/^SIP\/2\.0\/TLS /);

    // What call-control does for a phone registered over a stream: next hop = the
    // registration's source address and port over tls. The phone listens nowhere:
    // only the connection it opened can carry this.
    const req = await app.srf.request(`sips:201@127.0.0.1:${phone.sock.localPort}`, {
      method: 'OPTIONS',
      proxy: `sip:127.0.0.1:${phone.sock.localPort};transport=tls`,
    });
    const answered = new Promise<number>((resolve) => req.on('response', (res: Loose) => resolve(res.status)));
    await phone.wait((d) => /^OPTIONS sips:201@/m.test(d), 'the OPTIONS over the registration connection');
    const options = phone.data.slice(phone.data.indexOf('OPTIONS sips:'));
    expect(options).toMatch(new RegExp(`\r\nVia: SIP/2\\.0/TLS 127\\.0\\.0\\.1:${tlsPort};`));
    const head = options.split('\r\n\r\n')[0]!.split('\r\n');
    const keep = head.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    phone.sock.write(['SIP/2.0 200 OK', ...keep.map((l) => (/^To:/i.test(l) ? `${l};tag=phone` : l)), 'Content-Length: 0', '', ''].join('\r\n'));
    expect(await answered).toBe(200);
    const h = await core.waitHealth(() => true);
    expect((h.transport as { tcpConnections: number }).tcpConnections).toBe(1);
  }, 60_000);

  it('closes a client that sends garbage instead of a handshake, and keeps serving TLS phones', async () => {
    const { core, tlsPort } = await startTlsCore('tls-garbage');
    const seen: Array<{ protocol: string; via: string }> = [];
    app = await connectSrf(core, { before: registrar(seen) });
    const raw = net.connect({ host: '127.0.0.1', port: tlsPort });
    raw.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    raw.write('REGISTER sip:bank.example.ru SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1\r\n\r\n' + randomBytes(300).toString('binary'));
    await closed;
    const h = await core.waitHealth((x) => (x.transport as { tlsHandshakeErrors: number }).tlsHandshakeErrors >= 1);
    expect((h.transport as { tcpConnections: number }).tcpConnections).toBe(0);
    expect(seen).toHaveLength(0);
    const phone = await tlsPhone(tlsPort);
    const callId = register(phone);
    await phone.wait((d) => d.includes('SIP/2.0 200') && d.includes(callId), 'the REGISTER 200 after the garbage');
    expect(core.proc.child.exitCode).toBeNull();
  }, 60_000);

  it('with requireClientCert refuses a phone whose certificate the box CA did not sign', async () => {
    const { core, tlsPort } = await startTlsCore('tls-client-cert', { requireClientCert: true, clientCaFile: files.ca });
    const seen: Array<{ protocol: string; via: string }> = [];
    app = await connectSrf(core, { before: registrar(seen) });
    // TLS 1.3: the client finishes first, the server's refusal arrives after, as an alert and a close.
    const intruder = await tlsPhone(tlsPort, { cert: selfSigned.cert, key: selfSigned.key }).catch(() => undefined);
    if (intruder) {
      register(intruder);
      await intruder.wait(() => intruder.closed, 'the refused phone to be closed');
      expect(intruder.data).toBe('');
    }
    await core.waitHealth((x) => (x.transport as { tlsHandshakeErrors: number }).tlsHandshakeErrors >= 1);
    const good = await tlsPhone(tlsPort, { cert: phoneCert.cert, key: phoneCert.key });
    const callId = register(good);
    await good.wait((d) => d.includes('SIP/2.0 200') && d.includes(callId), 'the REGISTER 200 of the phone with a good certificate');
    expect(seen).toHaveLength(1);
  }, 60_000);

  it('dials a TLS trunk only when its certificate is trusted (trustedCaFile)', async () => {
    const trunk = tls.createServer({ cert: trunkCert.cert, key: trunkCert.key });
    const got: string[] = [];
    const open = new Set<tls.TLSSocket>();
    trunk.on('secureConnection', (s) => {
      open.add(s);
      s.on('data', (d: Buffer) => {
        const text = d.toString();
        got.push(text);
        const head = text.split('\r\n\r\n')[0]!.split('\r\n');
        const keep = head.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
        s.write(['SIP/2.0 200 OK', ...keep.map((l) => (/^To:/i.test(l) ? `${l};tag=trunk` : l)), 'Content-Length: 0', '', ''].join('\r\n'));
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => trunk.listen(0, '127.0.0.1', () => r()));
    const trunkPort = (trunk.address() as net.AddressInfo).port;
    try {
      const untrusting = await startTlsCore('tls-trunk-untrusted');
      app = await connectSrf(untrusting.core);
      // The callback form: a fast local 503 can arrive in the same read as the command's reply.
      const status = (a: SrfApp) =>
        new Promise<number>((resolve, reject) =>
          a.srf.request(`sip:8800@127.0.0.1:${trunkPort};transport=tls`, { method: 'OPTIONS' }, (err: unknown, req: Loose) =>
            err ? reject(err instanceof Error ? err : new Error(String(err))) : req.on('response', (res: Loose) => resolve(res.status)),
          ),
        );
      // The operator's certificate is signed by a CA neither the system nor the box trusts.
      expect(await status(app)).toBe(503);
      expect(got).toHaveLength(0);
      app.close();
      app = undefined;
      await stopAll();

      const trusting = await startTlsCore('tls-trunk-trusted', { trustedCaFile: files.trunkCa });
      app = await connectSrf(trusting.core);
      expect(await status(app)).toBe(200);
      expect(got[0]).toMatch(/^OPTIONS sip:8800@127\.0\.0\.1:\d+;transport=tls SIP\/2\.0\r\nVia: SIP\/2\.0\/TLS /);
    } finally {
      // close() waits for open connections: sip-core keeps its trunk connection for reuse.
      for (const s of open) s.destroy();
      await new Promise<void>((r) => trunk.close(() => r()));
    }
  }, 90_000);
});
