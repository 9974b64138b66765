// services/fmc numbers, ICCIDs and caller IDs: the forms GSM gateways and
// operators send (wave2-facts.md §1) become E.164; a bad ICCID names the
// right check digit; the caller ID comes from PAI, then RPID, then From.
import { describe, expect, it } from 'vitest';
import { callerIdentity, headerUser, isRussianMobile, luhnCheckDigit, luhnValid, normaliseNumber, parseIccid, parseMsisdn } from '../../services/fmc';

describe('normaliseNumber', () => {
  const cases: Array<[string, string | null, string]> = [
    ['2293042', '495', '+74952293042'],
    ['229-30-42', '812', '+78122293042'],
    ['89257184444', null, '+79257184444'],
    ['79257184444', null, '+79257184444'],
    ['+79257184444', null, '+79257184444'],
    ['9257184444', null, '+79257184444'],
    ['8 (495) 229-30-42', null, '+74952293042'],
    ['810442079460000', null, '+442079460000'],
    ['0044 20 7946 0000', null, '+442079460000'],
    ['22-93-00', '3843', '+73843229300'],
  ];
  it.each(cases)('%s with city %s is %s', (raw, city, e164) => {
    expect(normaliseNumber(raw, { cityCode: city })).toEqual({ ok: true, e164 });
  });

  it('refuses what no gateway means, and says a withheld number is withheld', () => {
    expect(normaliseNumber('2293042')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(normaliseNumber('+7925718444')).toMatchObject({ ok: false, reason: 'invalid', message: 'a +7 number has 10 digits after +7' });
    expect(normaliseNumber('goip1')).toMatchObject({ ok: false, reason: 'invalid' });
    for (const w of ['Anonymous', 'unknown', '', null, undefined]) expect(normaliseNumber(w)).toMatchObject({ ok: false, reason: 'withheld' });
  });

  it('knows a Russian mobile number', () => {
    expect(isRussianMobile('+79257184444')).toBe(true);
    expect(isRussianMobile('+74952293042')).toBe(false);
    expect(isRussianMobile('+77012345678')).toBe(false); // Kazakhstan
    expect(parseMsisdn('8 925 718-44-44')).toEqual({ ok: true, e164: '+79257184444' });
    expect(parseMsisdn('+74952293042')).toEqual({ ok: false, message: 'must be a Russian mobile number: +7 9xx xxx-xx-xx' });
    expect(parseMsisdn('')).toEqual({ ok: false, message: 'required' });
  });
});

describe('ICCID', () => {
  it('checks the Luhn digit and names the right one', () => {
    expect(luhnValid('8970102100000000001')).toBe(true);
    expect(luhnCheckDigit('897010210000000000')).toBe('1');
    expect(parseIccid('8970 1021 0000 0000 001')).toEqual({ ok: true, iccid: '8970102100000000001' });
    expect(parseIccid('8970102100000000002')).toEqual({ ok: false, message: 'bad check digit: the last digit should be 1' });
    // A swap of two neighbours is caught too.
    expect(parseIccid('8970199123456789021').ok).toBe(false);
    expect(parseIccid('12345')).toEqual({ ok: false, message: 'must be 19 or 20 digits, got 5' });
    expect(parseIccid('1970102100000000001')).toMatchObject({ ok: false, message: /must start with 89/ });
    expect(parseIccid('89701021000000000x1')).toEqual({ ok: false, message: 'must be digits only' });
  });
});

describe('callerIdentity', () => {
  it('reads user parts of sip, sips and tel URIs', () => {
    expect(headerUser('"Иван" <sip:+79257184444@10.0.0.5;user=phone>;tag=1')).toBe('+79257184444');
    expect(headerUser('<tel:+79257184444>')).toBe('+79257184444');
    expect(headerUser('sip:2293042@gw;tag=x')).toBe('2293042');
    expect(headerUser('<sip:10.0.0.5>')).toBeNull();
    expect(headerUser('garbage')).toBeNull();
  });

  it('takes PAI, then RPID, then From, skipping ones that are not numbers', () => {
    const h = { pai: '<sip:89257184444@op>', rpid: '<sip:+79160000000@gw>;party=calling', from: '<sip:goip1@gw>;tag=1' };
    expect(callerIdentity(h)).toEqual({ number: '+79257184444', source: 'pai' });
    expect(callerIdentity({ ...h, pai: undefined })).toEqual({ number: '+79160000000', source: 'rpid' });
    expect(callerIdentity({ from: '<sip:2293042@gw>;tag=1' }, { cityCode: '495' })).toEqual({ number: '+74952293042', source: 'from' });
    // GoIP with CID forward off: From is the port's user name, no number anywhere.
    expect(callerIdentity({ from: '<sip:goip1@gw>;tag=1' })).toEqual({ number: null, source: null, raw: 'goip1' });
    expect(callerIdentity({ from: '"Anonymous" <sip:anonymous@anonymous.invalid>' })).toEqual({ number: null, source: null, raw: 'anonymous' });
    // An admin's order: From first.
    expect(callerIdentity(h, { order: ['from', 'rpid'] })).toEqual({ number: '+79160000000', source: 'rpid' });
  });
});
