// Cuts SIP messages out of a byte stream (RFC 3261 §18.3): headers up to the
// blank line, then exactly Content-Length bytes of body. Anything that cannot
// be framed (no SIP start line, no or bad Content-Length, over the size limit)
// is fatal for the connection: after garbage the stream has no boundaries left.
import { findHeaderEnd, leadingBlankBytes } from '../parser';

export type FrameResult =
  | { kind: 'message'; raw: Buffer }
  | { kind: 'keepalive' }
  | { kind: 'error'; code: 'not-sip' | 'message-too-large' | 'missing-content-length' | 'bad-content-length'; message: string };

const startLinePattern = /^(?:[A-Za-z0-9\-.!%*_+`'~]+ \S+ SIP\/\d|SIP\/\d)/;
const contentLengthPattern = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$/im;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  get buffered(): number {
    return this.buf.length;
  }

  /** Next complete frame, or undefined when more bytes are needed. */
  next(): FrameResult | undefined {
    const blank = leadingBlankBytes(this.buf);
    if (blank > 0) {
      // RFC 5626 §3.5.1: CRLFCRLF is a keep-alive ping (answered with CRLF by the caller).
      const ping = this.buf.subarray(0, blank).includes('\r\n\r\n');
      this.buf = this.buf.subarray(blank);
      if (ping) return { kind: 'keepalive' };
    }
    if (this.buf.length === 0) return undefined;
    const eol = this.buf.indexOf('\n');
    const firstLine = this.buf.toString('latin1', 0, eol < 0 ? Math.min(this.buf.length, 256) : eol);
    if ((eol >= 0 || this.buf.length >= 256) && !startLinePattern.test(firstLine)) {
      return { kind: 'error', code: 'not-sip', message: 'not a SIP message' };
    }
    const sep = findHeaderEnd(this.buf);
    if (!sep) {
      if (this.buf.length > this.maxMessageBytes) return tooLarge(this.buf.length);
      return undefined;
    }
    const m = contentLengthPattern.exec(this.buf.toString('latin1', 0, sep.end));
    if (!m) return { kind: 'error', code: 'missing-content-length', message: 'missing Content-Length' };
    if (!/^\d{1,9}$/.test(m[1]!)) return { kind: 'error', code: 'bad-content-length', message: 'bad Content-Length' };
    const total = sep.end + sep.sepLength + Number(m[1]);
    if (total > this.maxMessageBytes) return tooLarge(total);
    if (this.buf.length < total) return undefined;
    const raw = Buffer.from(this.buf.subarray(0, total));
    this.buf = this.buf.subarray(total);
    return { kind: 'message', raw };
  }
}

function tooLarge(bytes: number): FrameResult {
  return { kind: 'error', code: 'message-too-large', message: `Message Too Large (${bytes} bytes)` };
}
