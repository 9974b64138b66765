// The tenant's pause policy applied to one call's recording (issue 16 item
// 11; the policy itself: services/recordings/pause-policy.ts). A pause of a
// mandatory recording is checked against who asks, raises the alarm, and
// resumes by itself after the policy's limit. Kept out of recording.ts, which
// knows rtpengine's captures, not policies.
import type { Logger } from '../../common/logger';
import { ALARM_MANDATORY_PAUSED, DEFAULT_PAUSE_POLICY, mayPause, PAUSE_POLICY_SETTING, pausePolicyOf, type PauseActor, type PausePolicy, type RecordingMode } from '../../recordings';
import { recordingActionRefused } from './recording-control-errors';

export interface MandatoryPause {
  tenantId: number;
  cdrId: string;
  recordingId: string;
  by: PauseActor;
  maxSeconds: number;
}

export interface PauseGuardDeps {
  /** The tenant's pause policy; the default (employee, 120 s) without one. */
  pausePolicy?(tenantId: number): PausePolicy;
  /** A mandatory recording was paused: the service raises the alarm. */
  onMandatoryPause?(e: MandatoryPause): void;
}

export class PauseGuard {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: PauseGuardDeps,
    private readonly log: Logger,
  ) {}

  /** The policy a pause is under (undefined: the recording is not mandatory); throws the refusal when `by` may not pause. */
  check(tenantId: number, mode: RecordingMode, by: PauseActor): PausePolicy | undefined {
    if (mode !== 'always') return undefined;
    const policy = this.deps.pausePolicy?.(tenantId) ?? DEFAULT_PAUSE_POLICY;
    if (!mayPause(policy, by)) throw recordingActionRefused.pauseNotAllowed(policy.who, by);
    return policy;
  }

  /** A mandatory recording was paused: the alarm now, `resume` after the limit (unless resumed or ended before). */
  paused(e: MandatoryPause, resume: () => Promise<unknown>): void {
    this.clear();
    this.log.warn('mandatory recording paused', { recordingId: e.recordingId, by: e.by, maxSeconds: e.maxSeconds });
    try {
      this.deps.onMandatoryPause?.(e);
    } catch (err) {
      // The alarm is the record of it; failing to write one must not undo the pause nor the limit.
      this.log.error('mandatory pause alarm failed', { err: err instanceof Error ? err.message : String(err) });
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.log.warn('mandatory recording resumed at the pause limit', { recordingId: e.recordingId, maxSeconds: e.maxSeconds });
      resume().catch((err: unknown) => this.log.warn('automatic resume failed', { recordingId: e.recordingId, err: err instanceof Error ? err.message : String(err) }));
    }, e.maxSeconds * 1000);
    this.timer.unref();
  }

  /** Resumed, stopped or ended: no automatic resume any more. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The policy from the tenant's settings and the alarm in the alarms table: what the service wires in. */
export function storedPauseGuard(store: {
  settings: { get<T>(key: string, tenantId?: number | null): T | undefined };
  alarms: { raise(a: { code: string; severity: 'warning'; tenantId: number; source: string; message: string; details?: Record<string, unknown> }): boolean };
}): Required<PauseGuardDeps> {
  return {
    pausePolicy: (tenantId) => pausePolicyOf(store.settings.get(PAUSE_POLICY_SETTING, tenantId)),
    onMandatoryPause: (e) => {
      store.alarms.raise({
        code: ALARM_MANDATORY_PAUSED,
        severity: 'warning',
        tenantId: e.tenantId,
        source: 'call-control',
        message: `a mandatory recording was paused by the ${e.by} (it resumes by itself after ${e.maxSeconds} s)`,
        details: { cdrId: e.cdrId, recordingId: e.recordingId, by: e.by, maxSeconds: e.maxSeconds, at: new Date().toISOString() },
      });
    },
  };
}
