// The prompt library: turns uploads and text into stored prompts, removes
// them, previews them, and tells call-control which file to play. Files live
// in <dataDir>/prompts/<tenant>/<id>.{alaw,ulaw}.wav, with the paced copy
// rtpengine plays as <id>.alaw.mka (paced.ts), written by this (the
// api) process and read by rtpengine, which the supervisor runs as the same
// user. Work is staged under temporary names next to the final ones and
// removed whatever happens, so a refused upload leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Prompt, PromptKind, PromptLanguage, Store } from '../store';
import { AppError } from '../common/errors';
import { decodeG711 } from '../recordings';
import { promptEmpty, promptTooLarge, promptTypeNotAllowed, promptBroken } from './errors';
import { sniffAudio, wavData, wavTruncation, type AudioContainer } from './sniff';
import { pacedPath, writePaced } from './paced';
import { transcode } from './transcode';
import { synthesize } from './tts';

export interface PromptLimits {
  /** Largest upload, bytes. */
  maxBytes: number;
  /** Longest prompt, seconds (music on hold included). */
  maxSeconds: number;
  /** Longest TTS text, characters. */
  ttsMaxChars: number;
  /** Each ffmpeg/ffprobe/espeak-ng run is killed after this. */
  toolTimeoutMs: number;
}

export const defaultPromptLimits: Readonly<PromptLimits> = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxSeconds: 600, ttsMaxChars: 1000, toolTimeoutMs: 60_000 });

export type G711Law = 'alaw' | 'ulaw';

interface Common {
  tenantId: number;
  name: string;
  language: PromptLanguage;
  createdBy: number | null;
}

/** At most this many decoders at once: the box has few cores and calls come first. */
const PARALLEL = 2;

export class PromptLibrary {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    readonly limits: Readonly<PromptLimits> = defaultPromptLimits,
  ) {}

  private tenantDir(tenantId: number): string {
    return path.join(this.dataDir, 'prompts', String(tenantId));
  }

  /** Absolute path of a prompt's file for the given law. */
  fileOf(p: Prompt, law: G711Law): string {
    return path.join(this.dataDir, law === 'alaw' ? p.alawPath : p.ulawPath);
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= PARALLEL) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private refuseTakenName(tenantId: number, name: string): void {
    if (this.store.prompts.byName(tenantId, name)) throw new AppError(409, 'prompt-exists', 'a prompt with this name exists in this organisation', { field: 'name' });
  }

  /** Checks the bytes, decodes them and stores the prompt; nothing stays on disk if any step refuses. */
  async upload(c: Common & { kind: Extract<PromptKind, 'upload' | 'moh'>; data: Buffer }): Promise<Prompt> {
    if (c.data.length === 0) throw promptEmpty();
    if (c.data.length > this.limits.maxBytes) throw promptTooLarge(this.limits.maxBytes);
    const format = sniffAudio(c.data);
    if (!format) throw promptTypeNotAllowed();
    if (format === 'wav') {
      const cut = wavTruncation(c.data);
      if (cut) throw promptBroken(cut);
    }
    this.refuseTakenName(c.tenantId, c.name);
    return this.slot(() =>
      this.staged(c.tenantId, async (stage) => {
        writeFileSync(stage.source, c.data, { mode: 0o600 });
        const { durationMs } = await transcode(stage.source, format, stage, this.limitsForTools());
        await writePaced(stage.alaw, stage.play, this.limits.toolTimeoutMs);
        return this.commit(stage, { ...c, text: null, source: format, durationMs, sizeBytes: c.data.length });
      }),
    );
  }

  /** Synthesises the text with espeak-ng and stores it like an upload. */
  async tts(c: Common & { text: string }): Promise<Prompt> {
    this.refuseTakenName(c.tenantId, c.name);
    return this.slot(() =>
      this.staged(c.tenantId, async (stage) => {
        await synthesize(c.text, c.language, stage.source, this.limits.toolTimeoutMs);
        const { durationMs } = await transcode(stage.source, 'wav', stage, this.limitsForTools(), 'text');
        await writePaced(stage.alaw, stage.play, this.limits.toolTimeoutMs);
        return this.commit(stage, { ...c, kind: 'tts', source: 'espeak-ng', durationMs, sizeBytes: statSync(stage.source).size });
      }),
    );
  }

  private limitsForTools() {
    return { maxSeconds: this.limits.maxSeconds, timeoutMs: this.limits.toolTimeoutMs };
  }

  private async staged<T>(tenantId: number, work: (stage: { source: string; alaw: string; ulaw: string; play: string }) => Promise<T>): Promise<T> {
    const dir = this.tenantDir(tenantId);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const base = path.join(dir, `.staging-${randomBytes(8).toString('hex')}`);
    const stage = { source: `${base}.source`, alaw: `${base}.alaw.wav`, ulaw: `${base}.ulaw.wav`, play: `${base}.alaw.mka` };
    try {
      return await work(stage);
    } finally {
      for (const f of Object.values(stage)) rmSync(f, { force: true });
    }
  }

  private commit(stage: { alaw: string; ulaw: string; play: string }, p: Common & { kind: PromptKind; text: string | null; source: Prompt['source']; durationMs: number; sizeBytes: number }): Prompt {
    return this.store.prompts.create(p, (id) => {
      const rel = (law: G711Law) => path.join('prompts', String(p.tenantId), `${id}.${law}.wav`);
      renameSync(stage.alaw, path.join(this.dataDir, rel('alaw')));
      try {
        renameSync(stage.ulaw, path.join(this.dataDir, rel('ulaw')));
        renameSync(stage.play, pacedPath(path.join(this.dataDir, rel('alaw'))));
      } catch (e) {
        for (const f of [rel('alaw'), rel('ulaw')]) rmSync(path.join(this.dataDir, f), { force: true });
        throw e;
      }
      return { alawPath: rel('alaw'), ulawPath: rel('ulaw') };
    });
  }

  rename(p: Prompt, name: string): Prompt {
    return this.store.prompts.rename(p.id, name) ?? p;
  }

  /** Refused with prompt-in-use while a call flow plays it; the files go with the row. */
  delete(p: Prompt): void {
    this.store.prompts.delete(p.id);
    rmSync(this.fileOf(p, 'alaw'), { force: true });
    rmSync(this.fileOf(p, 'ulaw'), { force: true });
    rmSync(pacedPath(this.fileOf(p, 'alaw')), { force: true });
  }

  /**
   * For call-control: the file rtpengine should play for a tenant's prompt,
   * or undefined when there is no such prompt in that tenant or its file is
   * gone. A-law suits PCMA legs and µ-law PCMU legs; rtpengine transcodes
   * either for any other codec.
   */
  resolve(tenantId: number, promptId: number, law: G711Law = 'alaw'): string | undefined {
    const p = this.store.prompts.get(promptId);
    if (!p || p.tenantId !== tenantId) return undefined;
    const file = this.fileOf(p, law);
    return existsSync(file) ? file : undefined;
  }

  /**
   * For call-control: what rtpengine plays for a tenant's prompt — the paced
   * A-law copy (20 ms packets), or the A-law WAV for a prompt stored before
   * copies were made; undefined as resolve().
   */
  playback(tenantId: number, promptId: number): string | undefined {
    const wav = this.resolve(tenantId, promptId, 'alaw');
    if (!wav) return undefined;
    const paced = pacedPath(wav);
    return existsSync(paced) ? paced : wav;
  }

  /** A 16-bit PCM WAV of the prompt that any browser plays (few play G.711 WAV). */
  previewWav(p: Prompt): Buffer | undefined {
    const file = this.fileOf(p, 'ulaw');
    if (!existsSync(file)) return undefined;
    const g711 = wavData(readFileSync(file));
    const pcm = new Int16Array(g711.length);
    decodeG711('ulaw', g711, pcm);
    return Buffer.concat([pcmWavHeader(pcm.length * 2), Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
  }
}

/** RIFF header of a 8 kHz mono 16-bit PCM WAV with `dataBytes` of samples. */
function pcmWavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export type { AudioContainer };
