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
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/logger';
import { canRecord, decideRecording, encodeRecordingMetadata, policyFromRows, type RecordingMetadata, type RecordingMode } from '../../recordings';
import type { MediaLegs } from './media-legs';

/** What recording needs from the store and config; `store.recordings` and `store.alarms` fit as they are. */
export interface RecordingDeps {
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

export class CallRecording {
  private meta: RecordingMetadata | undefined;
  private decided = false;

  constructor(
    private readonly deps: RecordingDeps,
    private readonly call: RecordedParties,
    private readonly log: Logger,
  ) {}

  get recordingId(): string | undefined {
    return this.meta?.recordingId;
  }

  /** Decides once (policy, then the gate); true when this call is to be recorded. */
  decide(): boolean {
    if (this.decided) return this.meta !== undefined;
    this.decided = true;
    try {
      this.meta = this.ask();
    } catch (err) {
      // A policy or alarm we cannot read (database error) must not fail the call; the log says it went unrecorded.
      this.log.error('recording decision failed, call not recorded', { err: err instanceof Error ? err.message : String(err) });
    }
    return this.meta !== undefined;
  }

  private ask(): RecordingMetadata | undefined {
    const { tenantId, caller, callee } = this.call;
    const decision = decideRecording({ tenant: policyFromRows(this.deps.policies.policies(tenantId)), extension: [caller, callee], direction: 'internal' });
    if (!decision.recordAtAnswer) return undefined;
    const gate = canRecord({ enabled: this.deps.enabled, alarms: this.deps.alarms }, tenantId);
    if (!gate.ok) {
      this.log.warn('recording refused, call goes on unrecorded', { reason: gate.reason, policy: decision.source });
      return undefined;
    }
    const recordingId = `rec-${randomUUID()}`;
    this.log.info('recording call', { recordingId, policy: decision.source });
    return { recordingId, tenantId: String(tenantId), cdrId: this.call.cdrId, caller, callee };
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
  async label(legs: Pick<MediaLegs, 'sdpToA' | 'startRecording'>, sdpToCallee: string): Promise<void> {
    if (!this.decide() || !this.meta) return;
    const left = legs.sdpToA === undefined ? undefined : audioEndpoint(legs.sdpToA);
    const right = audioEndpoint(sdpToCallee);
    const meta: RecordingMetadata = { ...this.meta, ...(left && right ? { channels: { left: [left], right: [right] } } : {}) };
    if (!meta.channels) this.log.warn('no channel map for the recording', { recordingId: meta.recordingId });
    try {
      await legs.startRecording(encodeRecordingMetadata(meta));
    } catch (err) {
      this.log.error('start recording failed', { recordingId: meta.recordingId, err: err instanceof Error ? err.message : String(err) });
    }
  }
}
