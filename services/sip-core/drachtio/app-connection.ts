// One authenticated (or not yet) drachtio-srf app on the admin port.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

let nextConnectionId = 1;

export class AppConnection {
  readonly id = nextConnectionId++;
  authenticated = false;
  tags: string[] = [];
  /** Lower-case verbs this app asked for with `route` (methods and `cdr:*`). */
  readonly routes = new Set<string>();
  closed = false;
  private corked = false;

  constructor(private readonly socket: Socket) {}

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`;
  }

  /** Sends `uuid|<tokens…>[CRLF sip]`; returns the uuid (message id). */
  send(tokens: readonly string[], sip?: string): string {
    const id = randomUUID();
    const leader = `${id}|${tokens.join('|')}`;
    this.write(sip === undefined ? leader : `${leader}\r\n${sip}`);
    return id;
  }

  /** Replies to the app command `rid`: `uuid|response|<rid>|<tokens…>`. */
  reply(rid: string, tokens: readonly string[], sip?: string): void {
    this.send(['response', rid, ...tokens], sip);
  }

  /** Writes out what this turn of the event loop queued, now rather than after the I/O phase. */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    // A peer that never reads must not keep the socket forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private write(payload: string): void {
    if (this.socket.destroyed) return;
    // Frames written in one event-loop turn leave in one segment: cork now,
    // uncork after the I/O phase (fewer syscalls under load; srf reassembles).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(`${Buffer.byteLength(payload, 'utf8')}#`);
    this.socket.write(payload, 'utf8');
  }
}
