// The durable overflow of CDR writes: when the database refuses a write
// (busy past the short wait, disk full, I/O error), the write is appended to
// an append-only file and fsync'd before anything else happens, and the file
// is replayed into the database in order once it accepts writes again (by
// timer, and at the next start). Before issue 16 a write was dropped after
// three quick failures.
//
// One JSON line per write. A line torn by a crash mid-append is the last one,
// and its write was never acknowledged to anyone (the caller of append() did
// not return): it is skipped. Replay is idempotent (an `open` of a row that
// exists is skipped; `touch` and `close` are idempotent in CdrsRepo), so a
// crash between the replay's commit and the file's truncation is harmless.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CdrRecord } from './cdr-record';

export type CdrWrite =
  | { op: 'open'; cdr: CdrRecord; owner: string }
  | { op: 'touch'; callIds: string[]; at: number }
  | { op: 'close'; cdr: CdrRecord };

export class CdrSpill {
  readonly file: string;
  private count: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'cdr-spill.jsonl');
    this.count = this.read().length;
  }

  /** Writes waiting in the file. */
  get size(): number {
    return this.count;
  }

  /** Appends and fsyncs; returns only once the writes are on disk. */
  append(writes: readonly CdrWrite[]): void {
    if (writes.length === 0) return;
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, writes.map((w) => JSON.stringify(w) + '\n').join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.count += writes.length;
  }

  read(): CdrWrite[] {
    if (!existsSync(this.file)) return [];
    const out: CdrWrite[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as CdrWrite);
      } catch {
        // a line torn by a crash mid-append: never acknowledged, skipped
      }
    }
    return out;
  }

  /** Empties the file after a replay committed everything it held. */
  clear(): void {
    const fd = openSync(this.file, 'w', 0o600);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.count = 0;
  }

  /** True when some write for this call waits in the file. */
  has(callId: string): boolean {
    return this.count > 0 && this.read().some((w) => (w.op === 'touch' ? w.callIds.includes(callId) : w.cdr.callId === callId));
  }
}
