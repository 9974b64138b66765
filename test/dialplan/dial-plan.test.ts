import { describe, expect, it } from 'vitest';
import { DialPlan } from '../../services/dialplan/dial-plan';
import { checkOutboundPermission, type OutboundPermission } from '../../services/dialplan/permissions';
import { compilePattern } from '../../services/dialplan/pattern';
import { dialForms, OutboundRouter } from '../../services/dialplan/outbound-router';
import type { NumberClass } from '../../services/dialplan/normalise';

describe('checkOutboundPermission', () => {
  const classes: NumberClass[] = ['internal', 'feature', 'emergency', 'local', 'toll-free', 'national', 'mobile', 'premium', 'international'];
  // rows: permission; columns: classes above; 1 = allowed
  const table: Record<OutboundPermission, string> = {
    internal: '111000000',
    local: '111110000',
    national: '111111100',
    international: '111111111',
  };
  for (const [permission, row] of Object.entries(table) as Array<[OutboundPermission, string]>) {
    it(`${permission}: ${row}`, () => {
      expect(classes.map((c) => (checkOutboundPermission(permission, c).allowed ? '1' : '0')).join('')).toBe(row);
    });
  }
  it('says what is missing', () => {
    expect(checkOutboundPermission('local', 'mobile')).toEqual({
      allowed: false,
      required: 'national',
      code: 'outbound-not-permitted',
      message: 'mobile calls need the national permission, the extension has local',
    });
  });
});

describe('compilePattern', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['_+7495XXXXXXX', ['+74951234567'], ['+74991234567', '+7495123456', '+749512345678']],
    ['_+79XXXXXXXXX', ['+79161234567'], ['+78001234567']],
    ['_+7[3-48]XXXXXXXXX', ['+73433710000', '+74951234567', '+78123150000'], ['+79161234567']],
    ['_+X.', ['+442079460958', '+74951234567'], ['112', '+']],
    ['_10[1-4]', ['101', '104'], ['105', '100']],
    ['_NXX', ['200', '999'], ['100', '099']],
    ['_ZX', ['10', '99'], ['09']],
    ['_+7800!', ['+7800', '+78005553535'], ['+7809']],
    ['112', ['112'], ['1120', '+112']],
    ['_*7X', ['*72'], ['*7']],
    ['_x[15]', ['11', '95'], ['12']],
  ];
  it.each(cases)('%s', (pattern, yes, no) => {
    const p = compilePattern(pattern);
    for (const n of yes) expect(p.regex.test(n), `${pattern} should match ${n}`).toBe(true);
    for (const n of no) expect(p.regex.test(n), `${pattern} should not match ${n}`).toBe(false);
  });

  const invalid: Array<[string, string]> = [
    ['', 'pattern : is empty'],
    ['_', 'pattern _: is empty after _'],
    ['_8XX[1-', 'pattern _8XX[1-: unclosed ['],
    ['_8[5-1]', 'pattern _8[5-1]: bad range 5-1'],
    ['_8[a]', 'pattern _8[a]: bad set [a]'],
    ['_8.X', 'pattern _8.X: . must be last'],
    ['_8(XX)', 'pattern _8(XX): unexpected character ('],
    ['_8$', 'pattern _8$: unexpected character $'],
    ['8XXX', 'pattern 8XXX: an exact number has only digits, +, * and #'],
    ['_' + 'X'.repeat(40), `pattern _${'X'.repeat(39)}: longer than 40 characters`],
  ];
  it.each(invalid)('rejects %s', (pattern, message) => {
    expect(() => compilePattern(pattern)).toThrowError(expect.objectContaining({ status: 400, code: 'invalid-route-pattern', message }));
  });
});

const routes = [
  { id: 'emergency', patterns: ['112', '_10[1-4]'], trunks: ['rostelecom', 'mts'] },
  { id: 'moscow', patterns: ['_+7495XXXXXXX', '_+7499XXXXXXX'], strip: 2, trunks: ['rostelecom', 'mts'] },
  { id: 'mobile-gsm', patterns: ['_+79XXXXXXXXX'], strip: 2, prepend: '8', trunks: ['gsm-gateway', 'mts'] },
  { id: 'disabled', enabled: false, patterns: ['_+7X.'], trunks: ['old'] },
  { id: 'russia', patterns: ['_+7X.'], strip: 1, trunks: ['mts'] },
  { id: 'world', patterns: ['_+X.'], strip: 1, prepend: '810', trunks: ['mts', 'rostelecom'] },
];

describe('OutboundRouter', () => {
  const router = new OutboundRouter(routes);
  const table: Array<[string, string | undefined, string | undefined, string[] | undefined]> = [
    ['+74951234567', 'moscow', '4951234567', ['rostelecom', 'mts']],
    ['+79161234567', 'mobile-gsm', '89161234567', ['gsm-gateway', 'mts']],
    ['+78123150000', 'russia', '78123150000', ['mts']],
    ['+442079460958', 'world', '810442079460958', ['mts', 'rostelecom']],
    ['112', 'emergency', '112', ['rostelecom', 'mts']],
    ['103', 'emergency', '103', ['rostelecom', 'mts']],
    ['105', undefined, undefined, undefined],
  ];
  it.each(table)('%s → %s %s', (number, routeId, dialNumber, trunks) => {
    const d = router.route({ number });
    expect(d === undefined ? undefined : d.routeId).toBe(routeId);
    expect(d?.dialNumber).toBe(dialNumber);
    expect(d?.trunks).toEqual(trunks);
  });

  it('lets admins write the Asterisk patterns they know, on the Russian dialling form', () => {
    const r = new OutboundRouter([
      { id: 'mobile', patterns: ['_89XXXXXXXXX'], trunks: ['gsm'] },
      { id: 'long-distance', patterns: ['_8XXXXXXXXXX'], strip: 1, prepend: '7', trunks: ['mts'] },
      { id: 'international', patterns: ['_810X.'], strip: 3, prepend: '00', trunks: ['mts'] },
    ]);
    // Whatever the user keyed (+7…, 8…, 10 digits), the number is normalised first, then seen as 8….
    expect(r.route({ number: '+79161234567' })).toEqual({ routeId: 'mobile', dialNumber: '89161234567', trunks: ['gsm'] });
    expect(r.route({ number: '+74951234567' })).toEqual({ routeId: 'long-distance', dialNumber: '74951234567', trunks: ['mts'] });
    expect(r.route({ number: '+442079460958' })).toEqual({ routeId: 'international', dialNumber: '00442079460958', trunks: ['mts'] });
    expect(r.route({ number: '112' })).toBeUndefined();
  });

  it('skips a route whose strip would eat the whole number', () => {
    const r = new OutboundRouter([
      { id: 'greedy', patterns: ['_X.'], strip: 3, trunks: ['a'] },
      { id: 'fallback', patterns: ['_X.'], trunks: ['b'] },
    ]);
    expect(r.route({ number: '112' })).toEqual({ routeId: 'fallback', dialNumber: '112', trunks: ['b'] });
  });

  it('reports every configuration problem at once with its field', () => {
    let caught: unknown;
    try {
      new OutboundRouter([
        { id: 'a', patterns: ['_8[5-1]', '_+7X.'], trunks: ['t'] },
        { id: 'a', patterns: ['112'], trunks: [] },
        { id: 'c', patterns: ['112'], trunks: ['t'], prepend: 'abc', strip: -1 },
        { id: 'd', patterns: ['112'], trunks: ['t'] },
      ]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({
      status: 400,
      code: 'validation-failed',
      details: {
        fields: [
          { field: 'routes[0].patterns[0]', message: 'pattern _8[5-1]: bad range 5-1' },
          { field: 'routes[1].trunks', message: 'expected at least one trunk' },
          { field: 'routes[2].strip', message: expect.any(String) },
          { field: 'routes[2].prepend', message: 'must be up to 15 digits, + * #' },
        ],
      },
    });
  });

  it('spells numbers both ways', () => {
    expect(dialForms('+74951234567')).toEqual(['+74951234567', '84951234567']);
    expect(dialForms('+442079460958')).toEqual(['+442079460958', '810442079460958']);
    expect(dialForms('112')).toEqual(['112']);
  });

  it('refuses duplicate route ids', () => {
    expect(() => new OutboundRouter([routes[0]!, routes[0]!])).toThrowError(expect.objectContaining({ message: 'routes[1].id: duplicate id emergency' }));
  });
});

describe('DialPlan.decide', () => {
  const plan = new DialPlan({ cityCode: '495', localAreaCodes: ['499'] }, routes);
  it('keeps internal numbers and feature codes inside', () => {
    expect(plan.decide('204', 'internal')).toEqual({ kind: 'internal', dialled: '204', number: '204', class: 'internal' });
    expect(plan.decide('*72', 'internal')).toEqual({ kind: 'feature', dialled: '*72', number: '*72', class: 'feature' });
  });

  it('always routes emergency numbers, even for internal-only extensions', () => {
    expect(plan.decide('112', 'internal')).toMatchObject({ kind: 'outbound', number: '112', class: 'emergency', route: { routeId: 'emergency', dialNumber: '112' } });
    expect(plan.decide('103', 'internal')).toMatchObject({ kind: 'outbound', route: { routeId: 'emergency' } });
  });

  const table: Array<[string, OutboundPermission, string, string]> = [
    ['8 (495) 123-45-67', 'local', 'outbound', 'moscow:4951234567'],
    ['223-45-67', 'local', 'outbound', 'moscow:4952234567'],
    ['8 916 123-45-67', 'local', 'refused', '403:outbound-not-permitted'],
    ['8 916 123-45-67', 'national', 'outbound', 'mobile-gsm:89161234567'],
    ['+7 916 123-45-67', 'international', 'outbound', 'mobile-gsm:89161234567'],
    ['8 800 555-35-35', 'local', 'outbound', 'russia:78005553535'],
    ['8 800 555-35-35', 'internal', 'refused', '403:outbound-not-permitted'],
    ['8 809 505-00-00', 'national', 'refused', '403:outbound-not-permitted'],
    ['810 44 20 7946 0958', 'national', 'refused', '403:outbound-not-permitted'],
    ['810 44 20 7946 0958', 'international', 'outbound', 'world:810442079460958'],
    ['8 727 250 00 00', 'national', 'refused', '403:outbound-not-permitted'],
    ['8 916 123', 'international', 'refused', '484:dialplan-incomplete'],
    ['abc', 'international', 'refused', '404:dialplan-invalid-chars'],
  ];
  it.each(table)('%s with %s → %s %s', (dialled, permission, kind, detail) => {
    const d = plan.decide(dialled, permission);
    expect(d.kind).toBe(kind);
    if (d.kind === 'outbound') expect(`${d.route.routeId}:${d.route.dialNumber}`).toBe(detail);
    else if (d.kind === 'refused') expect(`${d.sipStatus}:${d.code}`).toBe(detail);
  });

  it('sends emergency calls out over every trunk when no route names them', () => {
    const plan = new DialPlan({}, [
      { id: 'mobiles', patterns: ['_+79XXXXXXXXX'], trunks: ['gsm', 'mts'] },
      { id: 'off', enabled: false, patterns: ['_X.'], trunks: ['old'] },
      { id: 'world', patterns: ['_+X.'], trunks: ['mts', 'rostelecom'] },
    ]);
    expect(plan.decide('112', 'internal')).toMatchObject({ kind: 'outbound', class: 'emergency', route: { routeId: 'emergency-fallback', dialNumber: '112', trunks: ['gsm', 'mts', 'rostelecom'] } });
    expect(new DialPlan({}, []).decide('112', 'internal')).toMatchObject({ kind: 'refused', sipStatus: 404, code: 'no-outbound-route' });
  });

  it('refuses with 404 when no route matches', () => {
    const bare = new DialPlan({}, [{ id: 'mobiles', patterns: ['_+79XXXXXXXXX'], trunks: ['gsm'] }]);
    expect(bare.decide('8 495 123 45 67', 'international')).toMatchObject({
      kind: 'refused',
      sipStatus: 404,
      code: 'no-outbound-route',
      message: 'no outbound route matches +74951234567',
      normalised: { number: '+74951234567', class: 'national' },
    });
  });

  it('reports a bad numbering configuration with field names', () => {
    expect(() => new DialPlan({ cityCode: 'abc' }, [])).toThrowError(
      expect.objectContaining({ code: 'validation-failed', message: 'numbering.cityCode: must be 3–5 digits starting with 3–9, or empty' }),
    );
  });
});
