// Reading sipp's -trace_msg message file: when a message arrived.
import { existsSync, readFileSync } from 'node:fs';

/** When sipp (run with -trace_msg -message_file F) first received a message starting with `first`, in ms since the epoch. */
export function receivedAt(messageFile: string, first: string): number | undefined {
  if (!existsSync(messageFile)) return undefined;
  const blocks = readFileSync(messageFile, 'utf8').split(/^-{20,}\s*/m);
  for (const b of blocks) {
    const m = /^(\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)/.exec(b);
    if (!m || !/message received/.test(b) || !b.includes(`\n${first}`)) continue;
    return new Date(`${m[1]}T${m[2]!.slice(0, 12)}`).getTime();
  }
  return undefined;
}
