import { describe, expect, it } from 'vitest';
import { normaliseDialString, numberingConfigSchema, isReservedExtension } from '../../services/dialplan/normalise';

const moscow = numberingConfigSchema.parse({ cityCode: '495', localAreaCodes: ['499'] });
const yaroslavl = numberingConfigSchema.parse({ cityCode: '4852', extensionMaxLength: 4 });
const none = numberingConfigSchema.parse({});

// [dialled, expected number, expected class]
const good: Array<[string, string, string]> = [
  // trunk prefix 8, with every separator style seen on business cards
  ['8 495 123-45-67', '+74951234567', 'local'],
  ['8 (495) 123-45-67', '+74951234567', 'local'],
  ['8-499-765-43-21', '+74997654321', 'local'],
  ['84951234567', '+74951234567', 'local'],
  ['8 812 315-00-00', '+78123150000', 'national'],
  ['8(343)371-00-00', '+73433710000', 'national'],
  ['8 4012 55-66-77', '+74012556677', 'national'],
  ['8 916 123 45 67', '+79161234567', 'mobile'],
  ['89031234567', '+79031234567', 'mobile'],
  ['8 800 555-35-35', '+78005553535', 'toll-free'],
  ['8-800-200-00-00', '+78002000000', 'toll-free'],
  ['8 809 505 00 00', '+78095050000', 'premium'],
  ['8 803 100 00 00', '+78031000000', 'premium'],
  ['8 804 333 11 22', '+78043331122', 'national'],
  // +7 and 7
  ['+7 495 123-45-67', '+74951234567', 'local'],
  ['+7 (916) 123-45-67', '+79161234567', 'mobile'],
  ['+78005553535', '+78005553535', 'toll-free'],
  ['7 921 000 11 22', '+79210001122', 'mobile'],
  ['74012556677', '+74012556677', 'national'],
  // 10 digits without prefix (how mobiles store contacts)
  ['9161234567', '+79161234567', 'mobile'],
  ['4951234567', '+74951234567', 'local'],
  ['8005553535', '+78005553535', 'toll-free'],
  // local 7-digit numbers with the city code configured
  ['223-45-67', '+74952234567', 'local'],
  ['9876543', '+74959876543', 'local'],
  // Kazakhstan shares +7
  ['8 727 250 00 00', '+77272500000', 'international'],
  ['+7 701 123 45 67', '+77011234567', 'international'],
  ['8 (7172) 55-00-00', '+77172550000', 'international'],
  // international via 810 and +
  ['810 49 30 1234567', '+49301234567', 'international'],
  ['8-10-44-20-7946-0958', '+442079460958', 'international'],
  ['810 1 212 555 0100', '+12125550100', 'international'],
  ['+44 20 7946 0958', '+442079460958', 'international'],
  ['+375 17 200-00-00', '+375172000000', 'international'],
  ['+86 10 1234 5678', '+861012345678', 'international'],
  ['+354 555 1234', '+3545551234', 'international'],
  ['810 7 495 123 45 67', '+74951234567', 'local'],
  // emergency, before extensions
  ['112', '112', 'emergency'],
  ['101', '101', 'emergency'],
  ['102', '102', 'emergency'],
  ['103', '103', 'emergency'],
  ['104', '104', 'emergency'],
  [' 112 ', '112', 'emergency'],
  // internal extensions 2–6 digits
  ['10', '10', 'internal'],
  ['100', '100', 'internal'],
  ['105', '105', 'internal'],
  ['201', '201', 'internal'],
  ['2001', '2001', 'internal'],
  ['55555', '55555', 'internal'],
  ['123456', '123456', 'internal'],
  ['800', '800', 'internal'],
  // feature codes
  ['*72', '*72', 'feature'],
  ['*8', '*8', 'feature'],
  ['*21*204#', '*21*204#', 'feature'],
];

describe('normaliseDialString (Moscow, city code 495, 499 also local)', () => {
  it.each(good)('%s → %s (%s)', (dialled, number, cls) => {
    expect(normaliseDialString(dialled, moscow)).toEqual({ ok: true, dialled: dialled.trim(), number, class: cls });
  });
});

const bad: Array<[string, string, string, number]> = [
  ['', 'dialplan-empty', 'nothing was dialled', 484],
  ['   ', 'dialplan-empty', 'nothing was dialled', 484],
  ['1', 'dialplan-incomplete', '1 digits are neither an extension nor a full number', 484],
  ['8 916 123 45', 'dialplan-incomplete', '9 digits are neither an extension nor a full number', 484],
  ['+7 916 123', 'dialplan-incomplete', 'a Russian number needs 10 digits after +7, got 6', 484],
  ['+7 916 123 45 67 8', 'dialplan-invalid-number', 'a Russian number has 10 digits after +7, got 11', 404],
  ['8 123 456 78 90', 'dialplan-invalid-number', 'no Russian numbers start with 1', 404],
  ['8 523 456 78 90', 'dialplan-invalid-number', 'no Russian numbers start with 5', 404],
  ['2345678901', 'dialplan-invalid-number', 'no Russian numbers start with 2', 404],
  ['+0 123 4567', 'dialplan-invalid-number', 'a country code does not start with 0', 404],
  ['+44 20', 'dialplan-incomplete', 'an international number needs at least 7 digits', 484],
  ['810 44', 'dialplan-incomplete', 'an international number needs at least 7 digits', 484],
  ['+1234567890123456', 'dialplan-invalid-number', 'an international number has at most 15 digits', 404],
  ['123456789012', 'dialplan-invalid-number', '12 digits do not form a number', 404],
  ['0123456', 'dialplan-invalid-number', 'a local number starts with 2–7 or 9', 404],
  ['8123456', 'dialplan-incomplete', 'after the trunk prefix 8 a 10-digit number is expected', 484],
  ['1234567', 'dialplan-invalid-number', 'a local number starts with 2–7 or 9', 404],
  ['9161234567a', 'dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed', 404],
  ['sip:100@pbx', 'dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed', 404],
  ['+7+9161234567', 'dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed', 404],
  ['100;drop', 'dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed', 404],
  ['１２３', 'dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed', 404],
  ['9'.repeat(65), 'dialplan-too-long', 'a dial string has at most 64 characters', 404],
];

describe('normaliseDialString refusals', () => {
  it.each(bad)('%s → %s', (dialled, code, message, sipStatus) => {
    expect(normaliseDialString(dialled, moscow)).toEqual({ ok: false, code, message, sipStatus });
  });
});

describe('normaliseDialString with other configurations', () => {
  it('uses 6-digit local numbers for a 4-digit city code', () => {
    expect(normaliseDialString('55-66-77', yaroslavl)).toMatchObject({ ok: true, number: '+74852556677', class: 'local' });
    expect(normaliseDialString('8 4852 55-66-77', yaroslavl)).toMatchObject({ class: 'local' });
    expect(normaliseDialString('8 495 123-45-67', yaroslavl)).toMatchObject({ class: 'national' });
    expect(normaliseDialString('2001', yaroslavl)).toMatchObject({ class: 'internal' });
  });

  it('accepts an optional outside-line digit 9 without breaking numbers that start with 9', () => {
    const office = numberingConfigSchema.parse({ cityCode: '495', outsideLinePrefix: '9' });
    const cases: Array<[string, string, string]> = [
      ['9 8 495 123-45-67', '+74951234567', 'local'],
      ['9 223-45-67', '+74952234567', 'local'],
      ['9 8 916 123 45 67', '+79161234567', 'mobile'],
      ['9 810 44 20 7946 0958', '+442079460958', 'international'],
      ['9 112', '112', 'emergency'],
      ['9161234567', '+79161234567', 'mobile'], // a mobile without prefix stays a mobile
      ['923-45-67', '+74959234567', 'local'], // a local number starting with 9 stays local
      ['9201', '9201', 'internal'], // an extension stays an extension
    ];
    for (const [dialled, number, cls] of cases) expect(normaliseDialString(dialled, office), dialled).toEqual({ ok: true, dialled, number, class: cls });
    expect(normaliseDialString('9 8 916 123', office)).toMatchObject({ ok: false, code: 'dialplan-incomplete' });
    expect(numberingConfigSchema.safeParse({ outsideLinePrefix: '7' }).success).toBe(false);
  });

  it('without a city code, 7 digits are not a number', () => {
    expect(normaliseDialString('1234567', none)).toMatchObject({ ok: false, code: 'dialplan-incomplete', sipStatus: 484 });
    expect(normaliseDialString('8 495 123 45 67', none)).toMatchObject({ ok: true, class: 'national' });
  });

  it('rejects a configuration where local numbers and extensions could collide', () => {
    const r = numberingConfigSchema.safeParse({ cityCode: '4852', extensionMaxLength: 6 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['extensionMaxLength'], message: 'must be below 6, the length of local numbers in area 4852' });
    expect(numberingConfigSchema.safeParse({ cityCode: '95' }).success).toBe(false);
    expect(numberingConfigSchema.safeParse({ cityCode: '0495' }).success).toBe(false);
  });

  it('reserves emergency codes against use as extensions', () => {
    expect(['112', '101', '104'].every((e) => isReservedExtension(e))).toBe(true);
    expect(isReservedExtension('105')).toBe(false);
    expect(isReservedExtension('9112', { outsideLinePrefix: '9' })).toBe(true);
    expect(isReservedExtension('9112')).toBe(false);
    expect(isReservedExtension('9105', { outsideLinePrefix: '9' })).toBe(false);
  });
});
