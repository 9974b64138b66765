// Listening to voicemail by phone on the real appliance (supervisor, sip-core,
// call-control, rtpengine, espeak-ng): extension 202 dials *97 from sipp
// (digest auth); the phone's media is this test's RTP endpoint, which hears
// what rtpengine sends and presses keys as RFC 4733 events through
// rtpengine. A wrong PIN three times: the PBX hangs up, the failures are
// counted, nothing is played or marked. The right PIN: the stored message (a
// 700 Hz tone, encrypted on disk) reaches the phone, decoded and measured
// here; it is marked heard and audited, the phone's lamp goes from
// Messages-Waiting yes to no (a sipp subscriber checks each NOTIFY); '7'
// deletes it; 0 and a new PIN twice change the PIN (audited); the PBX says
// goodbye and hangs up. No file under the data
// directory ever held the message's audio in plain.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../services/common/logger';
import { encodeG711, decodeG711 } from '../../../services/recordings';
import { hashPin, MessageStore, openVoicemailVault, verifyPin, wavFromG711 } from '../../../services/voicemail';
import { freeLowUdpPorts } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';
import { goertzel } from '../../recordings/pcap-builder';
import { uacScenario } from './call-scenarios';
import { mwiSubscriberScenario } from './mwi-subscriber';
import { startCaller, startPbx, waitFor, type Pbx } from './pbx';
import { RtpEndpoint } from './rtp-endpoint';

const OUT = testOutputDir('call-control', 'voicemail-listen');
const TONE_HZ = 700;
let pbx: Pbx;
let boxId = 0;
let tenantId = 0;
let messageId = 0;
let tonePcm: Buffer;
const peers: Started[] = [];
const endpoints: RtpEndpoint[] = [];

beforeAll(async () => {
  pbx = await startPbx('voicemail-listen', ['202']);
  tenantId = pbx.store.tenants.defaultTenant()!.id;
  const ext = pbx.store.extensions.get(tenantId, '202')!;
  boxId = pbx.store.voicemail.createBox(tenantId, { number: '202', name: 'Петров', extensionId: ext.id, greetings: { unavailable: null, busy: null, name: null }, maxMessageSeconds: 60, maxMessages: 10, email: null }, await hashPin('4321')).id;
  // The message: 3 s of a 700 Hz tone as A-law, saved as call-control saves one (encrypted, never plain).
  const samples = Int16Array.from({ length: 24_000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * TONE_HZ * i) / 8000)));
  const payload = encodeG711('alaw', samples);
  tonePcm = wavFromG711('alaw', payload).subarray(44 + 8000, 44 + 8320);
  const store = new MessageStore({ store: pbx.store, vault: openVoicemailVault({ dataDir: pbx.app.dataDir }), dataDir: pbx.app.dataDir, log: silentLogger });
  messageId = (await store.save({ tenantId, boxId, callId: 'seeded', caller: '+79161234567', receivedAt: new Date(), audio: { law: 'alaw', payload } })).id;
}, 180_000);

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop('SIGTERM', 2000)));
  for (const e of endpoints.splice(0)) e.close();
});

afterAll(async () => {
  await pbx?.close();
});

/** 202 dials `code`; its SDP names `phone`'s port (PCMA and telephone-event), and it waits for the PBX's BYE. */
async function dialFrom202(code: string, phone: RtpEndpoint): Promise<Started> {
  const base = readFileSync(uacScenario('vm-listen', { byePbx: true }), 'utf8');
  const xml = base
    .replace(/c=IN IP\[media_ip_type\] \[media_ip\]/g, 'c=IN IP4 127.0.0.1')
    .replace(/m=audio \[media_port\] RTP\/AVP 8\na=rtpmap:8 PCMA\/8000/g, `m=audio ${phone.port} RTP/AVP 8 101\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15`)
    .replace('<recv request="BYE" timeout="30000"/>', '<recv request="BYE" timeout="90000"/>');
  expect(xml).toContain(`m=audio ${phone.port} RTP/AVP 8 101`);
  const file = path.join(OUT, `listen-${phone.port}.xml`);
  writeFileSync(file, xml);
  const p = await startCaller(pbx, file, '202', code);
  peers.push(p);
  return p;
}

/** Where rtpengine sends the phone's audio from: the first packet's source (symmetric RTP, one port both ways). */
async function rtpengineAddress(phone: RtpEndpoint): Promise<{ host: string; port: number }> {
  await waitFor(() => phone.count(8) > 0, 30_000, 'the first prompt reaches the phone');
  const [host, port] = phone.received[0]!.from.split(':');
  return { host: host!, port: Number(port) };
}

async function press(phone: RtpEndpoint, to: { host: string; port: number }, keys: string): Promise<void> {
  for (const k of keys) await phone.sendEvent(to, k === '#' ? 11 : k === '*' ? 10 : Number(k));
}

/** 400 ms windows of what the phone heard where the message's tone stands far above its neighbours. */
function toneWindows(phone: RtpEndpoint): number {
  const bytes = Buffer.concat(phone.received.filter((r) => r.pt === 8).map((r) => r.payload));
  const pcm = new Int16Array(bytes.length);
  decodeG711('alaw', bytes, pcm);
  let n = 0;
  for (let at = 0; at + 3200 <= pcm.length; at += 3200) {
    const w = pcm.subarray(at, at + 3200);
    if (goertzel(w, TONE_HZ) > 50 * (goertzel(w, 500) + goertzel(w, 1100)) && goertzel(w, TONE_HZ) > 1e6) n++;
  }
  return n;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : [];
  });
}

const cdrOf = (reason: string) => () => pbx.store.cdrs.list({ tenantId, limit: 20 }).filter((c) => c.callee.dialled === '*97' && c.hangupReason === reason);

describe('voicemail by phone (*97)', () => {
  it('a wrong PIN three times: refused and hung up, each failure counted, nothing played or marked', async () => {
    const phone = await RtpEndpoint.open();
    endpoints.push(phone);
    const caller = await dialFrom202('*97', phone);
    const rtpengine = await rtpengineAddress(phone);
    await press(phone, rtpengine, '1111#2222#3333#');
    expect(await caller.exited).toBe(0);
    await expect.poll(() => cdrOf('voicemail-pin-refused')().length, { timeout: 15_000 }).toBe(1);
    expect(pbx.store.voicemail.box(boxId)!.pinFailures).toBe(3);
    expect(pbx.store.voicemail.message(messageId)).toMatchObject({ folder: 'new', readAt: null });
    expect(toneWindows(phone)).toBe(0);
    expect(pbx.store.audit.list({}).rows.filter((r) => r.action === 'voicemail.played')).toEqual([]);
  }, 120_000);

  it('the right PIN: the message reaches the phone from memory, heard and audited, the lamp yes → no; 7 deletes it; 0 changes the PIN; goodbye', async () => {
    const mwi = startProcess(
      'sipp',
      ['-sf', mwiSubscriberScenario(OUT, 'mwi-202', { expect: ['Messages-Waiting: yes.*Voice-Message: 1/0 ', 'Messages-Waiting: no.*Voice-Message: 0/1 ', 'Messages-Waiting: no.*Voice-Message: 0/0 '] }), '-i', '127.0.0.1', '-p', String(await freeLowUdpPorts(1)), '-t', 'u1', '-nostdin', '-m', '1', '-timeout', '120s', '-timeout_error', '-trace_err', '-error_file', path.join(OUT, 'mwi-errors.log'), '-key', 'caller', '202', '-s', '202', '-au', '202', '-ap', 'pw-202', `127.0.0.1:${pbx.app.ports.sip}`],
      { logFile: path.join(OUT, 'mwi-202.log'), timeoutMs: 150_000 },
    );
    peers.push(mwi);
    await waitFor(async () => (await pbx.health()).mwiSubscriptions === 1, 30_000, 'the phone subscribed');

    const phone = await RtpEndpoint.open();
    endpoints.push(phone);
    const caller = await dialFrom202('*97', phone);
    const rtpengine = await rtpengineAddress(phone);
    await press(phone, rtpengine, '4321#');
    // The 3 s tone: most of its 400 ms windows arrive (rtpengine transcodes the WAV to the phone's PCMA).
    await waitFor(() => toneWindows(phone) >= 5, 45_000, `the message's tone reaches the phone (rtpengine log: ${pbx.app.dataDir})`);
    await waitFor(() => pbx.store.voicemail.message(messageId)?.folder === 'saved', 30_000, 'the message marked heard');
    expect(pbx.store.voicemail.box(boxId)!.pinFailures).toBe(0);
    await press(phone, rtpengine, '7');
    await waitFor(() => pbx.store.voicemail.message(messageId) === undefined, 30_000, 'the message deleted');
    // After the last message: 0 and a new PIN twice.
    await press(phone, rtpengine, '05555#5555#');
    expect(await caller.exited).toBe(0);
    expect(await verifyPin('5555', pbx.store.voicemail.box(boxId)!.pinHash!)).toBe(true);
    await expect.poll(() => cdrOf('voicemail-listened')().length, { timeout: 15_000 }).toBe(1);
    expect(await mwi.exited).toBe(0);

    const trail = pbx.store.audit.list({}).rows.filter((r) => r.target === `voicemail-message:${messageId}`);
    expect(trail.map((r) => [r.action, r.actor, r.details])).toEqual(
      expect.arrayContaining([
        ['voicemail.played', 'phone:202', { box: '202', via: 'phone' }],
        ['voicemail.message-delete', 'phone:202', { box: '202', via: 'phone' }],
      ]),
    );
    expect(pbx.store.audit.list({}).rows.filter((r) => r.action === 'voicemail.pin-set').map((r) => [r.actor, r.target])).toEqual([['phone:202', `voicemail-box:${boxId}`]]);
    // Played from memory: no file under the data directory holds the tone's samples (nor did the deleted message's file remain).
    for (const f of filesUnder(pbx.app.dataDir)) expect(readFileSync(f).includes(tonePcm), f).toBe(false);
    expect(filesUnder(pbx.app.dataDir).filter((f) => f.endsWith('.vm'))).toEqual([]);
  }, 180_000);
});
