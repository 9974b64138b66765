// Forwards audit rows to the SIEM receiver, in order, from a durable cursor:
// while the receiver is down nothing is lost, the rows wait in the audit log
// and go out after it comes back. The cursor moves when the socket accepted a
// batch; a connection that breaks within `resendWindowMs` of a write rewinds
// the cursor to before it (TCP has no receipt), so a batch may arrive twice,
// never not at all — the receiver dedups by the row id each message carries.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../common/logger';
import type { Store } from '../store';
import { frame } from './format';
import { SIEM_CURSOR_KEY, SIEM_SETTINGS_KEY, siemSettingsSchema, type SiemSettings } from './settings';

export interface SiemStatus {
  enabled: boolean;
  connected: boolean;
  /** Id of the last audit row the receiver's socket accepted. */
  cursor: number;
  lastRowId: number;
  lastError: string | null;
  lastSentAt: string | null;
}

export interface SiemForwarderOptions {
  store: Store;
  log: Logger;
  hostname: string;
  version: string;
  pollMs?: number;
  batchRows?: number;
  connectTimeoutMs?: number;
  resendWindowMs?: number;
  now?: () => Date;
}

interface Sent {
  cursorBefore: number;
  at: number;
}

export class SiemForwarder {
  private socket: net.Socket | undefined;
  private socketFor = '';
  private lastTried = '';
  private connected = false;
  private sent: Sent[] = [];
  private lastError: string | null = null;
  private lastSentAt: string | null = null;
  private retryAt = 0;
  private backoffMs = 1000;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: SiemForwarderOptions) {}

  private now(): number {
    return (this.o.now?.() ?? new Date()).getTime();
  }

  settings(): SiemSettings | undefined {
    const raw = this.o.store.settings.get<unknown>(SIEM_SETTINGS_KEY);
    const parsed = siemSettingsSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  cursor(): number {
    return this.o.store.settings.get<number>(SIEM_CURSOR_KEY) ?? 0;
  }

  private setCursor(id: number): void {
    this.o.store.settings.set(SIEM_CURSOR_KEY, id);
  }

  status(): SiemStatus {
    const newest = this.o.store.audit.list({ limit: 1 }).rows[0]?.id ?? 0;
    return { enabled: this.settings()?.enabled ?? false, connected: this.connected, cursor: this.cursor(), lastRowId: newest, lastError: this.lastError, lastSentAt: this.lastSentAt };
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.o.pollMs ?? 1000);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.drop();
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.socketFor = '';
    this.connected = false;
  }

  /** The connection broke: rows written shortly before may not have arrived; send them again. */
  private broken(why: string): void {
    const since = this.now() - (this.o.resendWindowMs ?? 10_000);
    const first = this.sent.find((s) => s.at >= since);
    if (first && first.cursorBefore < this.cursor()) this.setCursor(first.cursorBefore);
    this.sent = [];
    this.lastError = why;
    this.drop();
    this.retryAt = this.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
  }

  private connect(s: SiemSettings): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const opts = { host: s.host, port: s.port };
      const sock =
        s.protocol === 'tls'
          ? tls.connect({ ...opts, ...(s.ca ? { ca: s.ca } : {}), ...(net.isIP(s.host) ? {} : { servername: s.host }), minVersion: 'TLSv1.2' })
          : net.connect(opts);
      const timer = setTimeout(() => sock.destroy(new Error(`no connection to ${s.host}:${s.port} within ${this.o.connectTimeoutMs ?? 5000} ms`)), this.o.connectTimeoutMs ?? 5000);
      sock.once(s.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private async ensureSocket(s: SiemSettings): Promise<net.Socket | undefined> {
    const key = JSON.stringify(s);
    if (this.socket && this.socketFor === key && this.connected) return this.socket;
    this.drop();
    // New settings are tried at once; the same ones wait out the backoff.
    if (key !== this.lastTried) {
      this.lastTried = key;
      this.retryAt = 0;
      this.backoffMs = 1000;
    }
    if (this.now() < this.retryAt) return undefined;
    try {
      const sock = await this.connect(s);
      sock.on('error', (e) => {
        if (this.socket === sock) this.broken(e.message);
      });
      sock.on('close', () => {
        if (this.socket === sock) this.broken('the receiver closed the connection');
      });
      // A receiver sends nothing back; reading keeps 'close' and errors coming.
      sock.on('data', () => undefined);
      this.socket = sock;
      this.socketFor = key;
      this.connected = true;
      this.backoffMs = 1000;
      this.lastError = null;
      this.o.log.info('siem receiver connected', { host: s.host, port: s.port, protocol: s.protocol, format: s.format });
      return sock;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.retryAt = this.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
      this.o.log.warn('siem receiver unreachable; audit events wait in the log', { host: s.host, port: s.port, err: this.lastError });
      return undefined;
    }
  }

  /** One pass: connect if needed and send everything after the cursor, batch by batch. */
  async tick(): Promise<void> {
    const s = this.settings();
    if (!s?.enabled) {
      this.drop();
      return;
    }
    const sock = await this.ensureSocket(s);
    if (!sock) return;
    for (;;) {
      const cursor = this.cursor();
      const rows = this.o.store.audit.after(cursor, this.o.batchRows ?? 200);
      if (rows.length === 0 || this.socket !== sock) return;
      const data = Buffer.concat(rows.map((r) => frame(r, s.format, { hostname: this.o.hostname, version: this.o.version })));
      const ok = await new Promise<boolean>((resolve) => sock.write(data, (err) => resolve(!err)));
      if (!ok || this.socket !== sock) return;
      this.sent.push({ cursorBefore: cursor, at: this.now() });
      this.sent = this.sent.filter((x) => x.at >= this.now() - (this.o.resendWindowMs ?? 10_000));
      this.setCursor(rows[rows.length - 1]!.id);
      this.lastSentAt = new Date(this.now()).toISOString();
    }
  }
}
