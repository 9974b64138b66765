// The copy of the audit checkpoints outside the database: one JSON line per
// checkpoint, appended (O_APPEND, one write per line, so lines from several
// processes never interleave) and fsync'd. Someone who truncates the audit
// table must also find and edit this file, which can live on other media
// (audit.checkpointFile) or be shipped to a SIEM with the events.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Checkpoint } from './repos/audit-chain';

const lineSchema = z.object({
  id: z.number().int().min(1),
  at: z.string(),
  lastId: z.number().int().min(1),
  lastMac: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

export function defaultCheckpointFile(dbFile: string): string {
  return path.join(path.dirname(dbFile), 'audit', 'checkpoints.jsonl');
}

export function appendCheckpoint(file: string, c: Checkpoint): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, JSON.stringify(c) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Every checkpoint in the file, and the (1-based) numbers of lines that are not one. */
export function readCheckpoints(file: string): { checkpoints: Checkpoint[]; damagedLines: number[] } {
  if (!existsSync(file)) return { checkpoints: [], damagedLines: [] };
  const checkpoints: Checkpoint[] = [];
  const damagedLines: number[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        checkpoints.push(lineSchema.parse(JSON.parse(line)));
      } catch {
        damagedLines.push(i + 1);
      }
    });
  return { checkpoints, damagedLines };
}
