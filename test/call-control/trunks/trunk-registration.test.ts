import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { grantedExpiry, splitContacts, TrunkRegistration, type RegistrationStatus, type RegistrationTarget } from '../../../services/call-control/trunks/trunk-registration';
import { ChallengeError, pickChallenge } from '../../../services/call-control/trunks/trunk-registration-digest';
import { listenerFor, trunkUri } from '../../../services/call-control/trunks/trunk-registration-transport';
import { FakeRegistrar, ManualClock, reply, scriptedSender, settle } from './trunk-registration-fixtures';

const TARGET: RegistrationTarget = { id: 7, tenantId: 1, name: 'operator', host: 'operator.test', port: 5080, transport: 'udp', username: 'trunk1', password: 'secret-1', expiry: 300 };

function world(registrar: (clock: ManualClock) => FakeRegistrar = (c) => new FakeRegistrar(c), target: Partial<RegistrationTarget> = {}) {
  const clock = new ManualClock();
  const op = registrar(clock);
  const { send, sent } = scriptedSender(clock, (r) => op.answer(r));
  const changes: RegistrationStatus[] = [];
  const reg = new TrunkRegistration({ ...TARGET, ...target }, { send, contactHost: () => '127.0.0.1:5070', clock, log: silentLogger, onChange: (s) => changes.push(s) }, { retryBaseMs: 30_000, retryMaxMs: 240_000 });
  return { clock, op, sent, changes, reg };
}

describe('TrunkRegistration: REGISTER with digest (RFC 3261 §10.2, §22.2)', () => {
  it('answers the 401 with SHA-256, then refreshes at half the GRANTED expiry reusing the nonce with nc counting up', async () => {
    const w = world();
    w.reg.start();
    await w.clock.advance(0);
    expect(w.reg.status.state).toBe('registered');
    expect(w.op.verdicts).toEqual(['digest-header-missing', 'ok SHA-256']);
    const [first, second] = w.sent;
    expect(first!.uri).toBe('sip:operator.test:5080');
    expect(first!.headers.Contact).toBe('<sip:trunk1@127.0.0.1:5070>');
    expect(first!.headers.Expires).toBe('300');
    expect(first!.headers.From).toMatch(/^<sip:trunk1@operator\.test:5080>;tag=\w+$/);
    expect(second!.headers['Call-ID']).toBe(first!.headers['Call-ID']);
    expect([first!.headers.CSeq, second!.headers.CSeq]).toEqual(['1 REGISTER', '2 REGISTER']);
    expect(second!.headers.Authorization).toMatch(/algorithm=SHA-256.*qop=auth, nc=00000001/);
    // The registrar granted 60 s of the 300 asked for: the refresh comes at 30 s, not at 150 s.
    expect(w.reg.status.grantedSeconds).toBe(60);
    await w.clock.advance(29_999);
    expect(w.sent).toHaveLength(2);
    await w.clock.advance(1);
    expect(w.sent).toHaveLength(3);
    expect(w.sent[2]!.headers.Authorization).toMatch(/nc=00000002/);
    expect(w.sent[2]!.headers.CSeq).toBe('3 REGISTER');
    expect(w.op.verdicts.at(-1)).toBe('ok SHA-256');
    expect(w.reg.status.state).toBe('registered');
  });

  it('answers an MD5-only registrar, and a 407 with Proxy-Authorization', async () => {
    const w = world((c) => new FakeRegistrar(c, 'operator.test', { trunk1: 'secret-1' }, ['MD5'], true));
    w.reg.start();
    await w.clock.advance(0);
    expect(w.op.verdicts).toEqual(['digest-header-missing', 'ok MD5']);
    expect(w.sent[1]!.headers['Proxy-Authorization']).toMatch(/algorithm=MD5/);
    expect(w.reg.status.state).toBe('registered');
  });

  it('renews the challenge when the nonce went stale between refreshes', async () => {
    const w = world();
    w.op.grant = 1200;
    w.reg.start();
    await w.clock.advance(0);
    await w.clock.advance(600_000); // the registrar's nonces live 300 s
    expect(w.op.verdicts).toEqual(['digest-header-missing', 'ok SHA-256', 'digest-nonce-stale', 'ok SHA-256']);
    expect(w.reg.status.state).toBe('registered');
  });

  it('takes the Expires header when the 200 has no expires on our Contact', () => {
    expect(grantedExpiry(reply(200, 'OK', { Contact: '<sip:other@x>;expires=10', Expires: '90' }), 'sip:trunk1@127.0.0.1:5070', 300)).toBe(90);
    expect(grantedExpiry(reply(200, 'OK', {}), 'sip:trunk1@127.0.0.1:5070', 300)).toBe(300);
    expect(splitContacts('"a, b" <sip:a@x;lr>;expires=5, <sip:b@y>')).toEqual(['"a, b" <sip:a@x;lr>;expires=5', '<sip:b@y>']);
  });

  it('423 Interval Too Brief: asks again with the Min-Expires (§10.2.8)', async () => {
    const w = world();
    const inner = w.op.answer;
    w.op.answer = (r) => (Number(r.headers.Expires) < 600 ? reply(423, 'Interval Too Brief', { 'Min-Expires': '600' }) : inner(r));
    w.op.grant = undefined;
    w.reg.start();
    await w.clock.advance(0);
    expect(w.sent.map((s) => s.headers.Expires)).toEqual(['300', '600', '600']);
    expect(w.reg.status).toMatchObject({ state: 'registered', grantedSeconds: 600 });
  });

  it('403: failed with the reason, retried after 30 s then 60 s, registered again once accepted', async () => {
    const w = world();
    w.op.forbid = true;
    w.reg.start();
    await w.clock.advance(0);
    expect(w.reg.status).toMatchObject({ state: 'failed', lastError: '403 Forbidden', failures: 1 });
    await w.clock.advance(29_999);
    expect(w.sent).toHaveLength(1);
    await w.clock.advance(1);
    expect(w.sent).toHaveLength(2);
    await w.clock.advance(59_999);
    expect(w.sent).toHaveLength(2);
    w.op.forbid = false;
    await w.clock.advance(1);
    expect(w.reg.status).toMatchObject({ state: 'registered', lastError: null, failures: 0 });
    expect(w.changes.map((c) => c.state)).toEqual(['registering', 'failed', 'registered']);
  });

  it('wrong password: the second 401 is a rejection, not another round', async () => {
    const w = world(undefined, { password: 'wrong' });
    w.reg.start();
    await w.clock.advance(0);
    expect(w.sent).toHaveLength(2);
    expect(w.reg.status).toMatchObject({ state: 'failed', lastError: '401 Unauthorized: credentials rejected' });
  });

  it('no answer: failed, and a Retry-After on a 503 lengthens the wait', async () => {
    const w = world();
    let answer: 'timeout' | '503' = 'timeout';
    w.op.answer = () => (answer === 'timeout' ? 'timeout' : reply(503, 'Service Unavailable', { 'Retry-After': '120' }));
    w.reg.start();
    await w.clock.advance(0);
    expect(w.reg.status).toMatchObject({ state: 'failed', lastError: 'no answer' });
    answer = '503';
    await w.clock.advance(30_000);
    expect(w.reg.status.lastError).toBe('503 Service Unavailable');
    await w.clock.advance(119_999);
    expect(w.sent).toHaveLength(2);
    await w.clock.advance(1);
    expect(w.sent).toHaveLength(3);
  });

  it('stop(true) removes the binding with Expires: 0 and credentials; stop(false) sends nothing', async () => {
    const w = world();
    w.reg.start();
    await w.clock.advance(0);
    await w.reg.stop(true);
    const last = w.sent.at(-1)!;
    expect(last.headers.Expires).toBe('0');
    expect(last.headers.Authorization).toMatch(/nc=00000002/);
    expect(w.reg.status.state).toBe('unregistered');
    await w.clock.advance(600_000);
    expect(w.sent.at(-1)).toBe(last);

    const quiet = world();
    quiet.reg.start();
    await quiet.clock.advance(0);
    await quiet.reg.stop(false);
    expect(quiet.sent).toHaveLength(2);
  });

  it('a dead operator holds up stopping for stopTimeoutMs (2 s) at most', async () => {
    const w = world();
    w.reg.start();
    await w.clock.advance(0);
    w.op.answer = () => 'hang';
    let stopped = false;
    void w.reg.stop(true).then(() => (stopped = true));
    await w.clock.advance(1999);
    expect(stopped).toBe(false);
    await w.clock.advance(1);
    expect(stopped).toBe(true);
    expect(w.sent.at(-1)!.headers.Expires).toBe('0');
  });

  it('waits for the SIP server connection before sending anything', async () => {
    const clock = new ManualClock();
    const { send, sent } = scriptedSender(clock, () => reply(200, 'OK'));
    const reg = new TrunkRegistration(TARGET, { send, contactHost: () => undefined, clock, log: silentLogger, onChange: () => undefined });
    reg.start();
    await clock.advance(0);
    expect(sent).toHaveLength(0);
    expect(reg.status).toMatchObject({ state: 'failed', lastError: 'no UDP listener on the SIP server' });
    await reg.stop(true);
    await settle();
  });
});

describe('digest challenges and addresses', () => {
  it('prefers SHA-256, reads quoted qop lists, and names what it cannot answer', () => {
    const c = pickChallenge(['Digest realm="r", nonce="n1", qop="auth,auth-int", algorithm=MD5, Digest realm="r", nonce="n2", qop="auth", algorithm=SHA-256, opaque="o"']);
    expect(c).toMatchObject({ algorithm: 'SHA-256', nonce: 'n2', opaque: 'o', qopAuth: true });
    expect(pickChallenge(['Digest realm="r", nonce="n"'])).toMatchObject({ algorithm: 'MD5', qopAuth: false });
    const bad = (v: string) => {
      try {
        pickChallenge([v]);
      } catch (e) {
        return e instanceof ChallengeError ? e.code : 'other';
      }
      return 'none';
    };
    expect(bad('Digest realm="r", nonce="n", algorithm=SHA-512-256')).toBe('digest-algorithm-unsupported');
    expect(bad('Digest realm="r", nonce="n", qop="auth-int"')).toBe('digest-qop-unsupported');
    expect(bad('Basic realm="r"')).toBe('digest-challenge-invalid');
    expect(bad('Digest nonce="n"')).toBe('digest-challenge-invalid');
  });

  it('builds trunk URIs and finds sip-core listeners by transport', () => {
    expect(trunkUri({ host: 'sip.op.ru', port: 5060, transport: 'tcp' })).toBe('sip:sip.op.ru:5060;transport=tcp');
    expect(trunkUri({ host: '2001:db8::1', port: 5060, transport: 'udp' }, 'u')).toBe('sip:u@[2001:db8::1]:5060');
    expect(listenerFor('udp/10.0.0.5:5060,tcp/10.0.0.5:5061', 'tcp')).toBe('10.0.0.5:5061');
    expect(listenerFor('udp/10.0.0.5:5060', 'tls')).toBeUndefined();
  });
});
