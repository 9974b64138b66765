// The RecordingRepository contract in memory, for unit tests until
// services/store implements it on SQLite. Enforces the same rules the store
// must: one transaction per save, and a chain entry must extend the head.
import { AppError } from '../../services/common/errors';
import type { ChainEntry } from '../../services/recordings/hash-chain';
import type { RecordingIndexRecord, RecordingRepository } from '../../services/recordings/recording-index';

export class MemoryRecordingRepository implements RecordingRepository {
  readonly records = new Map<string, RecordingIndexRecord>();
  readonly chain: ChainEntry[] = [];
  /** Throw from the next save, to simulate a crash before the index write. */
  failNextSave = false;

  findRecording(id: string) {
    return this.records.get(id);
  }
  chainHead() {
    return this.chain.at(-1);
  }
  private append(entry: ChainEntry) {
    const head = this.chainHead()?.hash ?? '0'.repeat(64);
    if (entry.prevHash !== head) throw new AppError(409, 'chain-head-moved', 'chain head moved');
    this.chain.push(entry);
  }
  saveRecording(record: RecordingIndexRecord, entry: ChainEntry) {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('simulated crash before the index write');
    }
    this.append(entry);
    this.records.set(record.recordingId, record);
  }
  updateRecordingFile(id: string, change: Pick<RecordingIndexRecord, 'keyId' | 'sha256' | 'sizeBytes'>, entry: ChainEntry) {
    const r = this.records.get(id);
    if (!r) throw new AppError(404, 'recording-not-found', id);
    this.append(entry);
    this.records.set(id, { ...r, ...change });
  }
  chainEntries() {
    return [...this.chain];
  }
  recordingKeys(tenantId: string) {
    return [...this.records.values()].filter((r) => r.tenantId === tenantId).map((r) => ({ recordingId: r.recordingId, keyId: r.keyId }));
  }
}
