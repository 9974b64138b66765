import type { Api } from './api';
import type { Health, LiveMessage, SystemInfo } from './types';

export const getSystem = (api: Api) => api.get<SystemInfo>('/api/system');

/** /api/health answers 503 with the same body when degraded: both are answers. */
export async function getHealth(): Promise<Health> {
  const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
  return (await res.json()) as Health;
}

/** Close code the api uses when the session behind a feed ends (services/api/live). */
const SESSION_ENDED = 4001;

/**
 * The live feed over a WebSocket, authenticated by the session cookie;
 * reconnects with back-off until closed.
 */
export class LiveFeed {
  private socket: WebSocket | null = null;
  private closed = false;
  private retryMs = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onMessage: (m: LiveMessage) => void,
    private readonly onState: (connected: boolean) => void,
    /** The server closed the feed because the session ended (close code 4001). */
    private readonly onSessionEnded: () => void = () => undefined,
  ) {}

  open(): void {
    this.closed = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
    const ws = new WebSocket(url);
    this.socket = ws;
    ws.onopen = () => {
      this.retryMs = 1000;
      this.onState(true);
    };
    ws.onmessage = (ev) => {
      try {
        this.onMessage(JSON.parse(String(ev.data)) as LiveMessage);
      } catch {
        // A malformed frame is skipped; the next one comes in seconds.
      }
    };
    ws.onclose = (ev) => {
      this.onState(false);
      if (this.closed) return;
      if (ev.code === SESSION_ENDED) {
        this.closed = true;
        this.onSessionEnded();
        return;
      }
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }
}
