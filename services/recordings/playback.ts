// Playback of a vault file over HTTP with byte ranges (RFC 9110 §14), so the
// browser's <audio> element can seek: only the 64 KiB chunks that hold the
// requested bytes are decrypted. The api service sets these headers and
// streams `body`; it also writes the access to the audit log.
import type { RecordingIndexRecord } from './recording-index';
import type { Vault } from './vault';

export type ByteRange = { start: number; end: number }; // end exclusive

/**
 * One `bytes=` range of `Range`, resolved against `length`. Returns undefined
 * to serve the whole file (no header, another unit, several ranges: RFC 9110
 * §14.2 lets a server ignore Range), or 'unsatisfiable' for a 416.
 */
export function parseByteRange(header: string | undefined, length: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // suffix range: the last N bytes (RFC 9110 §14.1.1)
    const n = Number(last);
    if (n === 0 || length === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - n), end: length };
  }
  const start = Number(first);
  if (start >= length) return 'unsatisfiable';
  const end = last === '' ? length : Math.min(length, Number(last) + 1);
  if (end <= start) return undefined; // last < first: syntactically invalid, ignore the header
  return { start, end };
}

export interface PlaybackResponse {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body: AsyncIterable<Buffer> | undefined;
}

export function playback(vault: Vault, file: string, rec: Pick<RecordingIndexRecord, 'plainBytes' | 'mediaType'>, rangeHeader?: string): PlaybackResponse {
  const length = rec.plainBytes;
  const range = parseByteRange(rangeHeader, length);
  const base = { 'Accept-Ranges': 'bytes', 'Content-Type': rec.mediaType, 'Cache-Control': 'no-store' };
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${length}` }, body: undefined };
  }
  if (!range) {
    return { status: 200, headers: { ...base, 'Content-Length': String(length) }, body: vault.decrypt(file, 0, length) };
  }
  return {
    status: 206,
    headers: { ...base, 'Content-Length': String(range.end - range.start), 'Content-Range': `bytes ${range.start}-${range.end - 1}/${length}` },
    body: vault.decrypt(file, range.start, range.end),
  };
}
