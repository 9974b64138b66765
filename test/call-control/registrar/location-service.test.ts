import { describe, expect, it } from 'vitest';
import { LocationService } from '../../../services/call-control/registrar/location-service';
import { parseAddress } from '../../../services/call-control/registrar/sip-address';

const src = { address: '192.0.2.10', port: 5062, transport: 'udp' };
const c = (uri: string, expires = 300) => ({ address: parseAddress(uri), expires });

function world() {
  let now = 1_000_000;
  const loc = new LocationService(() => now, { maxBindingsPerAor: 3 });
  return { loc, advance: (ms: number) => (now += ms), now: () => now };
}

describe('LocationService', () => {
  it('adds, refreshes, expires and removes bindings', () => {
    const { loc, advance, now } = world();
    expect(loc.apply({ aor: '1:201', callId: 'a', cseq: 1, contacts: [c('<sip:201@10.0.0.5:5062>')], source: src })).toMatchObject({ ok: true, bindings: [{ contact: 'sip:201@10.0.0.5:5062', expiresAt: now() + 300_000, source: src }] });
    advance(200_000);
    loc.apply({ aor: '1:201', callId: 'a', cseq: 2, contacts: [c('<sip:201@10.0.0.5:5062>')], source: src });
    expect(loc.lookup('1:201')).toHaveLength(1);
    advance(299_999);
    expect(loc.lookup('1:201')).toHaveLength(1);
    advance(1);
    expect(loc.lookup('1:201')).toEqual([]);
    expect(loc.sweep()).toBe(0);
  });

  it('removes with expires 0 and with *', () => {
    const { loc } = world();
    loc.apply({ aor: '1:201', callId: 'a', cseq: 1, contacts: [c('<sip:201@a>'), c('<sip:201@b>')], source: src });
    loc.apply({ aor: '1:201', callId: 'a', cseq: 2, contacts: [c('<sip:201@a>', 0)], source: src });
    expect(loc.lookup('1:201').map((b) => b.contact)).toEqual(['sip:201@b']);
    expect(loc.apply({ aor: '1:201', callId: 'z', cseq: 1, contacts: '*', source: src })).toEqual({ ok: true, bindings: [] });
    expect(loc.lookup('1:201')).toEqual([]);
  });

  it('refuses an old or repeated CSeq for the same Call-ID and changes nothing (RFC 3261 §10.3 step 7)', () => {
    const { loc } = world();
    loc.apply({ aor: '1:201', callId: 'a', cseq: 5, contacts: [c('<sip:201@a>')], source: src });
    expect(loc.apply({ aor: '1:201', callId: 'a', cseq: 5, contacts: [c('<sip:201@a>', 0), c('<sip:201@b>')], source: src })).toEqual({ ok: false, status: 500, reason: 'Out of order CSeq for this Call-ID' });
    expect(loc.apply({ aor: '1:201', callId: 'a', cseq: 4, contacts: '*', source: src })).toMatchObject({ ok: false, status: 500 });
    expect(loc.lookup('1:201').map((b) => b.contact)).toEqual(['sip:201@a']);
    // A rebooted phone has a new Call-ID and may start from CSeq 1.
    expect(loc.apply({ aor: '1:201', callId: 'b', cseq: 1, contacts: [c('<sip:201@a>', 60)], source: src })).toMatchObject({ ok: true });
  });

  it('keeps at most the configured number of bindings, the most recent ones', () => {
    const { loc, advance } = world();
    for (const host of ['a', 'b', 'c', 'd']) {
      loc.apply({ aor: '1:201', callId: host, cseq: 1, contacts: [c(`<sip:201@${host}>`)], source: src });
      advance(1000);
    }
    expect(loc.lookup('1:201').map((b) => b.contact)).toEqual(['sip:201@d', 'sip:201@c', 'sip:201@b']);
  });

  it('matches a phone by +sip.instance when its address changed (RFC 5626)', () => {
    const { loc } = world();
    const inst = ';+sip.instance="<urn:uuid:1>"';
    loc.apply({ aor: '1:201', callId: 'a', cseq: 1, contacts: [c(`<sip:201@10.0.0.5>${inst}`)], source: src });
    loc.apply({ aor: '1:201', callId: 'b', cseq: 1, contacts: [c(`<sip:201@10.0.0.77>${inst}`)], source: src });
    expect(loc.lookup('1:201').map((b) => [b.contact, b.instance])).toEqual([['sip:201@10.0.0.77', '<urn:uuid:1>']]);
  });

  it('orders by q, then recency', () => {
    const { loc, advance } = world();
    loc.apply({ aor: 'x', callId: 'a', cseq: 1, contacts: [c('<sip:1@lowq>;q=0.1')], source: src });
    advance(10);
    loc.apply({ aor: 'x', callId: 'b', cseq: 1, contacts: [c('<sip:1@noq>')], source: src });
    advance(10);
    loc.apply({ aor: 'x', callId: 'c', cseq: 1, contacts: [c('<sip:1@half>;q=0.5')], source: src });
    expect(loc.lookup('x').map((b) => b.contact)).toEqual(['sip:1@noq', 'sip:1@half', 'sip:1@lowq']);
  });
});
