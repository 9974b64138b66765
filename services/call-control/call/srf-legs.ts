// Legs over drachtio-srf: the caller's INVITE (our UAS side) and, once we
// answer it, its dialog. The bridged flows (fork-call.ts, outbound-call.ts,
// transfer.ts) still answer the caller with srf directly; the leg reads its
// state from srf's own request, response and dialog, so Call.end() knows
// whether the caller still waits for a final response, whichever code sent it.
import { Events } from './events';
import type { Leg, LegEvents, LegState } from './leg';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and dialogs
type Loose = any;

export class SrfCallerLeg implements Leg {
  readonly role = 'caller' as const;
  /** The dialog the PBX answered the caller with (answer()); the bridged flows keep theirs. */
  dialog: Loose;
  private cancelledByCaller = false;
  private hungUp = false;
  private readonly events = new Events<LegEvents>();

  constructor(
    private readonly srf: Loose,
    readonly req: Loose,
    readonly res: Loose,
    readonly number: string,
    /** The caller's From tag: rtpengine's name for this party. */
    readonly mediaTag: string,
  ) {
    // RFC 3261 §9.2: the caller gave up before our final response.
    req.on('cancel', () => {
      this.cancelledByCaller = true;
      this.events.emit('bye');
    });
  }

  get id(): string {
    return this.mediaTag;
  }

  /** The caller sent CANCEL. */
  get cancelled(): boolean {
    return this.cancelledByCaller;
  }

  get remoteSdp(): string | undefined {
    return this.dialog?.remote?.sdp ?? (this.req.body || undefined);
  }

  get state(): LegState {
    if (this.dialog) return this.dialog.connected && !this.hungUp ? 'answered' : 'ended';
    if (this.res.finalResponseSent) return Number(this.res.status) < 300 ? 'answered' : 'ended';
    if (this.cancelledByCaller) return 'ended';
    return this.provisionalSent ? 'early' : 'offered';
  }

  private provisionalSent = false;

  provisional(status: 180 | 181 | 183, reason: string, sdp?: string): void {
    if (this.res.finalResponseSent) return;
    this.provisionalSent = true;
    this.res.send(status, reason, sdp ? { body: sdp, headers: { 'Content-Type': 'application/sdp' } } : {});
  }

  async answer(sdp: string): Promise<void> {
    if (this.dialog) return;
    const dialog = await this.srf.createUAS(this.req, this.res, { localSdp: sdp, headers: {} });
    this.dialog = dialog;
    dialog.on('destroy', () => this.events.emit('bye'));
    dialog.on('modify', (req: Loose, res: Loose) =>
      this.events.emit('reinvite', {
        sdp: req.body || undefined,
        accept: (answer) => res.send(200, { body: answer, headers: { 'Content-Type': 'application/sdp' } }),
        refuse: (status, reason) => res.send(status, reason, {}),
      }),
    );
    dialog.on('refer', (req: Loose, res: Loose) => this.events.emit('refer', { referTo: String(req.get('Refer-To') ?? ''), req, res }));
    dialog.on('info', (req: Loose, res: Loose) => {
      res.send(200);
      const digit = dtmfRelayDigit(String(req.get('Content-Type') ?? ''), String(req.body ?? ''));
      if (digit) this.events.emit('dtmf', digit);
    });
  }

  reject(status: number, reason: string, headers: Record<string, string> = {}): void {
    if (!this.res.finalResponseSent) this.res.send(status, reason, { headers });
  }

  async reinvite(sdp: string): Promise<string> {
    if (!this.dialog) throw new Error('re-INVITE on a leg not answered by the PBX');
    return String(await this.dialog.modify(sdp));
  }

  async hangup(): Promise<void> {
    if (this.dialog) {
      if (this.hungUp || !this.dialog.connected) return;
      this.hungUp = true;
      await this.dialog.destroy();
      return;
    }
    this.reject(480, 'Temporarily Unavailable');
  }

  on<E extends keyof LegEvents>(event: E, fn: (...args: LegEvents[E]) => void): () => void {
    return this.events.on(event, fn);
  }
}

/**
 * SIP INFO DTMF (application/dtmf-relay, the de facto format of Cisco and
 * most phones: `Signal=5\r\nDuration=160`; application/dtmf: the digit alone).
 */
export function dtmfRelayDigit(contentType: string, body: string): { digit: string; source: 'info'; durationMs?: number } | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let signal: string | undefined;
  let duration: number | undefined;
  if (type === 'application/dtmf-relay') {
    for (const line of body.split(/\r?\n/)) {
      const m = /^\s*(signal|duration)\s*=\s*(\S+)\s*$/i.exec(line);
      if (!m) continue;
      if (m[1]!.toLowerCase() === 'signal') signal = m[2];
      else duration = Number.parseInt(m[2]!, 10);
    }
  } else if (type === 'application/dtmf') {
    signal = body.trim();
  }
  if (signal === undefined || !/^[0-9*#A-Da-d]$/.test(signal)) return undefined;
  return { digit: signal.toUpperCase(), source: 'info', ...(duration !== undefined && Number.isFinite(duration) ? { durationMs: duration } : {}) };
}

/** A leg we placed and that answered (a ring group's member): a view of its srf dialog. */
export class SrfDialogLeg implements Leg {
  readonly role = 'callee' as const;
  private readonly events = new Events<LegEvents>();

  constructor(
    readonly dialog: Loose,
    readonly number: string,
  ) {}

  get id(): string {
    return String(this.dialog.sip?.remoteTag ?? this.dialog.id);
  }

  get mediaTag(): string {
    return String(this.dialog.sip?.remoteTag ?? '');
  }

  get state(): LegState {
    return this.dialog.connected ? 'answered' : 'ended';
  }

  get remoteSdp(): string | undefined {
    return this.dialog.remote?.sdp;
  }

  provisional(): void {}

  async answer(): Promise<void> {
    throw new Error('a leg we placed is answered by the far end');
  }

  reject(): void {}

  async reinvite(sdp: string): Promise<string> {
    return String(await this.dialog.modify(sdp));
  }

  async hangup(): Promise<void> {
    if (this.dialog.connected) await this.dialog.destroy();
  }

  on<E extends keyof LegEvents>(event: E, fn: (...args: LegEvents[E]) => void): () => void {
    return this.events.on(event, fn);
  }
}
