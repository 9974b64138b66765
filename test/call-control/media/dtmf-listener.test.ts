import { describe, expect, it } from 'vitest';
import { parseDtmfReport } from '../../../services/call-control/media/dtmf-listener';

const report = (o: Record<string, unknown>) => Buffer.from(JSON.stringify({ callid: 'c1', source_tag: 'A', tags: ['A', 'B'], type: 'DTMF', timestamp: 1795298315, source_ip: '127.0.0.1', event: 1, duration: 120, volume: 10, ...o }));

describe('parseDtmfReport', () => {
  it('reads rtpengine’s report (notes B.5) into a digit', () => {
    expect(parseDtmfReport(report({}))).toEqual({ callId: 'c1', sourceTag: 'A', digit: '1', durationMs: 120, volume: 10, at: 1795298315000 });
  });
  it.each([[0, '0'], [9, '9'], [10, '*'], [11, '#'], [12, 'A'], [15, 'D']])('event %i is %s', (event, digit) => {
    expect(parseDtmfReport(report({ event }))?.digit).toBe(digit);
  });
  it.each([
    ['not JSON', Buffer.from('hello')],
    ['JSON null', Buffer.from('null')],
    ['another type', report({ type: 'SDP' })],
    ['event 16', report({ event: 16 })],
    ['negative event', report({ event: -1 })],
    ['fractional event', report({ event: 1.5 })],
    ['event as text', report({ event: '1' })],
    ['no call id', report({ callid: 5 })],
    ['huge datagram', Buffer.alloc(5000, 0x20)],
  ])('ignores %s', (_name, buf) => {
    expect(parseDtmfReport(buf)).toBeUndefined();
  });
});
