// Korobka issue 6, done when: a real call between two registered phones,
// recorded because the tenant's policy says `always`, comes out of the
// recordings process as an encrypted stereo Opus file whose left channel is
// the caller and right channel the callee, as long as the call's media, with
// nothing plain left on disk; with the policy `never` nothing is recorded.
// The whole appliance runs (supervisor, sip-core, call-control, rtpengine,
// recordings); the phones are sipp, each playing its own tone so the
// channels can be told apart (Goertzel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { encodeG711 } from '../../../services/recordings/g711';
import { ALARM_QUOTA, openKeyring, Vault } from '../../../services/recordings';
import { channel, decodeAudio } from '../../recordings/call-builder';
import { buildPcap, goertzel, rtpPacket, tone } from '../../recordings/pcap-builder';
import { uacScenario, uasScenario } from './call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

const CALLER_HZ = 440;
const CALLEE_HZ = 1000;
/** Each phone plays this much tone once the call is answered: the call's media duration. */
const MEDIA_MS = 3000;
const SIPP_PCAP = '/usr/share/sip-tester/g711a.pcap';

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let closeNg: () => void;
let tmp: string;

/** MEDIA_MS of a PCMA tone as sipp's play_pcap_audio reads it (Ethernet frames, 20 ms apart). */
function tonePcap(file: string, freq: number, ssrc: number): string {
  const packets = Array.from({ length: MEDIA_MS / 20 }, (_, i) => ({
    timeUs: 1_800_000_000_000_000 + i * 20_000,
    src: '10.0.0.1:4000',
    dst: '10.0.0.2:5000',
    payload: rtpPacket({ payloadType: 8, sequence: 100 + i, timestamp: 8000 + i * 160, ssrc, payload: encodeG711('alaw', tone(freq, 160, i * 160)), marker: i === 0 }),
  }));
  writeFileSync(file, buildPcap(packets, { linkType: 1 }));
  return file;
}

/** A generated scenario with sipp's sample speech swapped for our tone. */
function withPcap(scenario: string, pcap: string, name: string): string {
  const text = readFileSync(scenario, 'utf8');
  if (!text.includes(SIPP_PCAP)) throw new Error(`${scenario} plays no ${SIPP_PCAP}`);
  const out = path.join(tmp, `${name}.xml`);
  writeFileSync(out, text.replaceAll(SIPP_PCAP, pcap));
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'korobka-recorded-call-'));
  pbx = await startPbx('recorded-call', ['211', '212', '213', '214', '215', '216', '217', '218'], { recordings: { sweepIntervalMs: 300 } });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  closeNg = () => ng.close();
}, 120_000);

afterAll(async () => {
  closeNg?.();
  await pbx?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const setPolicy = (mode: 'always' | 'never') => pbx.store.recordings.replacePolicies(tenantId(), [{ scope: 'tenant', target: '', mode }]);
const cdrTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).find((c) => c.callee.dialled === ext);
const recordingOf = (cdrId: string) => pbx.store.recordings.list({ limit: 500 }).rows.find((r) => r.cdrId === cdrId);
const spoolFiles = () => filesUnder(path.join(pbx.app.dataDir, 'recordings', 'spool'));
const recordingsHealth = async () =>
  ((await pbx.app.get('/api/health')).body.processes as Array<{ name: string; health?: { lastRun: unknown } }>).find((p) => p.name === 'recordings')?.health;

/** A sweep of the recordings process that started after `at` has seen whatever rtpengine left by then. */
async function sweptAfter(at: number): Promise<void> {
  await waitFor(async () => new Date(String((await recordingsHealth())?.lastRun)).getTime() > at + 300, 10_000, 'a recordings sweep after the call');
}

/** One answered call from `from` to `to`, each phone playing its tone; resolves with the completed CDR's id once media is deleted. */
async function talk(from: string, to: string, o: { earlyMedia?: boolean } = {}): Promise<string> {
  const callerPcap = tonePcap(path.join(tmp, `caller-${to}.pcap`), CALLER_HZ, 0x1111);
  const calleePcap = tonePcap(path.join(tmp, `callee-${to}.pcap`), CALLEE_HZ, 0x2222);
  const callee = await startCallee(withPcap(uasScenario(o.earlyMedia ? 'early-media' : 'answer-play'), calleePcap, `uas-${to}`));
  await registerPhone(pbx, to, callee.port);
  // The caller hangs up a second after its tone ends, so both tones are whole in the capture.
  const caller = await startCaller(pbx, withPcap(uacScenario(`rec-${to}`, { answer: true, play: true }), callerPcap, `uac-${to}`), from, to, { holdMs: MEDIA_MS + 1000 });
  expect(await caller.exited).toBe(0);
  expect(await callee.exited).toBe(0);
  await waitFor(() => cdrTo(to)?.status === 'completed', 10_000, 'CDR completed');
  const cdr = cdrTo(to)!;
  expect(cdr).toMatchObject({ disposition: 'answered', caller: { number: from }, callee: { number: to } });
  await waitFor(() => media.query(cdr.callId).then(() => false, (e: { code?: string }) => e.code === 'media-call-not-found'), 5_000, 'media deleted');
  return cdr.callId;
}

describe('recorded calls (issue 6)', () => {
  it('policy always: the call is stored encrypted, caller left and callee right, as long as its media, nothing plain left', async () => {
    setPolicy('always');
    const cdrId = await talk('211', '212');
    await waitFor(() => recordingOf(cdrId) !== undefined, 30_000, 'the recordings process to store the call');
    const rec = recordingOf(cdrId)!;
    expect(rec).toMatchObject({ tenantId: String(tenantId()), caller: '211', callee: '212', codec: 'opus', mediaType: 'audio/ogg', channelSource: 'metadata' });
    expect(rec.recordingId).toMatch(/^rec-[0-9a-f-]{36}$/);
    expect(Math.abs(rec.durationMs - MEDIA_MS)).toBeLessThanOrEqual(100);

    // Decrypted in memory with the appliance's own keys: no plain copy touches the disk.
    const encrypted = readFileSync(path.join(pbx.app.dataDir, 'recordings', rec.path));
    expect(encrypted.includes(Buffer.from('OggS'))).toBe(false);
    const plain = await new Vault(openKeyring({ dataDir: pbx.app.dataDir })).decryptRange(path.join(pbx.app.dataDir, 'recordings', rec.path), 0, rec.plainBytes);
    expect(plain.subarray(0, 4).toString()).toBe('OggS');
    const pcm = decodeAudio(plain);
    expect(Math.abs((pcm.length / 2 / 8) - MEDIA_MS)).toBeLessThanOrEqual(100);
    // The middle two seconds, away from the edges where one phone may start a few ms before the other.
    // Opus codes stereo jointly, so some of each side shows in the other channel (measured here: about
    // -19 dB); a swapped or mixed map would put the other tone on top, so 10× (10 dB) tells them apart.
    const left = channel(pcm, 0, 4000, 20000);
    const right = channel(pcm, 1, 4000, 20000);
    expect(goertzel(left, CALLER_HZ)).toBeGreaterThan(10 * goertzel(left, CALLEE_HZ));
    expect(goertzel(right, CALLEE_HZ)).toBeGreaterThan(10 * goertzel(right, CALLER_HZ));

    // The capture is deleted once the index row is saved; then no plain audio is left anywhere.
    await waitFor(() => spoolFiles().length === 0, 10_000, 'an empty spool');
    // No capture or converted audio in plain; the voicemail beep (a 1 kHz tone call-control makes at start) is nobody's audio.
    expect(filesUnder(pbx.app.dataDir).filter((f) => /\.(pcap|wav)$/i.test(f) && !f.endsWith(path.join('voicemail', 'beep.wav')))).toEqual([]);
  }, 90_000);

  it('policy never: the call leaves no capture and no recording', async () => {
    setPolicy('never');
    const before = pbx.store.recordings.list().total;
    const cdrId = await talk('213', '214');
    await sweptAfter(Date.now());
    expect(recordingOf(cdrId)).toBeUndefined();
    expect(spoolFiles()).toEqual([]);
    expect(pbx.store.recordings.list().total).toBe(before);
  }, 90_000);

  it('policy always but the tenant over its recordings quota: the call goes on unrecorded and call-control logs why', async () => {
    setPolicy('always');
    const quotaAlarm = () => pbx.store.alarms.list({ active: true, tenantId: tenantId() }).rows.some((a) => a.code === ALARM_QUOTA);
    try {
      // A recording of the tenant's own, then a quota below what it uses: the recordings process raises the alarm.
      const first = await talk('215', '216');
      await waitFor(() => recordingOf(first) !== undefined, 30_000, 'a first recording');
      pbx.store.recordings.setTenantSettings(tenantId(), { retentionDays: null, quotaBytes: 1 });
      await waitFor(quotaAlarm, 10_000, 'the quota alarm');
      const before = pbx.store.recordings.list().total;
      const cdrId = await talk('215', '217');
      await sweptAfter(Date.now());
      expect(recordingOf(cdrId)).toBeUndefined();
      expect(spoolFiles()).toEqual([]);
      expect(pbx.store.recordings.list().total).toBe(before);
      const refusal = pbx.app.supervisor!.output().split('\n').find((l) => l.includes('"recording refused, call goes on unrecorded"') && l.includes(cdrId));
      expect(JSON.parse(refusal ?? '{}')).toMatchObject({ service: 'call-control', callId: cdrId, reason: 'quota-exceeded', policy: 'tenant' });
    } finally {
      pbx.store.recordings.setTenantSettings(tenantId(), { retentionDays: null, quotaBytes: null });
      await waitFor(() => !quotaAlarm(), 10_000, 'the quota alarm cleared');
    }
  }, 120_000);

  it('policy always with early media: a 200 repeating the 183’s SDP still starts the recording, channels right way round', async () => {
    setPolicy('always');
    // The callee plays its tone from the 183 on and answers 1.5 s later; srf then answers A with the
    // 183's SDP without asking us, so only the start-recording step after the answer turns recording on.
    const cdrId = await talk('211', '218', { earlyMedia: true });
    await waitFor(() => recordingOf(cdrId) !== undefined, 30_000, 'the recordings process to store the call');
    const rec = recordingOf(cdrId)!;
    expect(rec).toMatchObject({ caller: '211', callee: '218', channelSource: 'metadata' });
    // Recorded from the answer on: the caller's whole tone, not the callee's early 1.5 s.
    expect(Math.abs(rec.durationMs - MEDIA_MS)).toBeLessThanOrEqual(200);
    const plain = await new Vault(openKeyring({ dataDir: pbx.app.dataDir })).decryptRange(path.join(pbx.app.dataDir, 'recordings', rec.path), 0, rec.plainBytes);
    const pcm = decodeAudio(plain);
    // The first second after the answer, while both tones play.
    const left = channel(pcm, 0, 2000, 8000);
    const right = channel(pcm, 1, 2000, 8000);
    expect(goertzel(left, CALLER_HZ)).toBeGreaterThan(10 * goertzel(left, CALLEE_HZ));
    expect(goertzel(right, CALLEE_HZ)).toBeGreaterThan(10 * goertzel(right, CALLER_HZ));
    await waitFor(() => spoolFiles().length === 0, 10_000, 'an empty spool');
  }, 90_000);
});
