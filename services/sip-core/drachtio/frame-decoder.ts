// drachtio wire framing: every message is `<N>#<payload>` where N is the
// decimal count of payload *bytes* (notes A.2). Frames may be split across
// reads or coalesced into one read, so we buffer bytes, never strings.

/** Up to 9 digits: payloads below 1 GB are framed, but see maxPayloadBytes. */
const MAX_LENGTH_DIGITS = 9;
const HASH = 0x23;

export class FrameError extends Error {
  constructor(readonly code: 'frame-bad-length' | 'frame-too-large', message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'ascii'), body]);
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxPayloadBytes: number) {}

  /**
   * Feeds bytes and returns every complete payload. Throws FrameError on
   * garbage (the caller closes the connection: there is no way to resync).
   */
  push(data: Buffer): string[] {
    this.chunks.push(data);
    this.buffered += data.length;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out: string[] = [];
    for (;;) {
      const header = this.readHeader(buf);
      if (!header) break;
      const end = header.start + header.length;
      if (buf.length < end) break;
      out.push(buf.toString('utf8', header.start, end));
      buf = buf.subarray(end);
    }
    this.chunks = buf.length > 0 ? [buf] : [];
    this.buffered = buf.length;
    return out;
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  private readHeader(buf: Buffer): { start: number; length: number } | undefined {
    let length = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === HASH) {
        if (i === 0) throw new FrameError('frame-bad-length', 'missing length before #');
        if (length === 0) throw new FrameError('frame-bad-length', 'zero length frame');
        if (length > this.maxPayloadBytes) {
          throw new FrameError('frame-too-large', `frame of ${length} bytes exceeds ${this.maxPayloadBytes}`);
        }
        return { start: i + 1, length };
      }
      if (c < 0x30 || c > 0x39) throw new FrameError('frame-bad-length', 'non-digit in length specifier');
      if (i >= MAX_LENGTH_DIGITS) throw new FrameError('frame-bad-length', 'length specifier too long');
      length = length * 10 + (c - 0x30);
    }
    return undefined;
  }
}
