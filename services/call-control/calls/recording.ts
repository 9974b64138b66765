// Whether and how one bridged call is recorded. Asked at B's final answer
// (a call nobody answered leaves no capture: rtpengine writes an empty pcap
// for a call recorded from the offer, which the recordings service could only
// fail on), with the tenant's stored policy and the recordings gate; a "no"
// from the gate leaves the call unrecorded and says why in the log.
//
// Two ng steps (facts from rtpengine 10.5 on this machine, notes part B.2):
// 1. `record call: yes` on the answer: rtpengine starts the pcap and writes
//    the answer's SDP into its metadata file (payload types for the decoder).
//    Only that SDP: the offer had gone through unrecorded.
// 2. `start recording` once the answer is through, with our metadata string
//    naming both channels as rtpengine's own ports (the port the caller sends
//    to from the SDP we gave A, the port the callee sends to from the SDP we
//    gave B). rtpengine keeps the last metadata given, and the recordings
//    pipeline prefers this map over SDPs, which a callee's re-INVITE would mix
//    up. A 200 with the same SDP as an earlier 183 never reaches our answer
//    callback (srf reuses the 183's answer), so step 2 alone starts recording.
//
// Later, during the call (recording-control.ts): on-demand start and stop,
// and pause/resume for card data. rtpengine 10.5 cannot pause a capture, so a
// pause is `stop recording` (after marking the capture `pausedAt`) and a
// resume is `start recording` with the same recording id and the paused span;
// the recordings service joins the captures into one recording
// (services/recordings/capture-groups.ts).
//
// A transfer moves the call onto a new rtpengine session (transfer.ts:
// rtpengine 10.5 has no `connect`). moveTo() makes the recording follow it,
// as a pause on the old session and a resume on the new one with the same
// recording id: the re-INVITEs' few hundred ms are a listed paused span. The
// channel map grows by the new session's ports, each on the side of the
// party whose place it takes: the transferee keeps its channel (the caller
// left, the callee right) and the target takes the transferor's. A paused
// recording stays paused; a resume later starts on the new session.
import { randomUUID } from 'node:crypto';
import { isAppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import {
  canRecord,
  decideRecording,
  encodeRecordingMetadata,
  policyFromRows,
  type CallDirection,
  type RecordingMetadata,
  type RecordingMode,
} from '../../recordings';
import type { MediaLegs } from './media-legs';
import type { PauseActor } from '../../recordings';
import { recordingActionRefused } from './recording-control-errors';
import { PauseGuard, type PauseGuardDeps } from './recording-pause';

/** Where a call's recording stands: what the live view shows. */
export type RecordingState = 'off' | 'recording' | 'paused';
export type RecordingAction = 'start' | 'stop' | 'pause' | 'resume';

/** What recording needs from the store and config; `store.recordings` and `store.alarms` fit as they are. */
export interface RecordingDeps extends PauseGuardDeps {
  policies: { policies(tenantId: number): Array<{ scope: 'tenant' | 'extension' | 'trunk'; target: string; mode: RecordingMode }> };
  alarms: { list(q: { active?: boolean; tenantId?: number }): { rows: Array<{ code: string; tenantId: number | null }> } };
  /** config.recordings.enabled */
  enabled: boolean;
}

export interface RecordedParties {
  tenantId: number;
  /** The CDR's id, which is also rtpengine's call id for this call. */
  cdrId: string;
  caller: string;
  callee: string;
  /** For the trunk level of the policy: an inbound or outbound call and its trunk's name (absent: internal). */
  direction?: CallDirection;
  trunk?: string;
}

/** The first audio stream's address as `addr:port` (`[v6]:port`), as the pipeline's channel map names endpoints. */
export function audioEndpoint(sdp: string): string | undefined {
  const [session = '', ...medias] = sdp.split(/^(?=m=)/m);
  const audio = medias.find((m) => /^m=audio [1-9]\d*/.test(m));
  if (!audio) return undefined;
  const port = /^m=audio (\d+)/.exec(audio)?.[1];
  // RFC 4566 §5.7: a media-level c= overrides the session-level one.
  const addr = /^c=IN IP[46] (\S+)/m.exec(audio)?.[1] ?? /^c=IN IP[46] (\S+)/m.exec(session)?.[1];
  if (!port || !addr) return undefined;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** What recording needs of the call's media legs; a re-offer exchange reports through onRenegotiated (media-legs.ts). */
type RecordedLegs = Pick<MediaLegs, 'sdpToA' | 'startRecording' | 'stopRecording'> &
  Partial<Pick<MediaLegs, 'sdpToCallee' | 'onRenegotiated'>>;

export class CallRecording {
  private meta: RecordingMetadata | undefined;
  private decided = false;
  private policy: RecordingMode = 'never';
  private current: RecordingState = 'off';
  private legs: RecordedLegs | undefined;
  private sdpToCallee: string | undefined;
  private pausedFrom = 0;
  private paused: Array<{ fromMs: number; toMs: number }> = [];
  /** Actions run one at a time: a pause must not overtake the start before it. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pauses: PauseGuard;

  constructor(
    private readonly deps: RecordingDeps,
    private call: RecordedParties,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.pauses = new PauseGuard(deps, log);
  }

  get recordingId(): string | undefined {
    return this.meta?.recordingId;
  }

  get state(): RecordingState {
    return this.current;
  }

  /** The policy that applied to this call (never before the answer). */
  get mode(): RecordingMode {
    return this.policy;
  }

  /** The trunk an outbound call went out on, known only once one answers (trunks/trunk-dialer.ts). */
  setTrunk(trunk: string): void {
    if (!this.decided) this.call = { ...this.call, trunk };
  }

  /** The extension whose phone answered (a forward target): the policy and the recording's callee are its own. */
  answeredBy(callee: string): void {
    if (!this.decided) this.call = { ...this.call, callee };
  }

  /** Decides once (policy, then the gate); true when this call is to be recorded. */
  decide(): boolean {
    if (this.decided) return this.meta !== undefined;
    this.decided = true;
    try {
      this.meta = this.ask();
      if (this.meta) this.current = 'recording';
    } catch (err) {
      // A policy or alarm we cannot read (database error) must not fail the call; the log says it went unrecorded.
      this.log.error('recording decision failed, call not recorded', { err: err instanceof Error ? err.message : String(err) });
    }
    return this.meta !== undefined;
  }

  private ask(): RecordingMetadata | undefined {
    const { tenantId, caller, callee } = this.call;
    const { direction = 'internal', trunk } = this.call;
    const decision = decideRecording({
      tenant: policyFromRows(this.deps.policies.policies(tenantId)),
      extension: [caller, callee],
      direction,
      ...(trunk !== undefined ? { trunk } : {}),
    });
    this.policy = decision.mode;
    if (!decision.recordAtAnswer) return undefined;
    const gate = canRecord({ enabled: this.deps.enabled, alarms: this.deps.alarms }, tenantId);
    if (!gate.ok) {
      this.log.warn('recording refused, call goes on unrecorded', { reason: gate.reason, policy: decision.source });
      return undefined;
    }
    const recordingId = `rec-${randomUUID()}`;
    this.log.info('recording call', { recordingId, policy: decision.source });
    return this.newMeta(recordingId);
  }

  private newMeta(recordingId: string): RecordingMetadata {
    const { tenantId, caller, callee, cdrId } = this.call;
    return { recordingId, tenantId: String(tenantId), cdrId, caller, callee };
  }

  /** ng options for B's final answer: step 1 above. */
  answerOptions(): { record?: true; recordingMetadata?: string } {
    return this.decide() && this.meta ? { record: true, recordingMetadata: encodeRecordingMetadata(this.meta) } : {};
  }

  /**
   * Step 2, after the answer: the channel map from the SDPs rtpengine gave
   * each side. A failure here leaves the capture labelled without channels
   * (the pipeline then guesses); the call goes on.
   */
  label(legs: RecordedLegs, sdpToCallee: string): Promise<void> {
    this.follow(legs);
    this.sdpToCallee = sdpToCallee;
    return this.serial(async () => {
      if (!this.decide() || !this.meta) return;
      this.meta = this.withChannels(this.meta);
      try {
        await legs.startRecording(encodeRecordingMetadata(this.meta));
      } catch (err) {
        this.log.error('start recording failed', {
          recordingId: this.meta.recordingId,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    });
  }

  private follow(legs: RecordedLegs): void {
    this.legs = legs;
    if ('onRenegotiated' in legs) legs.onRenegotiated = () => void this.relabel(legs);
  }

  /**
   * A re-offer exchange (hold, resume, from either side) may give a party
   * other rtpengine ports: the map then names old and new ones, and a
   * capture going on gets it at once (rtpengine keeps the last metadata).
   * An on-demand start later reads the new ports from the legs.
   */
  private relabel(legs: RecordedLegs): Promise<void> {
    return this.serial(async () => {
      if (legs !== this.legs) return;
      if (legs.sdpToCallee !== undefined) this.sdpToCallee = legs.sdpToCallee;
      if (!this.meta || this.current !== 'recording') return;
      const meta = this.withChannels(this.meta, this.meta.channels);
      const same = JSON.stringify(meta.channels) === JSON.stringify(this.meta.channels);
      this.meta = meta;
      if (same) return;
      try {
        await legs.startRecording(encodeRecordingMetadata({ ...meta, ...(this.paused.length ? { paused: this.paused } : {}) }));
        this.log.info('recording relabelled after a re-offer', { recordingId: meta.recordingId });
      } catch (err) {
        this.log.error('recording relabel failed', {
          recordingId: meta.recordingId,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    });
  }

  /**
   * `keep`: the channels of the sessions the call was on before a transfer,
   * which the joined captures still need (the pipeline reads one map for all).
   */
  private withChannels(meta: RecordingMetadata, keep?: RecordingMetadata['channels']): RecordingMetadata {
    const left = this.legs?.sdpToA === undefined ? undefined : audioEndpoint(this.legs.sdpToA);
    const right = this.sdpToCallee === undefined ? undefined : audioEndpoint(this.sdpToCallee);
    if (!left || !right) {
      this.log.warn('no channel map for the recording', { recordingId: meta.recordingId });
      return keep ? { ...meta, channels: keep } : meta;
    }
    const before = keep ?? { left: [], right: [] };
    return {
      ...meta,
      channels: {
        left: [...before.left.filter((e) => e !== right && e !== left), left],
        right: [...before.right.filter((e) => e !== left && e !== right), right],
      },
    };
  }

  /**
   * A transfer moved the call onto `legs` (a new rtpengine session; uas side
   * = left, uac side = right, sdpToCallee = what the uac side was given).
   * Call before the old session is deleted: its capture must end with the
   * pause mark, or the recordings service would store it alone.
   */
  moveTo(legs: RecordedLegs, sdpToCallee: string): Promise<void> {
    return this.serial(async () => {
      const old = this.legs;
      this.follow(legs);
      this.sdpToCallee = sdpToCallee;
      if (!this.meta || this.current === 'off') return;
      const meta = this.withChannels(this.meta, this.meta.channels);
      const log = { recordingId: meta.recordingId, state: this.current };
      try {
        if (this.current === 'paused') await this.movePaused(legs, meta);
        else await this.moveRecording(old, legs, meta);
        this.log.info('recording moved to the transferred call', log);
      } catch (err) {
        this.log.error('recording could not follow the transfer', { ...log, err: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  private async moveRecording(
    old: CallRecording['legs'],
    legs: NonNullable<CallRecording['legs']>,
    meta: RecordingMetadata,
  ): Promise<void> {
    const at = this.now();
    if (old) {
      try {
        await old.startRecording(
          encodeRecordingMetadata({ ...this.meta, ...(this.paused.length ? { paused: this.paused } : {}), pausedAt: at }),
        );
        await old.stopRecording();
      } catch (err) {
        // The old session is deleted next, which ends its capture anyway.
        this.log.warn('recording: ending the capture before the transfer failed', {
          recordingId: meta.recordingId,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    this.meta = meta;
    const span = { fromMs: at, toMs: this.now() };
    try {
      await legs.startRecording(encodeRecordingMetadata({ ...meta, paused: [...this.paused, span] }));
      this.paused.push(span);
    } catch (err) {
      // Paused from the move on: the live view says so, and a resume may start it again.
      this.pausedFrom = at;
      this.current = 'paused';
      throw err;
    }
  }

  /**
   * Paused across the move: an empty capture on the new session, carrying
   * the pause mark, tells the recordings service that the recording may
   * still resume there (it asks rtpengine about the newest capture's call).
   */
  private async movePaused(legs: NonNullable<CallRecording['legs']>, meta: RecordingMetadata): Promise<void> {
    this.meta = meta;
    await legs.startRecording(
      encodeRecordingMetadata({ ...meta, ...(this.paused.length ? { paused: this.paused } : {}), pausedAt: this.pausedFrom }),
    );
    await legs.stopRecording();
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * An action during the call, from the API or a feature code. Refusals are
   * AppErrors with stable codes (recording-control-errors.ts); an rtpengine
   * failure leaves the state as it was.
   */
  act(action: RecordingAction, by: PauseActor = 'employee'): Promise<RecordingState> {
    return this.serial(async () => {
      const legs = this.legs;
      if (!legs) throw recordingActionRefused.notAnswered();
      try {
        if (action === 'start') await this.start(legs);
        else if (action === 'stop') await this.stop(legs);
        else if (action === 'pause') await this.pause(legs, by);
        else await this.resume(legs);
      } catch (err) {
        if (isAppError(err) && err.status < 500) throw err;
        this.log.error('recording action failed', {
          action,
          recordingId: this.meta?.recordingId,
          err: err instanceof Error ? err.message : String(err),
        });
        throw recordingActionRefused.mediaFailed(action, err instanceof Error ? err.message : String(err));
      }
      this.log.info('recording action', { action, recordingId: this.meta?.recordingId, state: this.current });
      return this.current;
    });
  }

  private async start(legs: NonNullable<CallRecording['legs']>): Promise<void> {
    if (this.policy === 'never') throw recordingActionRefused.policyNever();
    if (this.current !== 'off') throw recordingActionRefused.alreadyOn(this.current);
    const gate = canRecord({ enabled: this.deps.enabled, alarms: this.deps.alarms }, this.call.tenantId);
    if (!gate.ok) throw recordingActionRefused.gate(gate.reason);
    const meta = this.withChannels(this.newMeta(`rec-${randomUUID()}`));
    // Started mid-call, rtpengine logs no SDPs: the channel map and the static/default payload types carry the capture.
    await legs.startRecording(encodeRecordingMetadata(meta));
    this.meta = meta;
    this.paused = [];
    this.current = 'recording';
  }

  private async stop(legs: NonNullable<CallRecording['legs']>): Promise<void> {
    if (this.policy !== 'on-demand') throw recordingActionRefused.stopNotAllowed(this.policy);
    if (this.current === 'off') throw recordingActionRefused.notOn();
    // A paused recording's capture is already closed; it ends at the pause.
    if (this.current === 'recording') await legs.stopRecording();
    this.meta = undefined;
    this.current = 'off';
  }

  private async pause(legs: NonNullable<CallRecording['legs']>, by: PauseActor): Promise<void> {
    if (this.current !== 'recording' || !this.meta)
      throw this.current === 'paused' ? recordingActionRefused.alreadyPaused() : recordingActionRefused.notOn();
    const limit = this.pauses.check(this.call.tenantId, this.policy, by);
    const recordingId = this.meta.recordingId ?? '';
    const at = this.now();
    // First the mark (rtpengine keeps the last metadata given), so the recordings service waits for the resume.
    await legs.startRecording(
      encodeRecordingMetadata({ ...this.meta, ...(this.paused.length ? { paused: this.paused } : {}), pausedAt: at }),
    );
    await legs.stopRecording();
    this.pausedFrom = at;
    this.current = 'paused';
    if (limit) {
      const { tenantId, cdrId } = this.call;
      this.pauses.paused({ tenantId, cdrId, recordingId, by, maxSeconds: limit.maxSeconds }, () => this.act('resume', 'supervisor'));
    }
  }

  private async resume(legs: NonNullable<CallRecording['legs']>): Promise<void> {
    if (this.current !== 'paused' || !this.meta) throw recordingActionRefused.notPaused();
    const span = { fromMs: this.pausedFrom, toMs: this.now() };
    await legs.startRecording(encodeRecordingMetadata({ ...this.meta, paused: [...this.paused, span] }));
    this.paused.push(span);
    this.current = 'recording';
    this.pauses.clear();
  }
}
