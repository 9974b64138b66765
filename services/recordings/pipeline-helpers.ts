// Small helpers of the recordings pipeline (pipeline.ts).
import { open } from 'node:fs/promises';
import type { RecordingMetadata } from './capture-metadata';

/** Runs `fn` over `items`, at most `limit` at once. */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** The capture's parts in order: the first file, then the captures after each resume. */
export function partsOf(input: { pcapPath: string; metadataPath?: string; more?: Array<{ pcapPath: string; metadataPath?: string }> }): Array<{ pcapPath: string; metadataPath?: string }> {
  return [{ pcapPath: input.pcapPath, ...(input.metadataPath ? { metadataPath: input.metadataPath } : {}) }, ...(input.more ?? [])];
}

/** Our metadata over the captures of one recording: later captures win, paused spans add up. */
export function mergeMetadata(parts: RecordingMetadata[]): RecordingMetadata {
  const out: RecordingMetadata = {};
  const spans = new Map<string, { fromMs: number; toMs: number }>();
  for (const m of parts) {
    const { paused, pausedAt: _p, ...rest } = m;
    Object.assign(out, rest);
    for (const s of paused ?? []) spans.set(`${s.fromMs}-${s.toMs}`, s);
  }
  if (spans.size) out.paused = [...spans.values()].sort((a, b) => a.fromMs - b.fromMs);
  return out;
}

/** Makes a rename durable: fsync the directory entry (POSIX). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
