// /api/live: a WebSocket that pushes system figures every few seconds to
// signed-in users allowed `system.read`. Authenticated by the same session
// cookie as the REST api; the Origin must be this host (cross-site
// WebSocket hijacking), and a session that ends closes its sockets.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiDeps } from '../context';
import { SESSION_COOKIE } from '../middleware/session';
import { allowed } from '../rbac';
import type { SystemInfo, SystemMonitor, SystemSample } from './system-monitor';

const MAX_CLIENTS = 200;

export interface LiveProcess {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  healthy: boolean;
}

/** One push of /api/live: the figures without the history, the new sample, the process states. */
export interface LiveMessage {
  type: 'system';
  sample: SystemSample | undefined;
  system: Omit<SystemInfo, 'history'>;
  processes: LiveProcess[] | null;
}
/** Close codes in the private range (RFC 6455 §7.4.2). */
export const CLOSE_SESSION_ENDED = 4001;

/**
 * The session cookie's value, or undefined. Never throws: a value that does
 * not percent-decode (`%E0%A4%A`) once killed the api through an uncaught
 * URIError, so it is taken as written (a session id is base64url anyway).
 */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      const raw = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

/** The request's path, or undefined when the target is not a URL (`//[`). */
function pathnameOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'https://localhost').pathname;
  } catch {
    return undefined;
  }
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: cookies are the only gate
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export class LiveServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly attached = new WeakSet<Server>();
  private readonly sessions = new Map<WebSocket, { sid: string; server: Server }>();
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: ApiDeps,
    private readonly monitor: SystemMonitor,
  ) {}

  isAttached(server: Server): boolean {
    return this.attached.has(server);
  }

  /** Takes over WebSocket upgrades on this server (idempotent). */
  attach(server: Server): void {
    if (this.attached.has(server)) return;
    this.attached.add(server);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A reset mid-answer must not become an uncaught 'error' event.
      socket.on('error', () => socket.destroy());
      // The upgrade path is total: whatever a crafted request makes throw is
      // a 400 for that request, never the end of the process.
      try {
        this.upgrade(server, req, socket, head);
      } catch (err) {
        this.deps.log.warn('websocket upgrade refused', { err, reason: 'exception' });
        refuse(socket, 400, 'Bad Request');
      }
    });
  }

  private userFor(req: IncomingMessage): { sid: string } | { status: number; text: string } {
    const sid = cookie(req.headers.cookie, SESSION_COOKIE);
    const s = sid ? this.deps.store.sessions.find(sid, this.deps.now?.() ?? new Date()) : undefined;
    const user = s && this.deps.store.users.get(s.userId);
    if (!sid || !user || user.disabled) return { status: 401, text: 'Unauthorized' };
    if (user.mustChangePassword || !allowed(user.role, 'system.read')) return { status: 403, text: 'Forbidden' };
    return { sid };
  }

  private upgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const pathname = pathnameOf(req.url);
    if (pathname === undefined) return refuse(socket, 400, 'Bad Request');
    if (pathname !== '/api/live') return refuse(socket, 404, 'Not Found');
    if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
    const who = this.userFor(req);
    if ('status' in who) return refuse(socket, who.status, who.text);
    if (this.sessions.size >= MAX_CLIENTS) return refuse(socket, 503, 'Service Unavailable');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(server, ws, who.sid));
  }

  private connected(server: Server, ws: WebSocket, sid: string): void {
    this.sessions.set(ws, { sid, server });
    this.startWatchdog();
    ws.on('close', () => {
      this.sessions.delete(ws);
      if (this.sessions.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    });
    ws.on('error', () => ws.terminate());
    // Messages from the browser are not expected; the feed is one-way.
    ws.on('message', () => undefined);
    void this.monitor.snapshot().then((info) => this.send(ws, info, info.history.at(-1)), () => undefined);
    this.unsubscribe ??= this.monitor.subscribe((info, sample) => this.push(info, sample));
  }

  /** The supervisor's process states as /api/health shows them; null when no supervisor runs. */
  private processes(): LiveProcess[] | null {
    const status = this.deps.supervisorStatus();
    if (!status) return null;
    return status.processes.map((p) => ({
      name: p.name,
      state: p.state,
      pid: p.pid,
      restarts: p.restarts,
      healthy: p.state === 'running' && (p.health === null || p.health.ok !== false),
    }));
  }

  private send(ws: WebSocket, info: SystemInfo, sample: SystemSample | undefined): void {
    // The chart's history came with GET /api/system; each push adds one sample.
    const { history: _history, ...system } = info;
    const message: LiveMessage = { type: 'system', sample, system, processes: this.processes() };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  /**
   * Upgraded sockets are not closed by server.close() or
   * closeAllConnections(), so close() would wait for them: once the server
   * stops listening (the api is stopping), end them.
   */
  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      for (const [ws, { server }] of this.sessions) if (!server.listening) ws.terminate();
    }, 250);
    this.watchdog.unref();
  }

  private push(info: SystemInfo, sample: SystemSample | undefined): void {
    const now = this.deps.now?.() ?? new Date();
    for (const [ws, { sid }] of this.sessions) {
      if (!this.deps.store.sessions.find(sid, now)) {
        ws.close(CLOSE_SESSION_ENDED, 'session ended');
        continue;
      }
      this.send(ws, info, sample);
    }
  }

  close(): void {
    clearInterval(this.watchdog);
    for (const ws of this.sessions.keys()) ws.terminate();
    this.unsubscribe?.();
    this.wss.close();
  }
}
