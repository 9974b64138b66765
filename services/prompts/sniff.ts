// What an uploaded file is, by its bytes and never by its name, and whether a
// WAV file holds as much audio as its header promises.

export type AudioContainer = 'wav' | 'mp3' | 'ogg';

/** RIFF/WAVE, an Ogg page, or MP3 (an ID3v2 tag or an MPEG audio frame sync). */
export function sniffAudio(b: Buffer): AudioContainer | undefined {
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'OggS') return 'ogg';
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'ID3') return 'mp3';
  // ISO 11172-3 §2.4.1.3: 11 sync bits, then a layer other than "reserved" (00).
  if (b.length >= 4 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0) return 'mp3';
  return undefined;
}

export interface WavChunk {
  id: string;
  offset: number;
  /** As declared in the chunk header. */
  size: number;
}

/** The chunks of a RIFF file, as declared; stops at the first that runs past the end. */
export function wavChunks(b: Buffer): { chunks: WavChunk[]; overrun?: WavChunk } {
  const chunks: WavChunk[] = [];
  let at = 12;
  while (at + 8 <= b.length) {
    const c = { id: b.toString('latin1', at, at + 4), offset: at + 8, size: b.readUInt32LE(at + 4) };
    if (c.offset + c.size > b.length) return { chunks, overrun: c };
    chunks.push(c);
    at = c.offset + c.size + (c.size % 2); // RIFF chunks are padded to even sizes
  }
  return { chunks };
}

/**
 * A WAV whose data chunk declares more bytes than the file holds was cut
 * short (an interrupted copy). Streaming writers leave 0 or 0xFFFFFFFF as
 * "unknown"; those are not claims and pass.
 */
export function wavTruncation(b: Buffer): string | undefined {
  const { chunks, overrun } = wavChunks(b);
  if (overrun && overrun.size !== 0 && overrun.size !== 0xffffffff) {
    return `the ${overrun.id.trim()} chunk declares ${overrun.size} bytes but only ${b.length - overrun.offset} follow (the file was cut short)`;
  }
  if (!overrun && !chunks.some((c) => c.id === 'data')) return 'no data chunk';
  return undefined;
}

/** The audio bytes of a WAV file we wrote ourselves (G.711: one byte per sample). */
export function wavData(b: Buffer): Buffer {
  const { chunks, overrun } = wavChunks(b);
  const data = chunks.find((c) => c.id === 'data') ?? (overrun?.id === 'data' ? overrun : undefined);
  if (!data) throw new Error('no data chunk');
  return b.subarray(data.offset, Math.min(b.length, data.offset + data.size));
}
