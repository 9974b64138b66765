import { describe, expect, it } from 'vitest';
import { parseDuration, parseProxyTokens, ProxyOptionsError } from '../../../services/sip-core/proxy/proxy-options';
import { bestResponse } from '../../../services/sip-core/proxy/best-response';
import { SipResponse } from '../../../services/sip-core/sip/message';

describe('proxy command tokens', () => {
  it('reads what drachtio-srf sends', () => {
    const o = parseProxyTokens(['id', 'proxy', 'tx1', 'remainInDialog', 'fullResponse', 'followRedirects', 'simultaneous', '2s', '500ms', 'sip:a@h', 'sip:b@h']);
    expect(o).toEqual({
      txnId: 'tx1', remainInDialog: true, followRedirects: true, simultaneous: true,
      provisionalTimeoutMs: 2000, finalTimeoutMs: 500, destinations: ['sip:a@h', 'sip:b@h'],
    });
    const d = parseProxyTokens(['id', 'proxy', 'tx1', '', 'fullResponse', '', 'serial', '', '', 'sip:a@h']);
    expect(d.simultaneous).toBe(false);
    expect(d.remainInDialog).toBe(false);
    expect(d.provisionalTimeoutMs).toBe(0);
  });

  it.each([
    [['id', 'proxy', '', '', '', '', 'serial', '', '', 'sip:a@h'], 'missing transaction id'],
    [['id', 'proxy', 'tx', '', '', '', 'serial', '', ''], 'no destination'],
    [['id', 'proxy', 'tx', '', '', '', 'serial', 'soon', '', 'sip:a@h'], 'invalid timeout: soon'],
  ])('rejects %j', (tokens, message) => {
    expect(() => parseProxyTokens(tokens)).toThrow(ProxyOptionsError);
    expect(() => parseProxyTokens(tokens)).toThrow(message);
  });

  it('parses durations', () => {
    expect(parseDuration('3')).toBe(3000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
  });
});

describe('bestResponse (RFC 3261 §16.7 step 6)', () => {
  const r = (s: number) => new SipResponse(s, 'x');
  it('prefers 6xx, then the lowest class, then actionable 4xx', () => {
    expect(bestResponse([r(486), r(603), r(302)])!.status).toBe(603);
    expect(bestResponse([r(503), r(486)])!.status).toBe(486);
    expect(bestResponse([r(404), r(407), r(480)])!.status).toBe(407);
    expect(bestResponse([r(302), r(404)])!.status).toBe(302);
    expect(bestResponse([])).toBeUndefined();
  });
});
