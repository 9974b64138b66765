// The rows of the recordings index as the store keeps them: owned here (the
// store is the lower floor) and re-exported by services/recordings, which
// fills them. Everything here is what the API lists and filters on; the audio
// itself stays in the vault file.

/** One link of the recordings hash chain (services/recordings/hash-chain.ts computes it). */
export interface ChainEntry {
  seq: number;
  recordingId: string;
  /** SHA-256 (hex) of the stored file; null when the file was removed on purpose (retention, erasure). */
  fileSha256: string | null;
  /** ISO 8601. */
  time: string;
  prevHash: string;
  hash: string;
}

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
 * Implemented by RecordingsRepo (repos/recordings.ts); the recordings
 * service's pipeline writes through it. Calls are synchronous (better-sqlite3).
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
