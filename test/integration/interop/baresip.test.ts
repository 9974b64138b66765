// Issue 17: Debian's baresip against the real appliance, headless (see
// baresip.ts). Two baresip phones call each other through sip-core,
// call-control and rtpengine; each sends its own tone from a file and the
// audio each one received is checked for the other's tone.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extensionDigestKey, tenantDigestKey, type DigestPolicy } from '../../../services/common/sip-digest';
import { testOutputDir } from '../../helpers/processes';
import { startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { Baresip } from './baresip';
import { toneSeconds } from './wav';

const A_HZ = 700;
const B_HZ = 1300;
const C_HZ = 1900;

let pbx: Pbx | undefined;
let phones: Baresip[] = [];
afterEach(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  phones = [];
  await pbx?.close();
  pbx = undefined;
});

async function phone(p: Pbx, name: string, extension: string, toneHz: number): Promise<Baresip> {
  const b = await Baresip.start({
    dir: path.join(testOutputDir('interop', 'baresip', name), `${extension}-${Date.now()}`),
    extension,
    password: `pw-${extension}`,
    domain: p.domain,
    pbxPort: p.app.ports.sip,
    toneHz,
  });
  phones.push(b);
  return b;
}

/** A fresh PBX whose tenant offers MD5 only: libre (baresip 1.0's SIP stack) refuses a challenge with any SHA-256 row. */
const md5Pbx = (name: string, extensions: string[]) =>
  startPbx(name, extensions, {}, async (_app, store) => store.settings.set(tenantDigestKey, 'md5', store.tenants.defaultTenant()!.id));

describe('baresip 1.0 (Debian) against the appliance', () => {
  it('registers under each digest setting it can answer, and fails cleanly under the others', async () => {
    const policies: DigestPolicy[] = ['md5', 'md5-sha256', 'sha256-md5', 'sha256'];
    const extensions = ['211', '212', '213', '214'];
    pbx = await startPbx('interop-baresip-register', extensions);
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    const outcome: Record<string, string> = {};
    for (const [i, policy] of policies.entries()) {
      const ext = pbx.store.extensions.get(tenantId, extensions[i]!)!;
      pbx.store.settings.set(extensionDigestKey(ext.id), policy, tenantId);
      const b = await phone(pbx, 'register', extensions[i]!, A_HZ);
      outcome[policy] = await b.registered();
    }
    expect(outcome).toEqual({ md5: 'OK', 'md5-sha256': 'ERR', 'sha256-md5': 'ERR', sha256: 'ERR' });
    await waitFor(async () => (await pbx!.health()).registrations === 1, 30_000, 'one registration (the MD5 phone)');
  });

  it('registers, calls another baresip, and each hears the other’s tone; the CDR is answered', async () => {
    pbx = await md5Pbx('interop-baresip-call', ['201', '202']);
    const [a, b] = await connected(pbx, 'call');
    await a.command('hangup');
    await b.waitEvent('CALL_CLOSED');
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    await waitFor(
      () => pbx!.store.cdrs.list({ tenantId, limit: 10 }).some((c) => c.callee.dialled === '202' && c.status === 'completed'),
      30_000,
      'CDR of 201 → 202',
    );
    const cdr = pbx.store.cdrs.list({ tenantId, limit: 10 }).find((c) => c.callee.dialled === '202')!;
    expect(cdr).toMatchObject({ disposition: 'answered', hangupSide: 'caller', caller: { dialled: '201' } });
  });

  // baresip 1.0's sndfile stops dumping a stream once a re-INVITE updates it, so after hold the
  // audio is followed through RFC 4733 digits instead: both re-offers reach the other phone, and
  // after resume the held phone's digits still arrive through rtpengine.
  it('hold and resume: both re-offers reach the other phone, and after resume media flows again', async () => {
    pbx = await md5Pbx('interop-baresip-hold', ['201', '202']);
    const [a, b] = await connected(pbx, 'hold');
    const since = b.events.length;
    expect((await a.command('hold')).ok).toBe(true);
    await b.waitEvent('CALL_REMOTE_SDP', 30_000, since);
    const held = b.events.length;
    expect((await a.command('resume')).ok).toBe(true);
    await b.waitEvent('CALL_REMOTE_SDP', 30_000, held);
    const afterResume = b.events.length;
    expect((await a.command('sndcode', '7')).ok).toBe(true);
    expect((await b.waitEvent('CALL_DTMF_START', 30_000, afterResume)).param).toBe('7');
    expect(b.events.slice(since).some((e) => e.type === 'CALL_CLOSED')).toBe(false);
    expect((await pbx.health()).activeCalls).toBe(1);
  });

  it('DTMF: a digit sent by one phone arrives at the other as an RFC 4733 event through rtpengine', async () => {
    pbx = await md5Pbx('interop-baresip-dtmf', ['201', '202']);
    const [a, b] = await connected(pbx, 'dtmf');
    const since = b.events.length;
    expect((await a.command('sndcode', '5')).ok).toBe(true);
    const e = await b.waitEvent('CALL_DTMF_START', 30_000, since);
    expect(e.param).toBe('5');
  });

  it('blind transfer: the callee REFERs the caller to a third phone, and caller and target hear each other', async () => {
    pbx = await md5Pbx('interop-baresip-transfer', ['201', '202', '203']);
    const [a, b] = await connected(pbx, 'transfer');
    const c = await phone(pbx, 'transfer', '203', C_HZ);
    expect(await c.registered()).toBe('OK');
    expect((await b.command('transfer', `sip:203@${pbx.domain}`)).ok).toBe(true);
    await c.waitEvent('CALL_INCOMING');
    await c.command('accept');
    await c.waitEvent('CALL_ESTABLISHED');
    await b.waitEvent('CALL_CLOSED');
    await waitFor(
      () => toneSecondsOf(c, A_HZ, C_HZ) >= 2 && toneSecondsOf(a, C_HZ, B_HZ) >= 2,
      60_000,
      'caller and transfer target hear each other',
    );
    await a.command('hangup');
    await c.waitEvent('CALL_CLOSED');
    const tenantId = pbx.store.tenants.defaultTenant()!.id;
    await waitFor(
      () => pbx!.store.cdrs.list({ tenantId, limit: 10 }).some((r) => r.callee.dialled === '202' && r.status === 'completed'),
      30_000,
      'CDR closed',
    );
    const cdr = pbx.store.cdrs.list({ tenantId, limit: 10 }).find((r) => r.callee.dialled === '202')!;
    expect(cdr.transfers).toMatchObject([{ kind: 'blind', to: '203', by: 'callee' }]);
  });
});

/** Two registered baresips, 201 (a, calling) and 202 (b, answering), in a call with each one's tone heard by the other. */
async function connected(p: Pbx, name: string): Promise<[Baresip, Baresip]> {
  const a = await phone(p, name, '201', A_HZ);
  const b = await phone(p, name, '202', B_HZ);
  expect(await a.registered()).toBe('OK');
  expect(await b.registered()).toBe('OK');
  expect((await a.command('dial', `sip:202@${p.domain}`)).ok).toBe(true);
  await b.waitEvent('CALL_INCOMING');
  await b.command('accept');
  await a.waitEvent('CALL_ESTABLISHED');
  await b.waitEvent('CALL_ESTABLISHED');
  await waitFor(() => toneSecondsOf(b, A_HZ, B_HZ) >= 2 && toneSecondsOf(a, B_HZ, A_HZ) >= 2, 60_000, 'two seconds of tone each way');
  return [a, b];
}

function toneSecondsOf(p: Baresip, freq: number, other: number): number {
  try {
    return p.received().reduce((n, w) => n + toneSeconds(w, freq, other), 0);
  } catch {
    return 0;
  }
}
