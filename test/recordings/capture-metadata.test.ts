import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  channelsFromSdps,
  decodeRecordingMetadata,
  encodeRecordingMetadata,
  parseRtpengineMetadata,
} from '../../services/recordings/capture-metadata';

// Written by rtpengine 10.5 on this machine ('record call': 'yes' at offer time).
const fixture = readFileSync(path.join(import.meta.dirname, 'fixtures', 'rtpengine-meta-record-call.txt'), 'utf8');

describe('rtpengine metadata file', () => {
  it('gives the pcap path, both SDPs, the call times and the metadata string', () => {
    const m = parseRtpengineMetadata(fixture);
    expect(m.pcapPath).toBe('/var/spool/rec/pcaps/call-1-f78f5a797827ce47.pcap');
    expect(m.sdps.map((s) => s.mode)).toEqual(['offer', 'answer']);
    expect(m.sdps[0]?.sdp).toContain('m=audio 33430 RTP/AVP 8 101\r\n');
    expect(m.callStart).toBe('2026-11-22T00:26:20');
    expect(m.callEnd).toBe('2026-11-22T00:26:21');
    expect(m.appMetadata).toBe('rec=abc|tenant=t1');
  });

  it('maps the caller to the answer SDP port and the callee to the offer SDP port', () => {
    expect(channelsFromSdps(parseRtpengineMetadata(fixture).sdps)).toEqual({ left: ['127.0.0.1:33448'], right: ['127.0.0.1:33430'] });
    expect(channelsFromSdps([])).toBeUndefined();
  });

  it('parses a file without SDPs (start recording after answer)', () => {
    const m = parseRtpengineMetadata('/x/pcaps/a.pcap\n\n\nTimestamp terminated ms(first monologue): 0.000\n\ncall start time: t0\ncall end time: t1\n\n\nkorobka=1|rec=r1\n');
    expect(m.sdps).toEqual([]);
    expect(decodeRecordingMetadata(m.appMetadata)).toEqual({ recordingId: 'r1' });
  });
});

describe('our metadata string', () => {
  it('round-trips every field, escaping separators', () => {
    const m = {
      recordingId: 'rec-1',
      tenantId: 'bank',
      cdrId: 'cdr|7',
      caller: '+7 (495) 123=45',
      callee: '204',
      channels: { left: ['127.0.0.1:30002', '[::1]:40000'], right: ['127.0.0.1:30000'] },
    };
    const s = encodeRecordingMetadata(m);
    expect(s.split('|')[0]).toBe('korobka=1');
    expect(decodeRecordingMetadata(s)).toEqual(m);
  });

  it('ignores strings that are not ours and rejects bad escapes', () => {
    expect(decodeRecordingMetadata('rec=abc|tenant=t1')).toEqual({});
    expect(() => decodeRecordingMetadata('korobka=1|caller=%E0%A4%A')).toThrowError(
      expect.objectContaining({ code: 'recording-metadata-invalid', message: 'recording metadata: caller: bad percent-encoding' }),
    );
  });
});
