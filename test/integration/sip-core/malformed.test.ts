// Malformed and hostile input against sip-core: every corpus case over UDP
// and over TCP to the real process (answered 400/505 with a reason, or
// dropped and counted; the process stays up and still answers), and a soak of
// the same corpus against the stack in this process with heap measured after GC.
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { TransactionLayer } from '../../../services/sip-core/sip/transaction/transaction-layer';
import { TransportLayer } from '../../../services/sip-core/sip/transport/transport-layer';
import { freePort } from '../../helpers/ports';
import { CORPUS_MAX_MESSAGE_BYTES, corpus, validOptions, type Outcome } from './corpus/cases';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';

const QUIET_MS = 300;

type Seen = { reply?: { status: number; reason: string }; closed: boolean };

async function overUdp(port: number, bytes: Buffer, waitMs: number): Promise<Seen> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  try {
    return await new Promise<Seen>((resolve) => {
      const t = setTimeout(() => resolve({ closed: false }), waitMs);
      sock.on('message', (b) => {
        clearTimeout(t);
        resolve({ closed: false, reply: statusLine(b) });
      });
      sock.send(bytes, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function overTcp(port: number, bytes: Buffer, waitMs: number): Promise<Seen & { sock: net.Socket }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const t = setTimeout(() => resolve({ closed: false, sock }), waitMs);
    sock.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (!data.includes('\r\n\r\n')) return;
      clearTimeout(t);
      resolve({ closed: false, sock, reply: statusLine(data) });
    });
    sock.once('close', () => {
      clearTimeout(t);
      resolve({ closed: true, sock });
    });
    sock.write(bytes);
  });
}

/**
 * The status line only: a 400 echoes the very header that was wrong (a bad
 * CSeq, a bad Via), so the whole reply need not parse.
 */
function statusLine(b: Buffer): { status: number; reason: string } | undefined {
  const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(b.toString('utf8'));
  return m ? { status: Number(m[1]), reason: m[2]! } : undefined;
}

const waitFor = (o: Outcome) => (typeof o === 'object' ? 3000 : o === 'closed' ? 3000 : QUIET_MS);

function check(o: Outcome, seen: Seen): void {
  if (typeof o === 'object') expect(seen.reply).toEqual({ status: o.reply, reason: o.reason });
  else if (o === 'closed') expect(seen.closed).toBe(true);
  else {
    expect(seen.reply).toBeUndefined();
    expect(seen.closed).toBe(false);
  }
}

const counted = (o: Outcome) => o !== 'pending';

describe('malformed input to the sip-core process', () => {
  let core: SipCoreProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    core = await startSipCore('malformed', {
      sip: {
        listen: [
          { transport: 'udp', host: '127.0.0.1', port },
          { transport: 'tcp', host: '127.0.0.1', port },
        ],
        maxMessageBytes: CORPUS_MAX_MESSAGE_BYTES,
      },
    });
    await core.waitHealth((h) => typeof h.transport === 'object');
  });
  afterAll(async () => {
    await core?.stop();
  });

  it.each(corpus.map((c) => [c.name, c] as const))('UDP: %s', async (_n, c) => {
    check(c.udp, await overUdp(port, c.bytes, waitFor(c.udp)));
  });

  it.each(corpus.map((c) => [c.name, c] as const))('TCP: %s', async (_n, c) => {
    const seen = await overTcp(port, c.bytes, waitFor(c.tcp));
    try {
      check(c.tcp, seen);
      if (c.tcp === 'dropped' || typeof c.tcp === 'object') {
        // The stream is still framed correctly: the next request on it is served.
        const next = await overTcpOn(seen.sock, validOptions(`z9hG4bKnext${c.name.length}`, 'TCP'));
        expect(next.status).not.toBe(400);
      }
    } finally {
      seen.sock.destroy();
    }
  });

  it('stays up, still answers, and counted every malformed message', async () => {
    const after = await overUdp(port, validOptions('z9hG4bKalive'), 3000);
    expect(after.reply?.status).toBeDefined();
    expect(after.reply?.status).not.toBe(400);
    expect(core.proc.child.exitCode).toBeNull();
    const malformed = corpus.length + corpus.filter((c) => counted(c.tcp)).length;
    const rejected = corpus.filter((c) => typeof c.udp === 'object').length + corpus.filter((c) => typeof c.tcp === 'object').length;
    const h = await core.waitHealth((x) => (x.transport as { malformed?: number } | undefined)?.malformed === malformed);
    expect(h.transport).toMatchObject({ malformed, rejected });
    // A soak of the corpus does not grow the process without bound.
    const before = rssKb(core.proc.pid);
    for (let round = 0; round < 20; round++) {
      await Promise.all(corpus.map((c) => overUdp(port, c.bytes, 50)));
    }
    expect(rssKb(core.proc.pid) - before).toBeLessThan(40_000);
    expect(core.proc.child.exitCode).toBeNull();
  });
});

function overTcpOn(sock: net.Socket, bytes: Buffer): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const t = setTimeout(() => reject(new Error('no answer on the same connection')), 3000);
    sock.removeAllListeners('data');
    sock.on('data', (d) => {
      data += d.toString();
      const m = /^SIP\/2.0 (\d{3})/m.exec(data);
      if (m && data.includes('\r\n\r\n')) {
        clearTimeout(t);
        resolve({ status: Number(m[1]) });
      }
    });
    sock.write(bytes);
  });
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe('malformed input soak against the stack in this process', () => {
  it('returns the heap to its baseline after 100 rounds of the corpus over UDP and TCP', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const port = await freePort();
    const transport = new TransportLayer({
      listen: [
        { transport: 'udp', host: '127.0.0.1', port },
        { transport: 'tcp', host: '127.0.0.1', port },
      ],
      maxMessageBytes: CORPUS_MAX_MESSAGE_BYTES,
      rateLimit: false,
      tcpIdleTimeoutMs: 1000,
      log: silentLogger,
    });
    await transport.start();
    const layer = new TransactionLayer(transport, { log: silentLogger });
    const round = async () => {
      await Promise.all(corpus.map((c) => overUdp(port, c.bytes, 30)));
      const conns = await Promise.all(corpus.map((c) => overTcp(port, c.bytes, 30)));
      for (const c of conns) c.sock.destroy();
    };
    try {
      await round();
      await settle(transport);
      gc();
      const baseline = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100; i++) await round();
      await settle(transport);
      gc();
      const grown = process.memoryUsage().heapUsed - baseline;
      expect(grown).toBeLessThan(3 * 1024 * 1024);
      expect(transport.counters().malformed).toBe(101 * (corpus.length + corpus.filter((c) => counted(c.tcp)).length));
    } finally {
      layer.stop();
      await transport.stop();
    }
  });
});

async function settle(transport: TransportLayer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (transport.counters().tcpConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
