// What other services (call-control, api, appliance doctor) use of recordings.
export { RecordingPipeline, type CaptureInput, type PipelineDeps, type SpoolResult } from './pipeline';
export { encodeRecordingMetadata, decodeRecordingMetadata, type RecordingMetadata } from './capture-metadata';
export type { RecordingIndexRecord, RecordingRepository, ChannelSource, PausedSpan } from './recording-index';
export { Vault, fileSha256, type VaultHeader } from './vault';
export { Keyring, openKeyring, loadMasterKey, rotateMasterKey, masterKeyId, defaultMasterKeyPath, type MasterKey } from './keys';
export { verifyChain, nextEntry, chainKeyFrom, GENESIS_HASH, type ChainEntry, type ChainFinding } from './hash-chain';
export type { AudioFormat } from './audio-encoder';
export type { ChannelMap } from './stereo-track';
export { findCaptures, spoolDirOf, DEFAULT_ORPHAN_IDLE_MS, type SpoolOptions, type SpoolCapture } from './spool';
export { decodeG711, encodeG711, type G711Law } from './g711';
export { playback, parseByteRange, type PlaybackResponse, type ByteRange } from './playback';
export {
  decideRecording,
  policyFromRows,
  policyToRows,
  recordingModes,
  tenantRecordingPolicySchema,
  type RecordingMode,
  type RecordingDecision,
  type RecordingCall,
  type CallDirection,
  type TenantRecordingPolicy,
} from './recording-policy';
export {
  PAUSE_POLICY_SETTING,
  ALARM_MANDATORY_PAUSED,
  DEFAULT_PAUSE_POLICY,
  pausePolicySchema,
  pausePolicyOf,
  mayPause,
  pauseWho,
  type PausePolicy,
  type PauseActor,
  type PauseWho,
} from './pause-policy';
export { start, buildRecordings, type Recordings } from './start';
export { RecordingsService, type RecordingsSettings, type SweepReport } from './recordings-service';
export { canRecord, diskUsage, ALARM_DISK_FULL, ALARM_DISK_HIGH, ALARM_QUOTA, ALARM_CONVERSION, ALARM_TRACK_CUT, type DiskUsage, type RecordingRefusal } from './recording-gate';
export { recordingsChecks, type RecordingsCheck } from './doctor-checks';
