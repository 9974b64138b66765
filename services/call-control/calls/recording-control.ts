// Recording actions on calls in progress, from the local control channel
// (the API) and from feature codes pressed on a phone. Finds the call in the
// live registry and hands the action to its CallRecording, which knows the
// policy and the capture's state (recording.ts).
import type { Logger } from '../../common/logger';
import type { PauseActor, RecordingMode } from '../../recordings';
import type { LiveCall, LiveCalls } from './live-calls';
import type { RecordingAction, RecordingState } from './recording';
import { liveCallNotFound, recordingActionRefused } from './recording-control-errors';
import type { FeatureCode } from './recording-control-codes';

/** A live call as the control channel shows it. */
export interface LiveCallView {
  id: string;
  tenantId: number;
  caller: string;
  callee: string;
  /** ISO 8601 */
  answeredAt: string;
  recording: { state: RecordingState; mode: RecordingMode; recordingId: string | null };
}

export function viewOf(c: LiveCall): LiveCallView {
  return {
    id: c.id,
    tenantId: c.tenantId,
    caller: c.caller,
    callee: c.callee,
    answeredAt: new Date(c.answeredAt).toISOString(),
    recording: { state: c.recording?.state ?? 'off', mode: c.recording?.mode ?? 'never', recordingId: c.recording?.recordingId ?? null },
  };
}

export class RecordingControl {
  constructor(private readonly deps: { live: LiveCalls; log: Logger }) {}

  list(tenantId?: number): LiveCallView[] {
    const out: LiveCallView[] = [];
    for (const s of this.deps.live.list(tenantId)) {
      const c = this.deps.live.get(s.id);
      if (c) out.push(viewOf(c));
    }
    return out.sort((a, b) => a.answeredAt.localeCompare(b.answeredAt));
  }

  get(id: string): LiveCallView {
    const c = this.deps.live.get(id);
    if (!c) throw liveCallNotFound(id);
    return viewOf(c);
  }

  async act(id: string, action: RecordingAction, by: PauseActor = 'employee'): Promise<LiveCallView> {
    const c = this.deps.live.get(id);
    if (!c) throw liveCallNotFound(id);
    if (!c.recording) throw recordingActionRefused.unavailable();
    await c.recording.act(action, by);
    return viewOf(c);
  }

  /**
   * A feature code from a phone (rtpengine's DTMF report names the call and
   * the sending party's tag). `*1` starts or stops, `*2` pauses or resumes.
   * Only the tenant's own extensions may; a refusal is logged, never sent anywhere.
   */
  async featureCode(callId: string, sourceTag: string, code: FeatureCode): Promise<void> {
    const c = this.deps.live.get(callId);
    if (!c?.recording) return;
    const log = this.deps.log.child({ callId });
    const party = sourceTag === c.legs.tagA ? 'caller' : sourceTag === c.legs.tagB ? 'callee' : undefined;
    if (!party || !(c.extensionParties ?? ['caller', 'callee']).includes(party)) {
      log.warn('feature code ignored: not from an extension of the call', { code, party: party ?? 'unknown' });
      return;
    }
    const state = c.recording.state;
    const action: RecordingAction = code === 'toggleRecording' ? (state === 'off' ? 'start' : 'stop') : state === 'paused' ? 'resume' : 'pause';
    try {
      // A phone's code is the employee's, whoever holds the phone (issue 16 item 11: the pause policy).
      await c.recording.act(action, 'employee');
    } catch (err) {
      log.warn('feature code refused', { code, action, party, err: err instanceof Error ? err.message : String(err), reason: (err as { code?: unknown }).code });
    }
  }
}
