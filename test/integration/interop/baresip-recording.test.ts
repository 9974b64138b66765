// Issue 17 item 8: an on-demand recording going on while the callee holds
// and resumes (callee-side re-offers through rtpengine) must carry both
// parties: each channel its own phone's tone. Two baresip phones on a fresh
// appliance; the recording is decrypted and analysed. With baresip the
// re-offers keep rtpengine's ports; the case where they change (the trial's
// "channels[0].packets 0") is test/call-control/calls/recording-reoffer.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tenantDigestKey } from '../../../services/common/sip-digest';
import { hashPassword } from '../../../services/api/password';
import { openKeyring, Vault, type RecordingIndexRecord } from '../../../services/recordings';
import { Client } from '../../api/harness';
import { testOutputDir } from '../../helpers/processes';
import { channel, decodeAudio } from '../../recordings/call-builder';
import { goertzel } from '../../recordings/pcap-builder';
import { startPbx, waitFor, type Pbx } from '../call-control/pbx';
import { Baresip } from './baresip';

const A_HZ = 700;
const B_HZ = 1300;
const PASSWORD = 'correct horse battery staple';

let pbx: Pbx | undefined;
let phones: Baresip[] = [];
afterEach(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  phones = [];
  await pbx?.close();
  pbx = undefined;
});

async function phone(p: Pbx, extension: string, toneHz: number): Promise<Baresip> {
  const b = await Baresip.start({
    dir: path.join(testOutputDir('interop', 'baresip', 'recording'), `${extension}-${Date.now()}`),
    extension,
    password: `pw-${extension}`,
    domain: p.domain,
    pbxPort: p.app.ports.sip,
    toneHz,
  });
  phones.push(b);
  return b;
}

async function admin(p: Pbx): Promise<Client> {
  const tenantId = p.store.tenants.defaultTenant()!.id;
  p.store.users.create({ tenantId, username: 'rec-admin', role: 'tenant-admin', passwordHash: await hashPassword(PASSWORD) });
  const c = new Client(p.app.ports.api, readFileSync(path.join(p.app.dataDir, 'tls', 'ca.crt')));
  const r = await c.login('rec-admin', PASSWORD);
  if (r.status !== 200) throw new Error(`login: ${JSON.stringify(r.body)}`);
  return c;
}

async function pcmOf(p: Pbx, rec: RecordingIndexRecord): Promise<Int16Array> {
  const file = path.join(p.app.dataDir, 'recordings', rec.path);
  return decodeAudio(await new Vault(openKeyring({ dataDir: p.app.dataDir })).decryptRange(file, 0, rec.plainBytes));
}

describe('on-demand recording after the callee held and resumed (baresip phones)', () => {
  it('both channels carry their party’s audio', async () => {
    pbx = await startPbx('interop-baresip-recording', ['201', '202'], {}, async (_app, store) => {
      const tenantId = store.tenants.defaultTenant()!.id;
      store.settings.set(tenantDigestKey, 'md5', tenantId);
      store.recordings.replacePolicies(tenantId, [{ scope: 'tenant', target: '', mode: 'on-demand' }]);
    });
    const api = await admin(pbx);
    const a = await phone(pbx, '201', A_HZ);
    const b = await phone(pbx, '202', B_HZ);
    expect(await a.registered()).toBe('OK');
    expect(await b.registered()).toBe('OK');
    expect((await a.command('dial', `sip:202@${pbx.domain}`)).ok).toBe(true);
    await b.waitEvent('CALL_INCOMING');
    await b.command('accept');
    await a.waitEvent('CALL_ESTABLISHED');

    let id = '';
    await waitFor(
      async () => {
        const calls = (await api.request('GET', '/api/calls/live')).body.calls as Array<{ id: string; caller: string }> | undefined;
        id = calls?.find((c) => c.caller === '201')?.id ?? '';
        return id !== '';
      },
      20_000,
      'the call live',
    );
    const start = await api.request('POST', `/api/calls/live/${encodeURIComponent(id)}/recording`, { action: 'start' });
    expect(start.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    // The callee holds and resumes: two re-offers from B's side.
    let since = a.events.length;
    expect((await b.command('hold')).ok).toBe(true);
    await a.waitEvent('CALL_REMOTE_SDP', 30_000, since);
    since = a.events.length;
    expect((await b.command('resume')).ok).toBe(true);
    await a.waitEvent('CALL_REMOTE_SDP', 30_000, since);
    // Record a stretch of the call: waitFor on the live view's state, then the stretch itself is the stimulus.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await api.request('POST', `/api/calls/live/${encodeURIComponent(id)}/recording`, { action: 'stop' })).status).toBe(200);
    await a.command('hangup');
    await b.waitEvent('CALL_CLOSED');

    const recs = () => pbx!.store.recordings.list({ limit: 50 }).rows.filter((r) => r.cdrId === id);
    await waitFor(() => recs().length > 0, 60_000, 'the recording stored');
    const rec = recs()[0]!;
    expect(rec.channelSource).toBe('metadata');
    const pcm = await pcmOf(pbx, rec);
    const n = Math.round((rec.durationMs - 400) * 8);
    const left = channel(pcm, 0, 1600, n);
    const right = channel(pcm, 1, 1600, n);
    // Each side its own phone's tone, well above silence and the other side's.
    expect(goertzel(left, A_HZ)).toBeGreaterThan(1e5);
    expect(goertzel(left, A_HZ)).toBeGreaterThan(10 * goertzel(left, B_HZ));
    expect(goertzel(right, B_HZ)).toBeGreaterThan(1e5);
    expect(goertzel(right, B_HZ)).toBeGreaterThan(10 * goertzel(right, A_HZ));
  });
});
