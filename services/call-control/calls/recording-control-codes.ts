// Feature codes pressed during a call, from rtpengine's DTMF reports (RFC 4733
// events, media/dtmf-listener.ts). Digits are collected per call and per party;
// a code fires when the collected digits equal it, and a pause longer than the
// inter-digit timeout starts over. Defaults follow FreePBX's habit of `*`
// codes: `*1` record on demand (start/stop), `*2` pause/resume (PCI).
import type { Config } from '../../common/config';

/** `recordings.featureCodes` in the config (appliance/config/schema.ts). */
export type FeatureCodes = Config['recordings']['featureCodes'];
export type FeatureCode = 'toggleRecording' | 'togglePause';

interface Pending {
  digits: string;
  at: number;
}

/** Bound on parties collecting at once; stale entries are dropped first. */
const MAX_PENDING = 10_000;

export class FeatureCodeCollector {
  private readonly pending = new Map<string, Pending>();
  private readonly codes: Array<[string, FeatureCode]>;

  constructor(
    private readonly config: FeatureCodes,
    private readonly onCode: (callId: string, sourceTag: string, code: FeatureCode) => void,
    private readonly now: () => number = Date.now,
  ) {
    // The config schema refuses codes where one starts the other; checked again for callers that build their own.
    if (config.toggleRecording.startsWith(config.togglePause) || config.togglePause.startsWith(config.toggleRecording)) {
      throw new Error('recordings.featureCodes: toggleRecording and togglePause must not start one another');
    }
    this.codes = [
      [config.toggleRecording, 'toggleRecording'],
      [config.togglePause, 'togglePause'],
    ];
  }

  digit(d: { callId: string; sourceTag: string; digit: string }): void {
    const key = `${d.callId}\n${d.sourceTag}`;
    const t = this.now();
    const prev = this.pending.get(key);
    let digits = (prev && t - prev.at <= this.config.interDigitMs ? prev.digits : '') + d.digit;
    // Keep only a tail that can still become a code (`1*1` → `*1`).
    while (digits && !this.codes.some(([c]) => c.startsWith(digits))) digits = digits.slice(1);
    const hit = this.codes.find(([c]) => c === digits);
    this.pending.delete(key);
    if (hit) {
      this.onCode(d.callId, d.sourceTag, hit[1]);
      return;
    }
    if (!digits) return;
    if (this.pending.size >= MAX_PENDING) this.prune(t);
    this.pending.set(key, { digits, at: t });
  }

  private prune(t: number): void {
    for (const [k, p] of this.pending) if (t - p.at > this.config.interDigitMs) this.pending.delete(k);
    if (this.pending.size >= MAX_PENDING) this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
