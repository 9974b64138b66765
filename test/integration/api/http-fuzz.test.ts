// Issue 16 item 1: one unauthenticated request used to kill the api (an
// upgrade whose cookie does not percent-decode, `GET //[` with upgrade
// headers). A small corpus of malformed upgrades, cookies, paths and headers
// is sent raw over TLS to the running api process; after each one the
// process must still be alive and answering, and nothing gets a 5xx.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, signInAdmin, type ApiProcess } from './api-process';

let api: ApiProcess;
let session = '';
beforeAll(async () => {
  api = await startApiProcess('http-fuzz');
  session = (await signInAdmin(api)).cookie;
});
afterAll(() => api?.stop());

/** Writes raw bytes over TLS and returns the status of the first answer (0: closed without one). */
function raw(bytes: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    let got = '';
    const s = tls.connect({ host: '127.0.0.1', port: api.port, ca: api.ca, servername: 'localhost' }, () => s.write(bytes));
    const done = () => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 0);
    };
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/^HTTP\/1\.[01] \d{3}/.test(got)) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.setTimeout(5000, done);
  });
}

const ws = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const upgrade = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${ws}${extra}\r\n`;
const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

/** [what, request, statuses it may get]; 0 means the server closed the connection without an answer. */
const corpus = (): [string, string | Buffer, number[]][] => [
  ['upgrade with a cookie that does not percent-decode', upgrade('/api/live', 'Cookie: korobka_sid=%E0%A4%A\r\n'), [401]],
  ['upgrade to //[', upgrade('//['), [400]],
  ['upgrade to http://[::1', upgrade('http://[::1'), [400, 404]],
  ['upgrade to *', upgrade('*'), [400, 404]],
  ['upgrade to a path with a bad escape', upgrade('/api/live%ZZ'), [400, 404]],
  ['upgrade to a 16 KB path', upgrade('/api/live/' + 'a'.repeat(16_000)), [404, 431, 0]],
  ['upgrade with a cookie of only %', upgrade('/api/live', 'Cookie: korobka_sid=%\r\n'), [401]],
  ['upgrade with a nameless cookie', upgrade('/api/live', 'Cookie: =;;;=%;korobka_sid\r\n'), [401]],
  ['upgrade with 500 cookies', upgrade('/api/live', `Cookie: ${Array.from({ length: 500 }, (_, i) => `c${i}=%${i}`).join('; ')}\r\n`), [401]],
  ['upgrade with a Latin-1 cookie', Buffer.from(upgrade('/api/live', 'Cookie: korobka_sid=\xff\xfe\xe0\r\n'), 'latin1'), [400, 401, 0]],
  ['upgrade with an Origin that is not a URL', upgrade('/api/live', `Cookie: ${session}\r\nOrigin: http://[\r\n`), [403]],
  ['upgrade with Origin null', upgrade('/api/live', `Cookie: ${session}\r\nOrigin: null\r\n`), [403]],
  ['upgrade with a bad cookie and the real one', upgrade('/api/live', `Cookie: a=%E0%A4%A; ${session}\r\nOrigin: https://[\r\n`), [403]],
  ['upgrade without a key', `GET /api/live HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: ${session}\r\n\r\n`, [400, 403]],
  ['upgrade with version 99', upgrade('/api/live', `Cookie: ${session}\r\n`).replace('Version: 13', 'Version: 99'), [400, 426]],
  ['upgrade to an unknown protocol', `GET /api/live HTTP/1.1\r\nHost: localhost\r\nUpgrade: h2c, \x01\r\nConnection: Upgrade\r\n\r\n`, [400, 401, 404, 0]],
  ['upgrade without Host (a signed-in non-browser client)', `GET /api/live HTTP/1.1\r\n${ws}Cookie: ${session}\r\n\r\n`, [400, 101]],
  ['upgrade with two Hosts', upgrade('/api/live', `Host: evil.example\r\nCookie: ${session}\r\n`), [400, 101]],
  ['GET //[ (the UI fallback)', get('//['), [200, 400, 404]],
  ['GET http://[::1 (absolute form, a host that does not parse: koa threw past the error handler, 500)', get('http://[::1'), [400]],
  ['DELETE http://[::1 signed in', `DELETE http://[::1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: ${session}\r\n\r\n`, [400]],
  ['GET /api/%E0%A4%A', get('/api/%E0%A4%A'), [400, 401, 404]],
  ['GET /api/auth/me with a cookie that does not decode', get('/api/auth/me', 'Cookie: korobka_sid=%E0%A4%A\r\n'), [401]],
  ['GET /api/recordings?from=%ZZ signed in', get('/api/recordings?from=%ZZ&x[y]=1', `Cookie: ${session}\r\n`), [200, 400, 403]],
  ['a header line without a colon', get('/api/health', 'this is not a header\r\n'), [400, 0]],
  ['a NUL in a header', get('/api/health', 'X-A: a\x00b\r\n'), [400, 0]],
  ['a 70 KB header', get('/api/health', `X-Big: ${'b'.repeat(70_000)}\r\n`), [431, 400, 0]],
  ['Content-Length and chunked both', `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n`, [400, 0]],
  ['a bad chunk size', `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, [400, 0]],
  ['a negative Content-Length', `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n`, [400, 0]],
  ['a JSON body of nesting', `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n${'['.repeat(100_000)}${']'.repeat(100_000)}`, [400]],
  ['an unknown method', `BREW /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n`, [400, 404, 405, 0]],
  ['HTTP/0.9 style', `GET /\r\n\r\n`, [200, 400, 0]],
  ['garbage', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), [400, 0]],
];

describe('the api survives malformed requests (issue 16, item 1)', () => {
  it('answers each request of the corpus as expected (never a 5xx) and stays up', async () => {
    const answers: string[] = [];
    for (const [what, bytes, expected] of corpus()) {
      const status = await raw(bytes);
      answers.push(`${status} ${what}`);
      expect(await api.alive(), `api died after: ${what}\n${api.proc.output().slice(-2000)}`).toBe(true);
      expect(expected, `${what}: got ${status}`).toContain(status);
    }
    // The same attack repeated does not add up to anything either.
    for (let i = 0; i < 20; i++) await raw(upgrade('/api/live', 'Cookie: korobka_sid=%E0%A4%A\r\n'));
    for (let i = 0; i < 20; i++) await raw(upgrade('//['));
    expect(await api.alive()).toBe(true);
    expect(api.proc.output()).not.toMatch(/uncaught exception/);
  });

  it('still opens the live feed for a signed-in superadmin after the corpus', async () => {
    expect(await raw(upgrade('/api/live', `Cookie: ${session}\r\nOrigin: https://localhost:${api.port}\r\n`).replace('Host: localhost', `Host: localhost:${api.port}`))).toBe(101);
  });
});
