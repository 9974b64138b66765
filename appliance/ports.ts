// Every port the appliance binds, named by the config field that sets it, and
// a check that each is free before anything starts: a second instance on the
// same host (a staging copy, a test run) would otherwise start half an
// appliance, e.g. call-control without its DTMF listener, silently losing
// feature codes.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Config } from './config/schema';

export interface NeededPort {
  /** The config field that sets it: `rtpengine.dtmfLogPort`. */
  field: string;
  /** Which process binds it. */
  owner: string;
  protocol: 'tcp' | 'udp';
  host: string;
  port: number;
}

/**
 * The ports this config makes the appliance bind. rtpengine's media range is
 * not listed: rtpengine picks a free pair from it per call.
 */
export function neededPorts(config: Readonly<Config>): NeededPort[] {
  const out: NeededPort[] = [{ field: 'api.port', owner: 'api', protocol: 'tcp', host: config.api.host, port: config.api.port }];
  // With an external drachtio-server, sip-core is not started: its SIP and drachtio ports are the other server's.
  if (!config.drachtio.external) {
    config.sip.listen.forEach((l, i) =>
      out.push({ field: `sip.listen[${i}].port`, owner: `sip ${l.transport}`, protocol: l.transport === 'udp' ? 'udp' : 'tcp', host: l.host, port: l.port }),
    );
    out.push({ field: 'drachtio.port', owner: 'drachtio', protocol: 'tcp', host: config.drachtio.host, port: config.drachtio.port });
  }
  if (config.rtpengine.enabled) {
    out.push({ field: 'rtpengine.ngPort', owner: 'rtpengine ng', protocol: 'udp', host: config.rtpengine.ngHost, port: config.rtpengine.ngPort });
    // The same number over TCP: ng over HTTP, for audio played from memory (rtpengine-args.ts --listen-http).
    out.push({ field: 'rtpengine.ngPort', owner: 'rtpengine ng http', protocol: 'tcp', host: config.rtpengine.ngHost, port: config.rtpengine.ngPort });
    // call-control reads rtpengine's DTMF reports here (rtpengine-args.ts: --dtmf-log-dest=127.0.0.1:PORT).
    out.push({ field: 'rtpengine.dtmfLogPort', owner: 'dtmf events', protocol: 'udp', host: '127.0.0.1', port: config.rtpengine.dtmfLogPort });
  }
  return out;
}

export function describePort(p: NeededPort): string {
  return `${p.owner} ${p.protocol} ${p.host}:${p.port}`;
}

/** Binds and releases the port; the error code (EADDRINUSE, EACCES, EADDRNOTAVAIL) when that fails. */
export function probePort(p: Pick<NeededPort, 'protocol' | 'host' | 'port'>): Promise<string | null> {
  return new Promise((resolve) => {
    const fail = (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message);
    if (p.protocol === 'tcp') {
      const s = net.createServer();
      s.once('error', fail);
      s.listen({ port: p.port, host: p.host, exclusive: true }, () => s.close(() => resolve(null)));
    } else {
      const s = dgram.createSocket(p.host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', fail);
      s.bind({ port: p.port, address: p.host, exclusive: true }, () => s.close(() => resolve(null)));
    }
  });
}

export interface TakenPort extends NeededPort {
  code: string;
}

/** Every needed port that cannot be bound now, each with why. */
export async function takenPorts(config: Readonly<Config>): Promise<TakenPort[]> {
  const out: TakenPort[] = [];
  // One at a time: two probes of the same port would otherwise take it from each other.
  for (const p of neededPorts(config)) {
    const code = await probePort(p);
    if (code) out.push({ ...p, code });
  }
  return out;
}

export function takenMessage(t: TakenPort): string {
  const why = t.code === 'EADDRINUSE' ? 'is taken by another program' : t.code === 'EACCES' ? 'needs a privilege this user lacks (ports below 1024)' : t.code === 'EADDRNOTAVAIL' ? 'is on an address this machine does not have' : `cannot be bound (${t.code})`;
  return `${describePort(t)} ${why} (set by ${t.field})`;
}
