// Conversion runs on a pool of worker threads sized by the cores: one slow or
// huge capture occupies one worker while the others go on, and decoding a
// capture never stalls the recordings process's own event loop. (Before issue
// 16 one converter ran at a time: a single 75-hour capture held every other
// recording back.) A worker that crashes or overruns its time is replaced and
// only its job fails.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../common/errors';
import { convertJob, deserializeError, type ConvertJob, type ConvertResult, type SerializedError } from './convert-job';

export interface Converter {
  /** How many jobs run at once. */
  readonly size: number;
  run(job: ConvertJob): Promise<ConvertResult>;
  close(): Promise<void>;
}

export const converterCrashed = (why: string) => new AppError(500, 'recording-converter-crashed', `the converter thread died: ${why}`);
export const conversionTimedOut = (ms: number) => new AppError(500, 'recording-conversion-timeout', `conversion took longer than ${ms} ms and was stopped`, { timeoutMs: ms });

/** `configured` 0 means one per core. */
export function poolSize(configured: number): number {
  return configured > 0 ? configured : Math.max(1, availableParallelism());
}

interface Pending {
  job: ConvertJob;
  resolve: (r: ConvertResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: { id: number; pending: Pending; timer: NodeJS.Timeout };
}

export class WorkerPool implements Converter {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: string,
    readonly size: number,
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  run(job: ConvertJob): Promise<ConvertResult> {
    if (this.closed) return Promise.reject(converterCrashed('the pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Jobs waiting for a free worker. */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = [...this.slots].find((s) => !s.busy);
      if (!slot && this.slots.size < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(() => this.fail(slot, conversionTimedOut(this.timeoutMs)), this.timeoutMs);
      slot.busy = { id, pending, timer };
      slot.worker.ref();
      slot.worker.postMessage({ id, job: pending.job });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.script);
    const slot: Slot = { worker };
    worker.on('message', (msg: { id: number; result?: ConvertResult; error?: SerializedError }) => {
      const busy = slot.busy;
      if (!busy || busy.id !== msg.id) return;
      clearTimeout(busy.timer);
      slot.busy = undefined;
      worker.unref(); // an idle worker does not keep the process alive
      if (msg.error) busy.pending.reject(deserializeError(msg.error));
      else busy.pending.resolve(msg.result!);
      this.pump();
    });
    worker.on('error', (e) => this.fail(slot, converterCrashed(e.message)));
    worker.on('exit', (code) => this.fail(slot, converterCrashed(`exit code ${code}`)));
    this.slots.add(slot);
    return slot;
  }

  /** Drops the worker and fails its job; the next job gets a fresh worker. */
  private fail(slot: Slot, e: Error): void {
    if (!this.slots.delete(slot)) return;
    const busy = slot.busy;
    slot.busy = undefined;
    if (busy) {
      clearTimeout(busy.timer);
      busy.pending.reject(e);
    }
    void slot.worker.terminate();
    if (!this.closed) this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(converterCrashed('the pool is closed'));
    const all = [...this.slots];
    for (const s of all) this.fail(s, converterCrashed('the pool is closed'));
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}

/**
 * The same jobs on this thread, up to `size` at once (ffmpeg still runs in
 * parallel child processes). For tools and tests that run from TypeScript
 * sources, where no built worker script exists.
 */
export class InlineConverter implements Converter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(readonly size = 1) {}

  async run(job: ConvertJob): Promise<ConvertResult> {
    if (this.active >= this.size) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await convertJob(job);
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  async close(): Promise<void> {}
}

/** A worker pool when the built worker script is there, else the inline converter of the same size. */
export function makeConverter(script: string | undefined, size: number, timeoutMs?: number): Converter {
  return script && existsSync(script) ? new WorkerPool(script, size, timeoutMs) : new InlineConverter(size);
}
