// RTP fixed header parsing, RFC 3550 §5.1 (with §5.3.1 header extension and
// the padding rule of §5.1), and RTCP detection on a shared port (RFC 5761 §4).
import { rtpMalformed } from './errors';

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  csrc: number[];
  /** RFC 3550 §5.3.1: 16-bit profile-defined value and the extension words. */
  extension: { profile: number; data: Buffer } | undefined;
  /** Payload without padding. A view into the datagram. */
  payload: Buffer;
}

/**
 * RFC 5761 §4: with RTP and RTCP on one port, RTCP packet types 192–223
 * (SR 200, RR 201, SDES 202, BYE 203, APP 204, …) land where an RTP packet
 * would have marker+payload type 64–95, which RFC 5761 keeps free.
 */
export function isRtcp(buf: Buffer): boolean {
  const pt = buf[1];
  return buf.length >= 8 && (buf[0] ?? 0) >> 6 === 2 && pt !== undefined && pt >= 192 && pt <= 223;
}

export function parseRtp(buf: Buffer): RtpPacket {
  if (buf.length < 12) throw rtpMalformed(`${buf.length} bytes, shorter than the 12-byte header`);
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 >> 6 !== 2) throw rtpMalformed(`version ${b0 >> 6}, expected 2`);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let o = 12;
  if (buf.length < o + 4 * cc) throw rtpMalformed(`${cc} CSRCs do not fit in ${buf.length} bytes`);
  const csrc: number[] = [];
  for (let i = 0; i < cc; i++, o += 4) csrc.push(buf.readUInt32BE(o));
  let extension: RtpPacket['extension'];
  if (hasExtension) {
    if (buf.length < o + 4) throw rtpMalformed('header extension does not fit');
    const profile = buf.readUInt16BE(o);
    const words = buf.readUInt16BE(o + 2);
    if (buf.length < o + 4 + 4 * words) throw rtpMalformed(`header extension of ${words} words does not fit`);
    extension = { profile, data: buf.subarray(o + 4, o + 4 + 4 * words) };
    o += 4 + 4 * words;
  }
  let end = buf.length;
  if (padding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    const pad = buf[buf.length - 1] ?? 0;
    if (pad === 0 || pad > end - o) throw rtpMalformed(`padding of ${pad} bytes does not fit`);
    end -= pad;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrc,
    extension,
    payload: buf.subarray(o, end),
  };
}
