// Free loopback ports for tests: ask the kernel for one, then release it.
import net from 'node:net';
import dgram from 'node:dgram';

export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP on the host (SIP listens on both). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freeTcpPort(host);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, host, () => sock.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port found on ' + host);
}

/** A random even-aligned UDP range for rtpengine, unlikely to collide between parallel runs. */
export function randomPortRange(size = 200): { min: number; max: number } {
  const min = 20000 + 2 * Math.floor(Math.random() * ((40000 - size) / 2));
  return { min, max: min + size - 1 };
}

export async function waitForTcp(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lowPortsTaken = new Set<number>();

/**
 * The first of `count` consecutive free UDP ports below 20000 (sipp's media:
 * RTP, RTCP and a video pair). Neither the kernel's ephemeral ports (what
 * freePort hands out, and every client socket of every other test) nor
 * rtpengine's ranges (randomPortRange: 20000–60000) come from there, so a
 * port checked here is still free when sipp binds it, however busy the
 * machine. Ports given out are not given again by this process.
 */
export async function freeLowUdpPorts(count = 4, host = '127.0.0.1'): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, host, () => sock.close(() => resolve(true)));
    });
  for (let i = 0; i < 200; i++) {
    const base = 10000 + 4 * Math.floor(Math.random() * 2500);
    const range = Array.from({ length: count }, (_, d) => base + d);
    if (range.some((p) => p >= 20000 || lowPortsTaken.has(p))) continue;
    if ((await Promise.all(range.map(free))).every(Boolean)) {
      range.forEach((p) => lowPortsTaken.add(p));
      return base;
    }
  }
  throw new Error(`no ${count} free UDP ports below 20000 on ${host}`);
}
