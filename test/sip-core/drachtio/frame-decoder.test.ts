import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError } from '../../../services/sip-core/drachtio/frame-decoder';
import { parseWireMessage } from '../../../services/sip-core/drachtio/leader';

describe('FrameDecoder', () => {
  it('decodes frames split at every byte and counts UTF-8 bytes', () => {
    const payloads = ['abc|ping', 'x|sip|||\r\nINVITE sip:ёж@host SIP/2.0\r\n\r\n', '1|route|invite'];
    const wire = Buffer.concat(payloads.map(encodeFrame));
    const d = new FrameDecoder(1000);
    const out: string[] = [];
    for (let i = 0; i < wire.length; i++) out.push(...d.push(wire.subarray(i, i + 1)));
    expect(out).toEqual(payloads);
    expect(d.pendingBytes).toBe(0);
  });

  it('decodes coalesced frames from one read and keeps a partial tail', () => {
    const wire = Buffer.concat([encodeFrame('a|ping'), encodeFrame('b|ping'), encodeFrame('c|ping').subarray(0, 4)]);
    const d = new FrameDecoder(1000);
    expect(d.push(wire)).toEqual(['a|ping', 'b|ping']);
    expect(d.push(Buffer.from('ping'))).toEqual(['c|ping']);
  });

  it('accepts 7-digit length specifiers', () => {
    const big = 'x'.repeat(1_234_567);
    const d = new FrameDecoder(2_000_000);
    expect(d.push(encodeFrame(big))).toEqual([big]);
  });

  it.each([
    ['abc#xyz', 'frame-bad-length', 'non-digit in length specifier'],
    ['#xyz', 'frame-bad-length', 'missing length before #'],
    ['0#', 'frame-bad-length', 'zero length frame'],
    ['1234567890', 'frame-bad-length', 'length specifier too long'],
    ['5000#', 'frame-too-large', 'frame of 5000 bytes exceeds 1000'],
  ])('rejects %j', (input, code, message) => {
    const d = new FrameDecoder(1000);
    let err: unknown;
    try {
      d.push(Buffer.from(input));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameError);
    expect((err as FrameError).code).toBe(code);
    expect((err as FrameError).message).toBe(message);
  });
});

describe('parseWireMessage', () => {
  it('keeps empty tokens and splits the SIP part at the first CRLF', () => {
    const m = parseWireMessage('id1|sip|tx||\r\nSIP/2.0 200 OK\r\nA: b\r\n\r\n');
    expect(m.id).toBe('id1');
    expect(m.type).toBe('sip');
    expect(m.tokens).toEqual(['id1', 'sip', 'tx', '', '']);
    expect(m.sip).toBe('SIP/2.0 200 OK\r\nA: b\r\n\r\n');
  });
});
