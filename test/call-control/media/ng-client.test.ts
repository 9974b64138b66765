// The ng client against real UDP peers on loopback that behave like
// rtpengine does on the wire (`<cookie> <bencode>` each way), including one
// that loses datagrams the way a full receive buffer does.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { bdecode, bencode } from '../../../services/call-control/media/bencode';
import { createNgClient, type NgClient } from '../../../services/call-control/media/ng-client';
import { createLogger } from '../../../services/common/logger';

/** A separate process answering every ng datagram with pong at once; prints its port. Exits after 20 s at most. */
const PONG_PEER = `const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(Buffer.concat([m.subarray(0, m.indexOf(32) + 1), Buffer.from('d6:result4:ponge')]), r.port, r.address));
s.bind(0, '127.0.0.1', () => process.stdout.write(String(s.address().port)));
setTimeout(() => process.exit(0), 20000);`;

const log = createLogger({ level: 'error', sink: () => undefined });

interface Peer {
  port: number;
  /** Every datagram received: cookie and decoded request. */
  got: Array<{ cookie: string; req: Record<string, unknown> }>;
  close(): void;
}

/**
 * A fake rtpengine: `answer(req, n)` gives the reply to the n-th copy of a
 * cookie (0 = first), or undefined to stay silent. Like rtpengine's cookie
 * cache, a retransmission gets the reply of the first copy, not a new one.
 */
async function peer(answer: (req: Record<string, unknown>, copy: number) => Record<string, unknown> | undefined, delayMs = 0): Promise<Peer> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got: Peer['got'] = [];
  const copies = new Map<string, number>();
  sock.on('message', (msg, from) => {
    const space = msg.indexOf(0x20);
    const cookie = msg.toString('latin1', 0, space);
    const req = bdecode(msg, space + 1) as Record<string, unknown>;
    got.push({ cookie, req });
    const n = copies.get(cookie) ?? 0;
    copies.set(cookie, n + 1);
    const reply = answer(req, n);
    const send = () => sock.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(reply as Parameters<typeof bencode>[0])]), from.port, from.address);
    if (reply) setTimeout(() => !closed && send(), delayMs);
  });
  let closed = false;
  return {
    port: sock.address().port,
    got,
    close: () => {
      closed = true;
      sock.close();
    },
  };
}

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

async function client(port: number, o: { timeoutMs?: number; retransmitMs?: number } = {}): Promise<NgClient> {
  const c = await createNgClient({ host: '127.0.0.1', port, log, ...o });
  opened.push(c);
  return c;
}

describe('bencode', () => {
  it('encodes dictionaries with sorted keys, lists, integers and UTF-8 strings by byte length', () => {
    expect(bencode({ sdp: 'v=0', 'call-id': 'c1', flags: ['a', 'b'], n: 42, ok: true, skip: undefined }).toString()).toBe('d7:call-id2:c15:flagsl1:a1:be1:ni42e2:oki1e3:sdp3:v=0e');
    expect(bencode('ё').toString()).toBe('2:ё');
  });
  it('decodes what it encodes', () => {
    const v = { result: 'ok', sdp: 'v=0\r\nm=audio 30000 RTP/AVP 8\r\n', tags: { A: { 'in dialogue with': 'B' } }, totals: [1, -2, 0] };
    expect(bdecode(bencode(v))).toEqual(v);
  });
  it.each([
    ['truncated string', '5:ab'],
    ['unterminated list', 'l1:a'],
    ['bad integer', 'i1x2e'],
    ['trailing bytes', 'i1ei2e'],
    ['integer key', 'di1e1:ae'],
    ['negative length', '-1:a'],
    ['garbage', 'x'],
    ['empty', ''],
  ])('rejects %s', (_why, text) => {
    expect(() => bdecode(Buffer.from(text))).toThrow(/bencode/);
  });
  it('refuses values bencode cannot carry', () => {
    expect(() => bencode(1.5)).toThrow(/fractions/);
    expect(() => bencode({ a: null as unknown as string })).toThrow(/null/);
  });
});

describe('createNgClient', () => {
  it('sends the command by its ng name with a cookie and resolves with the reply', async () => {
    const p = await peer(() => ({ result: 'ok', sdp: 'v=0\r\n' }));
    opened.push(p);
    const ng = await client(p.port);
    await expect(ng.command('blockMedia', { 'call-id': 'c1', 'from-tag': 'A' })).resolves.toEqual({ result: 'ok', sdp: 'v=0\r\n' });
    expect(p.got).toHaveLength(1);
    expect(p.got[0]!.req).toEqual({ command: 'block media', 'call-id': 'c1', 'from-tag': 'A' });
    expect(p.got[0]!.cookie).toMatch(/^[0-9a-f]{12}[0-9a-z]+$/);
    expect(ng.stats!()).toMatchObject({ requests: 1, answered: 1, retransmits: 0, timeouts: 0, pending: 0 });
  });

  it('retransmits the same datagram with the same cookie when the reply is lost, and takes the late answer', async () => {
    // The first two copies are "lost" (no reply), the third is answered.
    const p = await peer((req, copy) => (copy < 2 ? undefined : { result: 'ok', seen: String(req['call-id']) }));
    opened.push(p);
    const ng = await client(p.port, { retransmitMs: 50, timeoutMs: 2000 });
    await expect(ng.command('offer', { 'call-id': 'c7', sdp: 'v=0' })).resolves.toEqual({ result: 'ok', seen: 'c7' });
    expect(p.got).toHaveLength(3);
    expect(new Set(p.got.map((g) => g.cookie)).size).toBe(1);
    expect(p.got.every((g) => JSON.stringify(g.req) === JSON.stringify(p.got[0]!.req))).toBe(true);
    expect(ng.stats!()).toMatchObject({ requests: 1, answered: 1, retransmits: 2, timeouts: 0 });
  });

  it('gives each request its own cookie and matches replies that come back out of order', async () => {
    const held: Array<() => void> = [];
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    opened.push({ close: () => sock.close() });
    sock.on('message', (msg, from) => {
      const space = msg.indexOf(0x20);
      const cookie = msg.toString('latin1', 0, space);
      const req = bdecode(msg, space + 1) as Record<string, string>;
      held.push(() => sock.send(Buffer.concat([Buffer.from(`${cookie} `), bencode({ result: 'ok', id: req['call-id']! })]), from.port, from.address));
      if (held.length === 3) for (const send of held.reverse()) send(); // answer the last request first
    });
    const ng = await client(sock.address().port, { retransmitMs: 5000 });
    const replies = await Promise.all(['a', 'b', 'c'].map((id) => ng.command('query', { 'call-id': id })));
    expect(replies.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('counts the answers to retransmitted copies of an answered request as late and ignores them', async () => {
    // A slow rtpengine: every copy is answered 150 ms after it arrives; we retransmit after 30 ms.
    const p = await peer(() => ({ result: 'ok' }), 150);
    opened.push(p);
    const ng = await client(p.port, { retransmitMs: 30 });
    await expect(ng.command('ping', {})).resolves.toEqual({ result: 'ok' });
    await expect.poll(() => ng.stats!().lateReplies).toBe(p.got.length - 1);
    expect(p.got.length).toBeGreaterThanOrEqual(2);
    expect(ng.stats!()).toMatchObject({ answered: 1, pending: 0, retransmits: p.got.length - 1 });
  });

  it('does not retransmit when the reply is already waiting in the socket', async () => {
    // The peer must answer while this event loop is blocked, so it runs in its own process.
    const child = spawn(process.execPath, ['-e', PONG_PEER], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 20_000 });
    opened.push({ close: () => child.kill() });
    const port = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    const ng = await client(port, { retransmitMs: 20 });
    const reply = ng.command('ping', {});
    await new Promise((r) => setImmediate(r)); // the request leaves
    const until = Date.now() + 150; // busy past the retransmission time, like call-control in a burst
    while (Date.now() < until) {
      /* spin */
    }
    await expect(reply).resolves.toEqual({ result: 'pong' });
    expect(ng.stats!()).toMatchObject({ retransmits: 0, timeouts: 0, answered: 1 });
  });

  it('turns error replies into stable codes', async () => {
    const p = await peer((req) => (req.command === 'query' ? { result: 'error', 'error-reason': 'Unknown call-id' } : { result: 'error', 'error-reason': 'Ran out of ports' }));
    opened.push(p);
    const ng = await client(p.port);
    await expect(ng.command('query', { 'call-id': 'gone' })).rejects.toMatchObject({ status: 404, code: 'media-call-not-found' });
    await expect(ng.command('offer', { 'call-id': 'x' })).rejects.toMatchObject({ status: 502, code: 'rtpengine-error', message: 'rtpengine refused offer: Ran out of ports' });
  });

  it('gives up at the deadline with rtpengine-timeout after retransmitting, and a garbled reply does not end the wait', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    opened.push({ close: () => sock.close() });
    let copies = 0;
    sock.on('message', (msg, from) => {
      copies++;
      const cookie = msg.toString('latin1', 0, msg.indexOf(0x20));
      sock.send(Buffer.from(`${cookie} d6:result`), from.port, from.address); // truncated bencode
    });
    const port = sock.address().port;
    const ng = await client(port, { retransmitMs: 40, timeoutMs: 400 });
    const t0 = Date.now();
    await expect(ng.command('delete', { 'call-id': 'c' })).rejects.toMatchObject({ status: 504, code: 'rtpengine-timeout', message: `rtpengine at 127.0.0.1:${port} did not answer delete` });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(copies).toBeGreaterThanOrEqual(2); // at 0, 40, 120, 280 ms unless this machine is too busy to keep time
    expect(ng.stats!()).toMatchObject({ timeouts: 1, answered: 0, pending: 0 });
  });

  it('asks for a large receive buffer and still refuses an IPv6 address', async () => {
    const p = await peer(() => ({ result: 'pong' }));
    opened.push(p);
    const ng = await client(p.port);
    // Linux reports twice what was granted; the grant is capped by net.core.rmem_max (install.sh raises it to 8 MB).
    expect(ng.stats!().receiveBufferBytes).toBeGreaterThan(212_992);
    await expect(createNgClient({ host: '::1', port: p.port, log })).rejects.toMatchObject({ code: 'rtpengine-address-unsupported' });
  });

  it('rejects what is pending when closed', async () => {
    const p = await peer(() => undefined);
    opened.push(p);
    const ng = await createNgClient({ host: '127.0.0.1', port: p.port, log });
    const waiting = ng.command('ping', {});
    ng.close();
    await expect(waiting).rejects.toMatchObject({ code: 'rtpengine-error', message: 'rtpengine refused ping: ng client closed' });
  });
});
