// A live call for control-channel tests: a real CallRecording over a
// MediaLegs stand-in that keeps the ng recording commands it was given (the
// real rtpengine path is covered end to end in
// test/integration/call-control/on-demand-recording.test.ts).
import type { LiveCall } from '../../../services/call-control/calls/live-calls';
import type { MediaLegs } from '../../../services/call-control/calls/media-legs';
import { CallRecording } from '../../../services/call-control/calls/recording';
import type { PauseGuardDeps } from '../../../services/call-control/calls/recording-pause';
import { silentLogger } from '../../../services/common/logger';
import { decodeRecordingMetadata, type RecordingMetadata } from '../../../services/recordings/capture-metadata';
import type { RecordingMode } from '../../../services/recordings';

export const SDP_TO_A = 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30002 RTP/AVP 8\r\n';
export const SDP_TO_B = 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30000 RTP/AVP 8\r\n';

export interface NgLog {
  commands: Array<{ cmd: 'start'; meta: RecordingMetadata } | { cmd: 'stop' }>;
  /** Makes the next ng command fail like a timed-out rtpengine. */
  failNext: boolean;
}

export async function liveCall(o: { id: string; tenantId?: number; mode: RecordingMode | undefined; now?: () => number; extensionParties?: LiveCall['extensionParties']; answerAt?: number; caller?: string; callee?: string; alarms?: Array<{ code: string; tenantId: number | null }>; pause?: PauseGuardDeps }): Promise<{ call: LiveCall; ng: NgLog }> {
  const ng: NgLog = { commands: [], failNext: false };
  const fail = () => {
    if (!ng.failNext) return;
    ng.failNext = false;
    throw new Error('rtpengine did not answer');
  };
  const legs = {
    tagA: 'tag-a',
    tagB: 'tag-b',
    sdpToA: SDP_TO_A,
    async startRecording(meta: string) {
      fail();
      ng.commands.push({ cmd: 'start', meta: decodeRecordingMetadata(meta) });
    },
    async stopRecording() {
      fail();
      ng.commands.push({ cmd: 'stop' });
    },
  } as unknown as MediaLegs;
  const tenantId = o.tenantId ?? 1;
  const recording = new CallRecording(
    {
      policies: { policies: () => (o.mode ? [{ scope: 'tenant' as const, target: '', mode: o.mode }] : []) },
      // The test's own array: alarms raised after the answer count for the next action.
      alarms: { list: () => ({ rows: o.alarms ?? [] }) },
      enabled: true,
      ...o.pause,
    },
    { tenantId, cdrId: o.id, caller: o.caller ?? '201', callee: o.callee ?? '202' },
    silentLogger,
    o.now,
  );
  recording.answerOptions();
  await recording.label(legs, SDP_TO_B);
  const call: LiveCall = { id: o.id, tenantId, caller: o.caller ?? '201', callee: o.callee ?? '202', answeredAt: o.answerAt ?? Date.UTC(2026, 10, 22, 10), uas: {}, uac: {}, legs, recording, ...(o.extensionParties ? { extensionParties: o.extensionParties } : {}) };
  return { call, ng };
}
