// rtpengine's ng protocol ping (bencode over UDP): `<cookie> d7:command4:pinge`
// answered by `<cookie> d6:result4:ponge`. The supervisor's liveness probe.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

export function ngPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const cookie = randomBytes(6).toString('hex');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('error', () => done(false));
    sock.on('message', (msg) => {
      const text = msg.toString();
      if (text.startsWith(cookie + ' ')) done(text.includes('4:pong'));
    });
    sock.send(`${cookie} d7:command4:pinge`, port, host);
  });
}
