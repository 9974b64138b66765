import { describe, expect, it } from 'vitest';
import { formatActivationRequest, parseActivationRequest } from '../../licensing/request';
import { requestFor, SERVER } from './fixtures';

const req = requestFor(SERVER);
const text = formatActivationRequest(req);

describe('activation request file', () => {
  it('round-trips and reads well', () => {
    expect(parseActivationRequest(text)).toEqual({ ok: true, request: req });
    expect(text.split('\n').slice(0, 5)).toEqual([
      'Korobka activation request',
      'Installation:  inst-0001',
      'Version:       0.1.0',
      'Created:       2026-11-22',
      'Machine:       8 components (system-uuid, system-serial, baseboard-serial, disk-serial ×2, nic-mac ×2, cpu), 4 must match',
    ]);
    expect(req).toMatchObject({ format: 1, kind: 'korobka-activation-request', product: 'korobka', created: '2026-11-22T10:00:00.000Z' });
  });

  it('carries the last korobka selftest for the vendor\'s sizing, readable and parsed back', () => {
    const sizing = { ranAt: '2026-12-07T06:00:00.000Z', mode: 'full' as const, profile: 'S' as const, callsPerSecond: 41.5, heldCalls: 24, audioSecondsPerSecond: 37.2, cpus: 2, memGiB: 4 };
    const withSizing = { ...req, sizing };
    const t = formatActivationRequest(withSizing);
    expect(t.split('\n')[5]).toBe('Self-test:     2026-12-07 (full), 2 CPU, 4 GiB: 41.5 calls/s, 24 calls held with media, 37.2 s of audio converted per second; honours S with margin');
    expect(parseActivationRequest(t)).toEqual({ ok: true, request: withSizing });
    // A damaged figure is refused like any other field.
    const bad = formatActivationRequest({ ...req, sizing: { ...sizing, heldCalls: -1 } } as never);
    expect(parseActivationRequest(bad).ok).toBe(false);
  });

  it('survives CRLF line ends from a Windows mail client', () => {
    expect(parseActivationRequest(text.replace(/\n/g, '\r\n'))).toEqual({ ok: true, request: req });
  });

  it.each([
    ['not a request', () => 'hello', /^no "-----BEGIN KOROBKA ACTIVATION REQUEST-----" … "-----END KOROBKA ACTIVATION REQUEST-----" block/],
    ['a changed component', () => text.replace(/"hash": "([0-9a-f])/, (_m, c: string) => `"hash": "${c === 'a' ? 'b' : 'a'}`), /^the checksum does not match/],
    ['no checksum', () => text.replace(/^Checksum: .*$/m, ''), /^the Checksum line is missing$/],
    ['broken JSON', () => text.replace('"format": 1,', '"format": 1'), /^the request is not valid JSON/],
  ])('rejects %s with malformed-request', (_name, make, message) => {
    const r = parseActivationRequest(make());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('malformed-request');
      expect(r.message).toMatch(message);
    }
  });
});
