import { describe, expect, it } from 'vitest';
import { admitCall, CallLedger, canCreateExtension, reasonHeader } from '../../licensing/admission';
import { PROFILES } from '../../licensing/profiles';

const S = PROFILES.S.limits;

describe('admitCall', () => {
  it('admits below the limit and refuses exactly at it', () => {
    expect(admitCall(S, 0)).toEqual({ admit: true, activeCalls: 0, limit: 16 });
    expect(admitCall(S, 15)).toEqual({ admit: true, activeCalls: 15, limit: 16 });
    expect(admitCall(S, 16)).toEqual({
      admit: false,
      code: 'licence-call-limit',
      message: 'Call refused: 16 calls are active and the licence allows 16 concurrent calls.',
      activeCalls: 16,
      limit: 16,
      sip: { status: 503, reasonPhrase: 'Service Unavailable', headers: { Reason: 'Q.850;cause=34;text="licence limit: 16 concurrent calls"' } },
    });
  });

  it('refuses when more calls are active than a lowered limit allows (licence fell back to eval)', () => {
    const d = admitCall(PROFILES.eval.limits, 10);
    expect(d.admit).toBe(false);
    if (!d.admit) expect(d.sip.headers.Reason).toBe('Q.850;cause=34;text="licence limit: 4 concurrent calls"');
  });
});

describe('reasonHeader (RFC 3326)', () => {
  it('quotes and escapes the text and drops control characters', () => {
    expect(reasonHeader(34, 'say "hi" \\ bye\r\n')).toBe('Q.850;cause=34;text="say \\"hi\\" \\\\ bye"');
  });
});

describe('CallLedger', () => {
  it('frees a slot when a call ends', () => {
    const ledger = new CallLedger();
    for (let i = 0; i < 16; i++) expect(ledger.admit(S, `call-${i}`).admit).toBe(true);
    expect(ledger.size).toBe(16);
    const refused = ledger.admit(S, 'call-16');
    expect(refused.admit).toBe(false);
    expect(ledger.size).toBe(16);
    ledger.release('call-3');
    expect(ledger.admit(S, 'call-16')).toEqual({ admit: true, activeCalls: 15, limit: 16 });
    expect(ledger.size).toBe(16);
  });

  it('counts further legs of an admitted conversation as the same call', () => {
    const ledger = new CallLedger();
    const one = { concurrentCalls: 1 };
    expect(ledger.admit(one, 'caller-in-queue').admit).toBe(true);
    // The agent leg joins the caller's call: admitted although the limit is reached.
    expect(ledger.admit(one, 'caller-in-queue').admit).toBe(true);
    expect(ledger.size).toBe(1);
    expect(ledger.admit(one, 'another-caller').admit).toBe(false);
  });

  it('ignores releasing an unknown call', () => {
    const ledger = new CallLedger();
    ledger.admit(S, 'a');
    ledger.release('never-admitted');
    expect(ledger.size).toBe(1);
  });
});

describe('canCreateExtension', () => {
  it('allows up to the licensed number and then gives licence-extension-limit', () => {
    expect(canCreateExtension(S, 99)).toEqual({ ok: true });
    expect(canCreateExtension(S, 100)).toEqual({
      ok: false,
      error: {
        status: 403,
        code: 'licence-extension-limit',
        message: 'The licence allows 100 extensions and 100 exist; remove one or install a licence with a larger profile.',
        details: { limit: 100, count: 100 },
      },
    });
  });
});
