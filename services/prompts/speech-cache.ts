// Spoken sentences the PBX makes up at run time ("your position in the
// queue is 3"), synthesised once by espeak-ng, decoded to G.711 A-law by
// ffmpeg (as text-to-speech prompts are) and kept on disk under the data
// directory by a digest of language and text, so the 300th caller at
// position 3 plays the file the first one made. Concurrent requests for one
// sentence share one synthesis.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PromptLanguage } from '../store';
import { transcode } from './transcode';
import { synthesize } from './tts';

export class SpeechCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly timeoutMs = 20_000,
  ) {}

  /** The A-law WAV of `text` spoken in `language` (absolute path). */
  file(text: string, language: PromptLanguage): Promise<string> {
    const key = createHash('sha256').update(`${language}\n${text}`).digest('hex').slice(0, 32);
    const out = path.join(this.dir, `${key}.alaw.wav`);
    if (existsSync(out)) return Promise.resolve(out);
    let p = this.pending.get(key);
    if (!p) {
      p = this.make(text, language, key, out).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async make(text: string, language: PromptLanguage, key: string, out: string): Promise<string> {
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    const tmp = path.join(this.dir, `.${key}.${process.pid}`);
    try {
      await synthesize(text, language, `${tmp}.wav`, this.timeoutMs);
      await transcode(
        `${tmp}.wav`,
        'wav',
        { alaw: `${tmp}.alaw.wav`, ulaw: `${tmp}.ulaw.wav` },
        { maxSeconds: 60, timeoutMs: this.timeoutMs },
      );
      // Renamed into place whole: a reader never plays a half-written file.
      renameSync(`${tmp}.alaw.wav`, out);
      return out;
    } finally {
      for (const f of [`${tmp}.wav`, `${tmp}.alaw.wav`, `${tmp}.ulaw.wav`]) rmSync(f, { force: true });
    }
  }
}
