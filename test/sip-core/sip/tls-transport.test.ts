// The TLS stream transport in-process: outbound TLS to a peer that answers on
// the same connection, inbound TLS, and the certificate check of outbound TLS.
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert, makeCa } from '../../../provisioning/tls';
import { silentLogger } from '../../../services/common/logger';
import { TransportLayer } from '../../../services/sip-core/sip/transport/transport-layer';
import type { SipMessage } from '../../../services/sip-core/sip/message';
import type { MessageSource } from '../../../services/sip-core/sip/types';

let ca: { cert: string; key: string };
let server: { cert: string; key: string };
beforeAll(() => {
  ca = makeCa('Test CA');
  server = issueServerCert(ca, { dns: ['localhost'], ips: ['127.0.0.1'] });
}, 60_000);

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

const options = (branch: string) =>
  Buffer.from(
    [`OPTIONS sip:x@127.0.0.1 SIP/2.0`, `Via: SIP/2.0/TLS 192.0.2.1:5061;branch=${branch}`, 'Max-Forwards: 70', 'From: <sip:a@example.com>;tag=f1', 'To: <sip:x@127.0.0.1>', `Call-ID: ${branch}@test`, 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'),
  );
const ok = (branch: string) =>
  ['SIP/2.0 200 OK', `Via: SIP/2.0/TLS 192.0.2.1:5061;branch=${branch}`, 'From: <sip:a@example.com>;tag=f1', 'To: <sip:x@127.0.0.1>;tag=t1', `Call-ID: ${branch}@test`, 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n');

async function layerWithTls(trust: string): Promise<{ layer: TransportLayer; port: number; got: Array<[SipMessage, MessageSource]> }> {
  const layer = new TransportLayer({
    listen: [{ transport: 'tls', host: '127.0.0.1', port: 0 }],
    tls: { server: { cert: server.cert, key: server.key }, client: { ca: trust, rejectUnauthorized: true } },
    log: silentLogger,
  });
  await layer.start();
  cleanup.push(() => layer.stop());
  const got: Array<[SipMessage, MessageSource]> = [];
  layer.on('message', (m, s) => got.push([m, s]));
  return { layer, port: layer.listenerInfos()[0]!.port, got };
}

async function peer(): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const srv = tls.createServer({ cert: server.cert, key: server.key }, (s) => {
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      received.push(d.toString());
      s.write(ok('z9hG4bKout1'));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return { port: (srv.address() as net.AddressInfo).port, received };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TLS transport', () => {
  it('sends over an outbound TLS connection and reads the answer from it', async () => {
    const { layer, got } = await layerWithTls(ca.cert);
    const p = await peer();
    const sent = await layer.sendBytes(options('z9hG4bKout1'), { transport: 'tls', address: '127.0.0.1', port: p.port });
    expect(sent.destination.transport).toBe('tls');
    await until(() => got.length === 1, 'the 200 from the peer');
    expect(p.received[0]).toMatch(/^OPTIONS sip:x@127\.0\.0\.1 SIP\/2\.0\r\n/);
    const [msg, src] = got[0]!;
    expect(msg.kind === 'response' && msg.status).toBe(200);
    expect(src.transport).toBe('tls');
    expect(src.connectionId).toBe(sent.destination.connectionId);
  });

  it('refuses a peer whose certificate it does not trust, and nothing is sent', async () => {
    const { layer } = await layerWithTls(makeCa('Other').cert);
    const p = await peer();
    await expect(layer.sendBytes(options('z9hG4bKout2'), { transport: 'tls', address: '127.0.0.1', port: p.port })).rejects.toThrow(/tls connect .* failed/);
    expect(p.received).toEqual([]);
    expect(layer.counters().sendErrors).toBe(1);
  });

  it('accepts TLS phones and counts a garbage handshake without touching anything else', async () => {
    const { layer, port, got } = await layerWithTls(ca.cert);
    const raw = net.connect({ host: '127.0.0.1', port });
    raw.on('error', () => undefined);
    raw.write('OPTIONS sip:x SIP/2.0\r\n\r\n');
    await new Promise<void>((r) => raw.once('close', () => r()));
    expect(layer.counters().tlsHandshakeErrors).toBe(1);
    const phone = tls.connect({ host: '127.0.0.1', port, ca: ca.cert });
    cleanup.push(() => phone.destroy());
    await new Promise<void>((r) => phone.once('secureConnect', () => r()));
    phone.write(options('z9hG4bKin1'));
    await until(() => got.length === 1, 'the OPTIONS over TLS');
    expect(got[0]![1]).toMatchObject({ transport: 'tls', address: '127.0.0.1', port: phone.localPort });
  });
});
