// When did the callee really start talking? A GSM gateway flagged
// `answerUnreliable` may send 200 OK while the mobile still rings (its
// "Alerted" answer mode, wave2-facts.md §1), so the CDR bills from the first
// audio rtpengine counts from the gateway, not from the 200. rtpengine 10.5
// reports no media event, so its per-party packet counter is polled until
// it moves (or the call ends, or `maxMs` passes: a silent callee is billed
// nothing rather than a guess).
import type { Logger } from '../../common/logger';

export interface FirstAudioWatch {
  /** Packets received from the callee's side so far. */
  packets(): Promise<number>;
  onAudio(at: number): void;
  everyMs?: number;
  maxMs?: number;
  log: Logger;
  now?: () => number;
}

/** Starts polling; the returned function stops it (the Call defers it to its end). */
export function watchFirstAudio(w: FirstAudioWatch): () => void {
  const now = w.now ?? Date.now;
  const every = w.everyMs ?? 200;
  const until = now() + (w.maxMs ?? 120_000);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      if ((await w.packets()) > 0) {
        if (!stopped) w.onAudio(now());
        stopped = true;
        return;
      }
    } catch (err) {
      // The media session is gone (the call is ending): nothing more to watch.
      w.log.debug('first-audio query failed', { err: err instanceof Error ? err.message : String(err) });
      stopped = true;
      return;
    }
    if (now() >= until) {
      stopped = true;
      return;
    }
    timer = setTimeout(() => void tick(), every);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
