// Issue 16 item 8 against the real sip-core: idle TCP connections from many
// addresses must not lock phones and trunks out. Sources are loopback
// addresses 127.0.x.y (none trusted here); an unmodified drachtio-srf app
// answers REGISTER 200, which makes its sender a known source.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { connectSrf, type SrfApp } from './helpers/srf-app';
import { startSipCore, type SipCoreProcess } from './helpers/sip-core-process';

const TCP = { maxConnections: 20, reservedForKnown: 8, maxPerSource: 4, maxPerSubnet: 6, firstMessageMs: 1500, idleMs: 4000 };
let core: SipCoreProcess | undefined;
let app: SrfApp | undefined;

afterEach(async () => {
  app?.close();
  app = undefined;
  await stopAll();
  core = undefined;
});

async function start(name: string): Promise<SipCoreProcess> {
  core = await startSipCore(name, { sip: { security: { trustedNetworks: ['::1/128'], tcp: TCP } } });
  app = await connectSrf(core, { before: (srf) => srf.register((_req: unknown, res: { send(s: number): void }) => res.send(200)) });
  return core;
}

interface Client {
  sock: net.Socket;
  closedAt: number | undefined;
  openedAt: number;
  data: string;
  send(text: string): void;
}

async function connect(c: SipCoreProcess, local: string): Promise<Client> {
  const sock = net.connect({ host: '127.0.0.1', port: c.sipPort, localAddress: local });
  const client: Client = { sock, closedAt: undefined, openedAt: Date.now(), data: '', send: (t) => void sock.write(t) };
  sock.on('error', () => undefined);
  sock.on('data', (d) => (client.data += d.toString()));
  sock.on('close', () => (client.closedAt = Date.now()));
  await new Promise<void>((resolve) => {
    sock.once('connect', () => resolve());
    sock.once('close', () => resolve());
  });
  return client;
}

function request(method: 'REGISTER' | 'OPTIONS', local: string, port: number): string {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `${method} sip:bank.example.ru SIP/2.0`,
    `Via: SIP/2.0/TCP ${local}:${port};branch=${branch}`,
    'Max-Forwards: 70',
    `From: <sip:201@bank.example.ru>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:201@bank.example.ru>`,
    `Call-ID: ${randomBytes(8).toString('hex')}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:201@${local}:${port};transport=tcp>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A phone registers over TCP and is answered 200: from then on its address is known. */
async function registeredPhone(c: SipCoreProcess, local: string): Promise<Client> {
  const phone = await connect(c, local);
  phone.send(request('REGISTER', local, phone.sock.localPort!));
  await until(() => phone.data.includes('SIP/2.0 200'), 5000, 'the REGISTER 200');
  return phone;
}

const keepAlive = (c: Client) => setInterval(() => c.closedAt === undefined && c.send('\r\n\r\n'), 300);

describe('TCP lock-out (issue 16 item 8)', () => {
  it('closes a connection that never sends a complete request, CRLF keep-alives or not', async () => {
    const c = await start('tcp-first-message');
    const holder = await connect(c, '127.0.8.1');
    const pings = keepAlive(holder);
    try {
      await until(() => holder.closedAt !== undefined, 6000, 'the slot-holder to be closed');
      expect(holder.closedAt! - holder.openedAt).toBeGreaterThanOrEqual(1000);
    } finally {
      clearInterval(pings);
    }
  });

  it('keeps a registered phone on keep-alives past the idle timeout, not a connection that was never answered 2xx', async () => {
    const c = await start('tcp-keepalive');
    const phone = await registeredPhone(c, '127.0.7.1');
    const prober = await connect(c, '127.0.7.2');
    prober.send(request('OPTIONS', '127.0.7.2', prober.sock.localPort!));
    const pings = [keepAlive(phone), keepAlive(prober)];
    try {
      await until(() => prober.closedAt !== undefined, TCP.idleMs + 3000, 'the unproven connection to idle out');
      expect(prober.closedAt! - prober.openedAt).toBeGreaterThanOrEqual(TCP.idleMs - 500);
      await new Promise((r) => setTimeout(r, 1500));
      expect(phone.closedAt).toBeUndefined();
    } finally {
      pings.forEach(clearInterval);
    }
  });

  it('limits connections per /24 and keeps reserved slots for known phones when the rest is full', async () => {
    const c = await start('tcp-reserve');
    // Known from an earlier registration; its connection is gone.
    (await registeredPhone(c, '127.0.7.1')).sock.destroy();
    const opened: Client[] = [];
    const open = async (local: string) => {
      const cl = await connect(c, local);
      if (cl.closedAt === undefined) cl.send(request('OPTIONS', local, cl.sock.localPort!));
      opened.push(cl);
      return cl;
    };
    const alive = (list: Client[]) => list.filter((x) => x.closedAt === undefined).length;
    // Ten addresses of one /24: six get in.
    const subnet = [];
    for (let i = 1; i <= 10; i++) subnet.push(await open(`127.0.9.${i}`));
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(subnet)).toBe(TCP.maxPerSubnet);
    // Unknown sources from other /24s fill the unreserved slots (20 − 8 = 12 in all), then are refused.
    const others = [];
    for (const net24 of [10, 11, 12]) for (let i = 1; i <= 4; i++) others.push(await open(`127.0.${net24}.${i}`));
    const late = await open('127.0.13.1');
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(subnet) + alive(others)).toBe(TCP.maxConnections - TCP.reservedForKnown);
    expect(late.closedAt).toBeDefined();
    // The registered phone still gets in, and is answered.
    const phone = await registeredPhone(c, '127.0.7.1');
    expect(phone.closedAt).toBeUndefined();
    for (const x of opened) x.sock.destroy();
    phone.sock.destroy();
  });
});
