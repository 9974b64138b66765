// The api's side of call-control's local control channel
// (services/call-control/control/protocol.ts): HTTP over the Unix socket,
// with a timeout. A missing or refusing socket is call-control not running:
// 503 `call-control-unavailable`. call-control's own errors (404 call not
// found, 409 recording refused, 400) are passed on with their codes.
import http from 'node:http';
import { AppError } from '../../../common/errors';

export const callControlUnavailable = (why: string) =>
  new AppError(503, 'call-control-unavailable', `call-control is not reachable on its control channel: ${why}`);
export const callControlTimeout = (ms: number) => new AppError(504, 'call-control-timeout', `call-control did not answer within ${ms} ms`);

const MAX_ANSWER = 4 * 1024 * 1024;

export interface CallControlClientOptions {
  socketPath: string;
  timeoutMs?: number;
}

export class CallControlClient {
  constructor(private readonly opts: CallControlClientOptions) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.opts.socketPath,
          method,
          path,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER) req.destroy(callControlUnavailable('answer too large'));
            else chunks.push(c);
          });
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return reject(callControlUnavailable('answer is not JSON'));
            }
            const status = res.statusCode ?? 500;
            if (status >= 200 && status < 300) return resolve(parsed as T);
            const e = parsed as { code?: unknown; message?: unknown; details?: unknown };
            // call-control's own verdicts (404, 409, 400, and 502 when rtpengine failed) pass on; a bare 500 is a fault there.
            if (typeof e.code === 'string' && typeof e.message === 'string' && e.code !== 'internal-error') return reject(new AppError(status, e.code, e.message, e.details));
            reject(callControlUnavailable(`answered ${status}`));
          });
          res.on('error', (err) => reject(callControlUnavailable(err.message)));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(callControlTimeout(timeoutMs)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof AppError) return reject(err);
        const why = err.code === 'ENOENT' ? 'no socket (call-control not running)' : err.code === 'ECONNREFUSED' ? 'connection refused (call-control not running)' : err.code ?? err.message;
        reject(callControlUnavailable(why));
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
