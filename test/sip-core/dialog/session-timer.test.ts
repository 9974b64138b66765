import { describe, expect, it } from 'vitest';
import { parseSessionExpires } from '../../../services/sip-core/dialog/session-timer';

describe('parseSessionExpires (RFC 4028 §4)', () => {
  it.each([
    ['1800;refresher=uac', { seconds: 1800, refresher: 'uac' }],
    ['90; refresher = UAS', { seconds: 90, refresher: 'uas' }],
    ['600', { seconds: 600, refresher: undefined }],
    ['600;foo=bar', { seconds: 600, refresher: undefined }],
  ])('reads %j', (value, expected) => {
    expect(parseSessionExpires(value)).toEqual(expected);
  });

  it.each([undefined, '', 'abc', '30;refresher=uac', '-5'])('ignores %j (absent, malformed or below Min-SE 90)', (value) => {
    expect(parseSessionExpires(value)).toBeUndefined();
  });
});
