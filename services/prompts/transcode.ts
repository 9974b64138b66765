// Decodes an uploaded or synthesised file with ffmpeg into the two files
// rtpengine plays: G.711 A-law and µ-law WAV, 8 kHz mono (rtpengine 10.5
// reads any file libavformat opens and re-encodes for the leg's codec; a
// G.711 source at 8 kHz makes that a byte copy or a table lookup). The
// demuxer is forced to what the bytes were sniffed as, so a name or an
// extension never chooses it. Duration is measured on the decoded output.
import { readFileSync } from 'node:fs';
import { promptBroken, promptTooLong, toolMissing } from './errors';
import { runTool } from './run-tool';
import { wavData, type AudioContainer } from './sniff';

export interface TranscodeLimits {
  maxSeconds: number;
  timeoutMs: number;
}

export interface Transcoded {
  durationMs: number;
}

/** ffmpeg's first complaint, without the staging path it names. */
function firstProblem(stderr: string, input: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find(Boolean) ?? 'the decoder gave up';
  return line.split(input).join('the file').replace(/^\[[^\]]*\]\s*/, '').slice(0, 200);
}

async function tool(cmd: string, args: string[], timeoutMs: number) {
  try {
    return await runTool(cmd, args, { timeoutMs });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw toolMissing(cmd);
    throw e;
  }
}

/** What the container declares: whether it has audio and how long it claims to be. */
async function probe(input: string, format: AudioContainer, timeoutMs: number): Promise<{ declaredMs: number | null }> {
  const r = await tool('ffprobe', ['-v', 'error', '-f', format, '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', input], timeoutMs);
  if (r.timedOut) throw promptBroken('reading the file took too long');
  if (r.code !== 0) throw promptBroken(firstProblem(r.stderr, input));
  let parsed: { streams?: { codec_type?: string }[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    throw promptBroken('ffprobe gave no answer');
  }
  if (!parsed.streams?.some((s) => s.codec_type === 'audio')) throw promptBroken('no audio stream in the file');
  const d = Number(parsed.format?.duration);
  return { declaredMs: Number.isFinite(d) && d > 0 ? Math.round(d * 1000) : null };
}

export async function transcode(input: string, format: AudioContainer, out: { alaw: string; ulaw: string }, limits: TranscodeLimits, what = 'data'): Promise<Transcoded> {
  const { declaredMs } = await probe(input, format, limits.timeoutMs);
  // Refuse a long file before spending a decode on it.
  if (declaredMs !== null && declaredMs > limits.maxSeconds * 1000 + 500) throw promptTooLong(declaredMs / 1000, limits.maxSeconds, what);
  const g711 = (codec: string, file: string) => ['-map', '0:a:0', '-ac', '1', '-ar', '8000', '-c:a', codec, '-f', 'wav', file];
  const r = await tool(
    'ffmpeg',
    // -t caps the decode just past the limit, so a file that lies about its length still costs at most that.
    ['-nostdin', '-hide_banner', '-v', 'error', '-xerror', '-y', '-f', format, '-i', input, '-t', String(limits.maxSeconds + 1), ...g711('pcm_alaw', out.alaw), ...g711('pcm_mulaw', out.ulaw)],
    limits.timeoutMs,
  );
  if (r.timedOut) throw promptBroken('decoding took too long');
  if (r.code !== 0) throw promptBroken(firstProblem(r.stderr, input));
  // 8000 one-byte samples a second.
  const durationMs = Math.round(wavData(readFileSync(out.alaw)).length / 8);
  if (durationMs < 100) throw promptBroken('it holds no audible audio (shorter than 0.1 s)');
  if (durationMs > limits.maxSeconds * 1000) throw promptTooLong(durationMs / 1000, limits.maxSeconds, what);
  // An MP3 with a Xing/LAME header or a WAV that was cut short decodes to less than it declares.
  if (declaredMs !== null && declaredMs - durationMs > Math.max(500, declaredMs * 0.05)) {
    throw promptBroken(`it declares ${(declaredMs / 1000).toFixed(1)} s but holds only ${(durationMs / 1000).toFixed(1)} s (the file was cut short)`);
  }
  return { durationMs };
}
