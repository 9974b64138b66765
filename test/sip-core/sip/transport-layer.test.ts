import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { parseMessage } from '../../../services/sip-core/sip/parser';
import { createResponse } from '../../../services/sip-core/sip/serializer';
import { TransportLayer, type TransportLayerOptions } from '../../../services/sip-core/sip/transport/transport-layer';
import type { SipMessage } from '../../../services/sip-core/sip/message';
import type { MessageSource } from '../../../services/sip-core/sip/types';
import { freePort } from '../../helpers/ports';

const layers: TransportLayer[] = [];
const sockets: Array<dgram.Socket | net.Socket | net.Server> = [];
afterEach(async () => {
  await Promise.all(layers.splice(0).map((l) => l.stop()));
  for (const s of sockets.splice(0)) {
    if (s instanceof net.Socket) s.destroy();
    else s.close();
  }
});

async function startLayer(opts: Partial<TransportLayerOptions> = {}, host = '127.0.0.1'): Promise<{ layer: TransportLayer; port: number; got: Array<[SipMessage, MessageSource]> }> {
  const port = await freePort(host);
  const layer = new TransportLayer({ listen: [{ transport: 'udp', host, port }, { transport: 'tcp', host, port }], log: silentLogger, ...opts });
  await layer.start();
  layers.push(layer);
  const got: Array<[SipMessage, MessageSource]> = [];
  layer.on('message', (m, s) => got.push([m, s]));
  return { layer, port, got };
}

const options = (branch: string, via = `SIP/2.0/UDP 192.0.2.1:5099;branch=${branch};rport`, extra: string[] = []) =>
  Buffer.from(
    [`OPTIONS sip:x@127.0.0.1 SIP/2.0`, `Via: ${via}`, 'Max-Forwards: 70', 'From: <sip:a@example.com>;tag=f1', 'To: <sip:x@127.0.0.1>', `Call-ID: ${branch}@test`, 'CSeq: 1 OPTIONS', ...extra, 'Content-Length: 0', '', ''].join('\r\n'),
  );

async function udpClient(host = '127.0.0.1'): Promise<{ sock: dgram.Socket; port: number; next(): Promise<Buffer> }> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sockets.push(sock);
  await new Promise<void>((r) => sock.bind(0, host, () => r()));
  const queue: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  sock.on('message', (b) => (waiters.length ? waiters.shift()!(b) : queue.push(b)));
  return { sock, port: sock.address().port, next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))) };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('TransportLayer over UDP', () => {
  it('delivers a request with its source and stamps received/rport on the top Via (RFC 3581)', async () => {
    const { port, got, layer } = await startLayer();
    const c = await udpClient();
    c.sock.send(options('z9hG4bKu1'), port, '127.0.0.1');
    await until(() => got.length === 1);
    const [msg, source] = got[0]!;
    expect(source).toMatchObject({ transport: 'udp', address: '127.0.0.1', port: c.port, local: { id: `udp:127.0.0.1:${port}`, advertisedHost: '127.0.0.1' } });
    expect(msg.topVia).toMatchObject({ host: '192.0.2.1', received: '127.0.0.1', rport: c.port });
    // The response goes to received:rport, not to the sent-by in the Via.
    const res = createResponse(msg as never, 200);
    const dest = layer.responseDestination(res, source);
    expect(dest).toEqual({ transport: 'udp', address: '127.0.0.1', port: c.port });
    await layer.send(res, dest);
    expect((await c.next()).toString()).toMatch(/^SIP\/2.0 200 OK\r\n/);
    expect(layer.counters()).toMatchObject({ parsed: 1, sent: 1, malformed: 0 });
  });

  it('answers a malformed request 400 with the reason, and drops junk, counting both', async () => {
    const { port, got, layer } = await startLayer();
    const c = await udpClient();
    c.sock.send(options('z9hG4bKu2', undefined, ['Max-Forwards: 12']), port, '127.0.0.1');
    const reply = parseMessage(await c.next());
    expect(reply).toMatchObject({ status: 400, reason: 'more than one Max-Forwards header' });
    expect(reply.to.tag).toBeTruthy();
    // RFC 3581 §4: a 400 carries received/rport like any other answer.
    expect(reply.topVia).toMatchObject({ received: '127.0.0.1', rport: c.port });
    c.sock.send(Buffer.from([0, 1, 2, 3, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]), port, '127.0.0.1');
    await until(() => layer.counters().malformed === 2);
    expect(layer.counters()).toMatchObject({ malformed: 2, rejected: 1, dropped: 1, parsed: 0 });
    expect(got).toHaveLength(0);
  });

  it('rate-limits one source and counts what it dropped', async () => {
    const { port, got, layer } = await startLayer({ rateLimit: { perSecond: 1, burst: 5 }, exemptLoopback: false });
    const c = await udpClient();
    for (let i = 0; i < 12; i++) c.sock.send(options(`z9hG4bKr${i}`), port, '127.0.0.1');
    await until(() => layer.counters().parsed + layer.counters().rateLimited === 12);
    expect(got.length).toBe(5);
    expect(layer.counters().rateLimited).toBe(7);
  });

  it('does not rate-limit this box\'s own processes on loopback by default', async () => {
    const { port, got, layer } = await startLayer({ rateLimit: { perSecond: 1, burst: 5 } });
    const c = await udpClient();
    for (let i = 0; i < 12; i++) c.sock.send(options(`z9hG4bKl${i}`), port, '127.0.0.1');
    await until(() => got.length === 12);
    expect(layer.counters().rateLimited).toBe(0);
  });

  it('works over IPv6 loopback', async () => {
    const { port, got } = await startLayer({}, '::1');
    const c = await udpClient('::1');
    c.sock.send(options('z9hG4bKv6', 'SIP/2.0/UDP [::1]:5099;branch=z9hG4bKv6;rport'), port, '::1');
    await until(() => got.length === 1);
    expect(got[0]![1]).toMatchObject({ address: '::1', port: c.port, local: { family: 6, advertisedHost: '::1' } });
    expect(got[0]![0].topVia).toMatchObject({ received: '::1', rport: c.port });
    expect(got[0]![0].get('via')).toBe(`SIP/2.0/UDP [::1]:5099;branch=z9hG4bKv6;rport=${c.port};received=::1`);
  });

  it('refuses a transport it does not have and releases the ports it had bound', async () => {
    const port = await freePort();
    const layer = new TransportLayer({ listen: [{ transport: 'udp', host: '127.0.0.1', port }, { transport: 'wss', host: '127.0.0.1', port }], log: silentLogger });
    await expect(layer.start()).rejects.toThrow('sip.listen: transport wss is not supported yet');
    // tls without certificates is refused the same way, by name.
    const noCerts = new TransportLayer({ listen: [{ transport: 'udp', host: '127.0.0.1', port }, { transport: 'tls', host: '127.0.0.1', port }], log: silentLogger });
    await expect(noCerts.start()).rejects.toThrow('sip.listen: a tls listener needs sip.tls certificates');
    const again = new TransportLayer({ listen: [{ transport: 'udp', host: '127.0.0.1', port }], log: silentLogger });
    await again.start();
    layers.push(again);
    expect(again.localFor('udp')?.port).toBe(port);
  });

  it('advertises config.sip.publicAddress', async () => {
    const { layer } = await startLayer({ publicAddress: '203.0.113.7' });
    expect(layer.localFor('udp')?.advertisedHost).toBe('203.0.113.7');
    expect(layer.localFor('tcp')?.advertisedHost).toBe('203.0.113.7');
  });
});

async function tcpClient(port: number): Promise<{ sock: net.Socket; data: () => string; closed: Promise<void> }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined); // writes racing the server's close
  sockets.push(sock);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  let data = '';
  sock.on('data', (d) => (data += d.toString()));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  return { sock, data: () => data, closed };
}

describe('TransportLayer over TCP', () => {
  it('frames split and coalesced messages by Content-Length and answers on the same connection (§18.2.2)', async () => {
    const { port, got, layer } = await startLayer();
    const c = await tcpClient(port);
    const one = options('z9hG4bKt1', 'SIP/2.0/TCP 192.0.2.1:5099;branch=z9hG4bKt1');
    const two = options('z9hG4bKt2', 'SIP/2.0/TCP 192.0.2.1:5099;branch=z9hG4bKt2');
    c.sock.write(one.subarray(0, 30));
    await new Promise((r) => setTimeout(r, 20));
    c.sock.write(Buffer.concat([one.subarray(30), two]));
    await until(() => got.length === 2);
    expect(got.map(([m]) => m.callId)).toEqual(['z9hG4bKt1@test', 'z9hG4bKt2@test']);
    const [msg, source] = got[0]!;
    expect(source.connectionId).toBeTruthy();
    const res = createResponse(msg as never, 486);
    await layer.send(res, layer.responseDestination(res, source));
    await until(() => c.data().includes('SIP/2.0 486 Busy Here'));
    expect(layer.counters().tcpConnections).toBe(1);
  });

  it('answers over the connection a request came on even when its Via claims UDP', async () => {
    const { port, got, layer } = await startLayer();
    const c = await tcpClient(port);
    c.sock.write(options('z9hG4bKlie', 'SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bKlie'));
    await until(() => got.length === 1);
    const [msg, source] = got[0]!;
    const res = createResponse(msg as never, 200);
    const dest = layer.responseDestination(res, source);
    expect(dest).toMatchObject({ transport: 'tcp', connectionId: source.connectionId });
    await layer.send(res, dest);
    await until(() => c.data().startsWith('SIP/2.0 200 OK'));
  });

  it('closes the connection on garbage and on an oversize message', async () => {
    const { port, layer } = await startLayer({ maxMessageBytes: 2000 });
    const junk = await tcpClient(port);
    junk.sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await junk.closed;
    const big = await tcpClient(port);
    big.sock.write(options('z9hG4bKbig', 'SIP/2.0/TCP h;branch=z9hG4bKbig', [`X-Pad: ${'a'.repeat(3000)}`]));
    await big.closed;
    expect(layer.counters()).toMatchObject({ malformed: 2, dropped: 2 });
    await until(() => layer.counters().tcpConnections === 0);
  });

  it('refuses connections over the per-source limit and counts them', async () => {
    const { port, layer } = await startLayer({ maxTcpConnectionsPerSource: 3, exemptLoopback: false });
    const kept = await Promise.all([1, 2, 3].map(() => tcpClient(port)));
    await until(() => layer.counters().tcpConnections === 3);
    const refused = await tcpClient(port);
    await refused.closed;
    expect(layer.counters()).toMatchObject({ tcpConnections: 3, dropped: 1 });
    kept[0]!.sock.destroy();
    await until(() => layer.counters().tcpConnections === 2);
    const again = await tcpClient(port);
    await until(() => layer.counters().tcpConnections === 3);
    expect(again.sock.destroyed).toBe(false);
  });

  it('closes a connection whose message does not complete in time (slow sender)', async () => {
    const { port, layer } = await startLayer({ tcpMessageTimeoutMs: 200 });
    const slow = await tcpClient(port);
    const started = Date.now();
    slow.sock.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKslow\r\n');
    const drip = setInterval(() => slow.sock.write('X-Drip: 1\r\n'), 50);
    await slow.closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(layer.counters()).toMatchObject({ malformed: 1, dropped: 1, parsed: 0 });
  });

  it('frames and answers over IPv6 loopback', async () => {
    const { port, got } = await startLayer({}, '::1');
    const sock = net.connect(port, '::1');
    sockets.push(sock);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(options('z9hG4bKt6', 'SIP/2.0/TCP [::1]:5099;branch=z9hG4bKt6'));
    await until(() => got.length === 1);
    expect(got[0]![1]).toMatchObject({ transport: 'tcp', address: '::1', local: { id: `tcp:::1:${port}`, family: 6 } });
  });

  it('opens one outbound connection and reuses it for later messages', async () => {
    const { layer } = await startLayer();
    const server = net.createServer();
    sockets.push(server);
    let accepted = 0;
    let data = '';
    server.on('connection', (s) => {
      accepted++;
      s.on('data', (d) => (data += d.toString()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const dport = (server.address() as net.AddressInfo).port;
    const req = parseMessage(options('z9hG4bKo1', 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKo1'));
    const [a, b] = [await layer.send(req, { transport: 'tcp', address: '127.0.0.1', port: dport }), await layer.send(req, { transport: 'tcp', address: '127.0.0.1', port: dport })];
    expect(a.destination.connectionId).toBe(b.destination.connectionId);
    expect(a.local.transport).toBe('tcp');
    await until(() => data.split('OPTIONS sip:').length === 3);
    expect(accepted).toBe(1);
  });
});
