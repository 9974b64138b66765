// A Leg without SIP: records what was done to it, and lets a test play the
// far end (hang up, send a digit, a re-INVITE or a REFER).
import { Events } from '../../../services/call-control/call/events';
import type { DtmfDigit, Leg, LegEvents, LegRole, LegState } from '../../../services/call-control/call/leg';
import type { CdrRecorder } from '../../../services/call-control/cdr/cdr-recorder';
import type { CallEvent } from '../../../services/call-control/cdr/cdr-machine';

export class FakeLeg implements Leg {
  state: LegState = 'offered';
  readonly sent: string[] = [];
  remoteSdp: string | undefined = 'v=0\r\n';
  private readonly events = new Events<LegEvents>();

  constructor(
    readonly id: string,
    readonly role: LegRole = 'caller',
    readonly number = '201',
    readonly mediaTag = `tag-${id}`,
  ) {}

  provisional(status: number): void {
    this.sent.push(String(status));
    if (this.state === 'offered') this.state = 'early';
  }

  /** The SDP the leg was answered with. */
  answeredWith: string | undefined;

  async answer(sdp: string): Promise<void> {
    this.answeredWith = sdp;
    this.sent.push('200');
    this.state = 'answered';
  }

  reject(status: number): void {
    this.sent.push(String(status));
    this.state = 'ended';
  }

  async reinvite(sdp: string): Promise<string> {
    this.sent.push('re-INVITE');
    return sdp;
  }

  async hangup(): Promise<void> {
    if (this.state === 'ended') return;
    this.sent.push(this.state === 'answered' ? 'BYE' : 'CANCEL');
    this.state = 'ended';
  }

  on<E extends keyof LegEvents>(event: E, fn: (...args: LegEvents[E]) => void): () => void {
    return this.events.on(event, fn);
  }

  /** The far end hangs up. */
  farBye(): void {
    this.state = 'ended';
    this.events.emit('bye');
  }

  farDigit(d: DtmfDigit): void {
    this.events.emit('dtmf', d);
  }
}

/** A CdrRecorder's event() that keeps the events. */
export function fakeRecorder(): Pick<CdrRecorder, 'event'> & { events: Array<{ callId: string; e: CallEvent }> } {
  const events: Array<{ callId: string; e: CallEvent }> = [];
  return {
    events,
    event: (callId, e) => {
      events.push({ callId, e });
      return undefined;
    },
  };
}
