// The index record of a stored recording and the repository the store
// (services/store, SQL) implements for this service. Everything here is what
// the API lists and filters on; the audio itself stays in the vault file.
import type { ChainEntry } from './hash-chain';

export type ChannelSource = 'explicit' | 'metadata' | 'sdp' | 'guessed';

/** Recording paused (PCI DSS: card data being read out): silence in the audio, in ms from its start. */
export interface PausedSpan {
  startMs: number;
  endMs: number;
}

export interface RecordingIndexRecord {
  recordingId: string;
  cdrId: string | null;
  tenantId: string;
  /** Numbers or extensions as call-control gave them; personal data. */
  caller: string | null;
  callee: string | null;
  /** ISO 8601, capture time of the first audio sample. */
  startedAt: string;
  durationMs: number;
  /** Size of the encrypted file on disk. */
  sizeBytes: number;
  /** Size of the decrypted audio file: what HTTP Range requests address. */
  plainBytes: number;
  codec: 'opus' | 'pcm-s16le';
  mediaType: 'audio/ogg' | 'audio/wav';
  /** Tenant key that wraps the file's data key. */
  keyId: string;
  /** SHA-256 of the encrypted file, as in the hash chain. */
  sha256: string;
  legalHold: boolean;
  /** Vault file, relative to `<dataDir>/recordings`. */
  path: string;
  /** How left (caller) and right (callee) were decided. */
  channelSource: ChannelSource;
  /** Where the audio is silence because recording was paused; empty or absent when never paused. */
  pausedSpans?: PausedSpan[];
  createdAt: string;
}

/**
 * Implemented by services/store. Calls are synchronous (better-sqlite3).
 * `saveRecording` and `updateRecordingFile` must write the record and append
 * the chain entry in one transaction, and throw `chain-head-moved` when
 * `entry.prevHash` is not the hash of the newest entry.
 */
export interface RecordingRepository {
  findRecording(recordingId: string): RecordingIndexRecord | undefined;
  chainHead(): ChainEntry | undefined;
  saveRecording(record: RecordingIndexRecord, entry: ChainEntry): void;
  /** After a re-wrap (key rotation) changed the file's key block. */
  updateRecordingFile(recordingId: string, change: Pick<RecordingIndexRecord, 'keyId' | 'sha256' | 'sizeBytes'>, entry: ChainEntry): void;
  /** All entries in sequence order, for verifyChain. */
  chainEntries(): Iterable<ChainEntry>;
  /** Which tenant key each of the tenant's recordings uses (key rotation). */
  recordingKeys(tenantId: string): Array<{ recordingId: string; keyId: string }>;
}
