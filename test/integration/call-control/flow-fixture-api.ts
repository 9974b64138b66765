// The admin api of a running appliance as a call-flow fixture drives it:
// a tenant admin logged in with a session cookie and its CSRF token, JSON
// in and out over HTTPS (the appliance's own CA) on loopback.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { Appliance } from '../appliance/appliance';

export interface ApiReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the api, read by field in the test
  body: any;
}

export interface AdminApi {
  get(url: string): Promise<ApiReply>;
  post(url: string, body: unknown): Promise<ApiReply>;
  put(url: string, body: unknown): Promise<ApiReply>;
  patch(url: string, body: unknown): Promise<ApiReply>;
}

export async function adminApi(app: Appliance, user: { username: string; password: string }): Promise<AdminApi> {
  const ca = readFileSync(path.join(app.dataDir, 'tls', 'ca.crt'));
  const request = (method: string, url: string, body: unknown, headers: Record<string, string>) =>
    new Promise<ApiReply & { headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: '127.0.0.1',
          port: app.ports.api,
          method,
          path: url,
          ca,
          servername: 'localhost',
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          let s = '';
          res.on('data', (d: Buffer) => (s += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: s ? JSON.parse(s) : undefined }));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  const login = await request('POST', '/api/auth/login', user, {});
  if (login.status !== 200) throw new Error(`login as ${user.username}: ${login.status} ${JSON.stringify(login.body)}`);
  const cookie = String((login.headers['set-cookie'] as string[])[0]).split(';')[0]!;
  const auth = { cookie, 'x-csrf-token': String(login.body.csrfToken) };
  return {
    get: (url) => request('GET', url, undefined, auth),
    post: (url, body) => request('POST', url, body, auth),
    put: (url, body) => request('PUT', url, body, auth),
    patch: (url, body) => request('PATCH', url, body, auth),
  };
}
