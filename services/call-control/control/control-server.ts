// call-control's side of the local control channel (protocol.ts): a small
// HTTP server on a Unix socket, mode 0600. Every input is validated; bad
// input gets a 4xx in the box's error shape and changes nothing; nothing a
// client sends can take the process down.
import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { z } from 'zod';
import { AppError, isAppError, validationFailed } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { RecordingControl } from '../calls/recording-control';
import { callIdSchema, recordingActionSchema, tenantQuerySchema } from './protocol';

const MAX_BODY = 4096;
/** Linux sun_path is 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const notFound = (method: string, p: string) => new AppError(404, 'route-not-found', `no such endpoint: ${method} ${p.slice(0, 200)}`);
const tooLarge = () => new AppError(413, 'payload-too-large', `request body is larger than ${MAX_BODY} bytes`);
const badJson = () => new AppError(400, 'invalid-json', 'request body is not valid JSON');

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw validationFailed(r.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badJson();
  }
}

function decodeId(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw validationFailed([{ field: 'id', message: 'bad percent-encoding' }]);
  }
  return parse(callIdSchema, id);
}

export class ControlServer {
  private constructor(
    private readonly server: http.Server,
    readonly socketPath: string,
  ) {}

  static async listen(socketPath: string, deps: { control: RecordingControl; log: Logger }): Promise<ControlServer> {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) throw new Error(`calls.controlSocket: ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes (a Unix socket path limit)`);
    mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o750 });
    // A socket left by a killed process would make listen fail with EADDRINUSE; only a socket is ever removed.
    if (existsSync(socketPath)) {
      if (!lstatSync(socketPath).isSocket()) throw new Error(`calls.controlSocket: ${socketPath} exists and is not a socket`);
      unlinkSync(socketPath);
    }
    const server = http.createServer((req, res) => void handle(req, res, deps));
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    server.maxHeadersCount = 50;
    // The socket is created by listen(): a restrictive umask makes it 0600 from its first moment.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(socketPath, 0o600);
    server.on('error', (err) => deps.log.error('control channel error', { err }));
    return new ControlServer(server, socketPath);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, deps: { control: RecordingControl; log: Logger }): Promise<void> {
  const send = (status: number, body: unknown) => {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  try {
    const { status, body } = await route(req, deps.control);
    send(status, body);
  } catch (err) {
    if (isAppError(err)) {
      send(err.status, err.toBody());
      return;
    }
    deps.log.error('control request failed', { method: req.method, err: err instanceof Error ? err.message : String(err) });
    send(500, { status: 500, code: 'internal-error', message: 'call-control could not handle the request' });
  }
}

async function route(req: http.IncomingMessage, control: RecordingControl): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://call-control');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  if (method === 'GET' && parts.length === 1 && parts[0] === 'calls') {
    const q = parse(tenantQuerySchema, Object.fromEntries(url.searchParams));
    return { status: 200, body: { calls: control.list(q.tenantId) } };
  }
  if (method === 'GET' && parts.length === 2 && parts[0] === 'calls') {
    return { status: 200, body: { call: control.get(decodeId(parts[1]!)) } };
  }
  if (method === 'POST' && parts.length === 3 && parts[0] === 'calls' && parts[2] === 'recording') {
    const id = decodeId(parts[1]!);
    const { action, by } = parse(recordingActionSchema, await readJson(req));
    return { status: 200, body: { call: await control.act(id, action, by ?? 'employee') } };
  }
  throw notFound(method, url.pathname);
}
