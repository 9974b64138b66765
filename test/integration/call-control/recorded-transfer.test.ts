// A recorded call that is transferred stays ONE recording (the bank's
// compliance case): the recording follows the call onto the transfer's new
// rtpengine session (calls/recording.ts moveTo) and the recordings service
// joins the two captures (services/recordings/capture-groups.ts). The whole
// appliance runs; the three phones are sipp, each playing its own tone so
// the channels can be told apart (Goertzel), as in recorded-call.test.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/api/password';
import { createLogger } from '../../../services/common/logger';
import { createNgClient } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { encodeG711 } from '../../../services/recordings/g711';
import { openKeyring, Vault } from '../../../services/recordings';
import { Client } from '../../api/harness';
import { channel, decodeAudio } from '../../recordings/call-builder';
import { buildPcap, goertzel, rtpPacket, tone } from '../../recordings/pcap-builder';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from './pbx';

const A_HZ = 440;
const B_HZ = 1000;
const C_HZ = 2000;
const SIPP_PCAP = '/usr/share/sip-tester/g711a.pcap';
const scenario = (name: string) => path.resolve(`test/integration/call-control/scenarios/${name}.xml`);

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let media: RtpengineMedia;
let closeNg: () => void;
let tmp: string;
let admin: Client;
const PASSWORD = 'correct horse battery staple';

/** `ms` of a PCMA tone as sipp's play_pcap_audio reads it (Ethernet frames, 20 ms apart). */
function tonePcap(name: string, freq: number, ms: number, ssrc: number): string {
  const packets = Array.from({ length: ms / 20 }, (_, i) => ({
    timeUs: 1_800_000_000_000_000 + i * 20_000,
    src: '10.0.0.1:4000',
    dst: '10.0.0.2:5000',
    payload: rtpPacket({ payloadType: 8, sequence: 100 + i, timestamp: 8000 + i * 160, ssrc, payload: encodeG711('alaw', tone(freq, 160, i * 160)), marker: i === 0 }),
  }));
  const file = path.join(tmp, `${name}.pcap`);
  writeFileSync(file, buildPcap(packets, { linkType: 1 }));
  return file;
}

/** A transfer scenario with sipp's sample speech swapped for tones, one per play in order; `edit` changes the text further. */
function withTones(name: string, pcaps: string[], tag: string, edit: (xml: string) => string = (x) => x): string {
  const parts = readFileSync(scenario(name), 'utf8').split(SIPP_PCAP);
  if (parts.length !== pcaps.length + 1) throw new Error(`${name} plays ${parts.length - 1} times, ${pcaps.length} tones given`);
  const out = path.join(tmp, `${name}-${tag}.xml`);
  writeFileSync(out, edit(parts.map((p, i) => p + (pcaps[i] ?? '')).join('')));
  return out;
}

/** A (the caller) is held, moved, then talks `afterMs` with the target before hanging up. */
function transfereeTalking(afterMs: number): (xml: string) => string {
  return (xml) => {
    const out = xml.replace('<pause milliseconds="2500"/>', `<pause milliseconds="${afterMs}"/>`);
    if (out === xml) throw new Error('transfer-transferee.xml: its pause after the move has changed');
    return out;
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'korobka-recorded-transfer-'));
  pbx = await startPbx('recorded-transfer', ['251', '252', '253', '254', '255', '256', '257', '258', '259'], { calls: { ringTimeoutSeconds: 5 }, recordings: { sweepIntervalMs: 300 } });
  const ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
  media = new RtpengineMedia({ ng, log });
  closeNg = () => ng.close();
  const user = pbx.store.users.create({ tenantId: tenantId(), username: 'rt-admin', role: 'tenant-admin', passwordHash: await hashPassword(PASSWORD) });
  admin = new Client(pbx.app.ports.api, readFileSync(path.join(pbx.app.dataDir, 'tls', 'ca.crt')));
  const r = await admin.login(user.username, PASSWORD);
  if (r.status !== 200) throw new Error(`login: ${JSON.stringify(r.body)}`);
}, 120_000);

afterAll(async () => {
  closeNg?.();
  await pbx?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const recordingsOf = (cdrId: string) => pbx.store.recordings.list({ limit: 500 }).rows.filter((r) => r.cdrId === cdrId);
const spoolFiles = () => filesUnder(path.join(pbx.app.dataDir, 'recordings', 'spool'));
const gone = (id: string) => media.query(id).then(
  () => false,
  (e: { code?: string }) => e.code === 'media-call-not-found',
);

/** Left and right channels of `pcm` between two offsets (ms into the recording). */
function window(pcm: Int16Array, fromMs: number, toMs: number): { left: Int16Array; right: Int16Array } {
  return { left: channel(pcm, 0, fromMs * 8, toMs * 8), right: channel(pcm, 1, fromMs * 8, toMs * 8) };
}

describe('a recorded call across a blind transfer', () => {
  it('policy always: 251 calls 252, 252 transfers 251 to 253; one recording for the CDR, 251↔252 then 251↔253, caller left, nothing plain left', async () => {
    pbx.store.recordings.replacePolicies(tenantId(), [{ scope: 'tenant', target: '', mode: 'always' }]);
    // A (251) speaks 1.4 s, is held and moved, then speaks 2.4 s more and hangs up 2.5 s after the move;
    // B (252) speaks 1.4 s, holds A at 1.5 s and refers it to 253; C (253) speaks 2 s from 0.5 s after its answer.
    const target = await startCallee(withTones('transfer-target', [tonePcap('c', C_HZ, 2000, 0x3333)], 'always'));
    await registerPhone(pbx, '253', target.port);
    const transferor = await startCallee(withTones('transfer-transferor-blind', [tonePcap('b', B_HZ, 1400, 0x2222)], 'always'), 1, ['-key', 'xfer', '253']);
    await registerPhone(pbx, '252', transferor.port);
    const transferee = await startCaller(pbx, withTones('transfer-transferee', [tonePcap('a1', A_HZ, 1400, 0x1111), tonePcap('a2', A_HZ, 2400, 0x1111)], 'always'), '251', '252');
    expect(await transferor.exited).toBe(0);
    expect(await transferee.exited).toBe(0);
    expect(await target.exited).toBe(0);

    const cdrTo252 = () => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).find((c) => c.callee.dialled === '252');
    await waitFor(() => cdrTo252()?.status === 'completed', 10_000, 'CDR completed');
    const cdr = cdrTo252()!;
    expect(cdr.transfers).toEqual([expect.objectContaining({ kind: 'blind', to: '253', by: 'callee' })]);
    await waitFor(() => gone(`${cdr.callId}~x1`), 5_000, 'the transfer session deleted');

    await waitFor(() => recordingsOf(cdr.callId).length > 0 && spoolFiles().length === 0, 30_000, 'the recordings process to store the call');
    const recs = recordingsOf(cdr.callId);
    expect(recs).toHaveLength(1);
    const rec = recs[0]!;
    expect(rec).toMatchObject({ caller: '251', callee: '252', channelSource: 'metadata', codec: 'opus' });
    // The whole answered call (the re-INVITEs' gap inside it), within a second.
    const answered = cdr.endedAt! - cdr.answeredAt!;
    expect(Math.abs(rec.durationMs - answered), `recording ${rec.durationMs} ms, answered ${answered} ms, paused ${JSON.stringify(rec.pausedSpans)}, started ${rec.startedAt}, CDR answered ${new Date(cdr.answeredAt!).toISOString()}`).toBeLessThanOrEqual(1000);
    // At most the one gap of the move, listed, and short.
    const spans = rec.pausedSpans ?? [];
    expect(spans.length).toBeLessThanOrEqual(1);
    for (const s of spans) expect(s.endMs - s.startMs).toBeLessThan(1000);

    const plain = await new Vault(openKeyring({ dataDir: pbx.app.dataDir })).decryptRange(path.join(pbx.app.dataDir, 'recordings', rec.path), 0, rec.plainBytes);
    const pcm = decodeAudio(plain);
    const movedAtMs = cdr.transfers[0]!.at - Date.parse(rec.startedAt);
    expect(movedAtMs).toBeGreaterThan(1400);
    // Before the transfer, while A and B both speak: A left, B right, no C anywhere (10× = 10 dB, as in recorded-call.test.ts).
    const before = window(pcm, 200, 1200);
    expect(goertzel(before.left, A_HZ)).toBeGreaterThan(10 * goertzel(before.left, B_HZ));
    expect(goertzel(before.right, B_HZ)).toBeGreaterThan(10 * goertzel(before.right, A_HZ));
    expect(goertzel(before.right, B_HZ)).toBeGreaterThan(10 * goertzel(before.right, C_HZ));
    // After it, while A and C both speak (C starts 0.5 s after its answer): A still left, C right, B gone.
    const after = window(pcm, movedAtMs + 800, movedAtMs + 1800);
    expect(goertzel(after.left, A_HZ)).toBeGreaterThan(10 * goertzel(after.left, C_HZ));
    expect(goertzel(after.right, C_HZ)).toBeGreaterThan(10 * goertzel(after.right, A_HZ));
    expect(goertzel(after.right, C_HZ)).toBeGreaterThan(10 * goertzel(after.right, B_HZ));

    const encrypted = readFileSync(path.join(pbx.app.dataDir, 'recordings', rec.path));
    expect(encrypted.includes(Buffer.from('OggS'))).toBe(false);
    // No capture or converted audio in plain; the voicemail beep (a 1 kHz tone call-control makes at start) is nobody's audio.
    expect(filesUnder(pbx.app.dataDir).filter((f) => /\.(pcap|wav)$/i.test(f) && !f.endsWith(path.join('voicemail', 'beep.wav')))).toEqual([]);
  }, 120_000);

  it('policy on-demand: started and stopped through the API after the transfer, it records the new session, 254 left and 256 right', async () => {
    pbx.store.recordings.replacePolicies(tenantId(), [{ scope: 'tenant', target: '', mode: 'on-demand' }]);
    // After the move A (254) and C (256) talk about 5 s: the API acts in that time.
    const target = await startCallee(withTones('transfer-target', [tonePcap('c2', C_HZ, 4500, 0x3333)], 'od'));
    await registerPhone(pbx, '256', target.port);
    const transferor = await startCallee(withTones('transfer-transferor-blind', [tonePcap('b2', B_HZ, 1400, 0x2222)], 'od'), 1, ['-key', 'xfer', '256']);
    await registerPhone(pbx, '255', transferor.port);
    const transferee = await startCaller(pbx, withTones('transfer-transferee', [tonePcap('a3', A_HZ, 1400, 0x1111), tonePcap('a4', A_HZ, 4800, 0x1111)], 'od', transfereeTalking(5000)), '254', '255');
    type View = { id: string; caller: string; callee: string; recording: { state: string; recordingId: string | null } };
    let call: View | undefined;
    // The live view names the target once the call has moved (transfer.ts switchOver).
    await waitFor(async () => (call = ((await admin.request('GET', '/api/calls/live')).body.calls as View[] | undefined)?.find((c) => c.caller === '254' && c.callee === '256')) !== undefined, 20_000, 'the call moved to 256');
    const id = call!.id;
    expect(call!.recording.state).toBe('off');
    const act = async (action: string) => {
      const before = Date.now();
      const r = await admin.request('POST', `/api/calls/live/${encodeURIComponent(id)}/recording`, { action });
      return { r, before, after: Date.now() };
    };
    // C starts its tone 0.5 s after its answer; the span recorded is the stimulus, the waits set its length.
    await new Promise((r) => setTimeout(r, 800));
    const start = await act('start');
    expect(start.r).toMatchObject({ status: 200, body: { call: { recording: { state: 'recording' } } } });
    await new Promise((r) => setTimeout(r, 2000));
    const stop = await act('stop');
    expect(stop.r).toMatchObject({ status: 200, body: { call: { recording: { state: 'off' } } } });
    expect(await transferor.exited).toBe(0);
    expect(await transferee.exited).toBe(0);
    expect(await target.exited).toBe(0);

    await waitFor(() => recordingsOf(id).length > 0 && spoolFiles().length === 0, 30_000, 'the recording stored');
    const [rec, ...others] = recordingsOf(id);
    expect(others).toEqual([]);
    expect(rec).toMatchObject({ recordingId: start.r.body.call.recording.recordingId, channelSource: 'metadata' });
    expect(rec!.durationMs).toBeGreaterThanOrEqual(stop.before - start.after - 60);
    expect(rec!.durationMs).toBeLessThanOrEqual(stop.after - start.before + 60);
    const pcm = decodeAudio(await new Vault(openKeyring({ dataDir: pbx.app.dataDir })).decryptRange(path.join(pbx.app.dataDir, 'recordings', rec!.path), 0, rec!.plainBytes));
    const w = window(pcm, 200, rec!.durationMs - 200);
    expect(goertzel(w.left, A_HZ)).toBeGreaterThan(10 * goertzel(w.left, C_HZ));
    expect(goertzel(w.right, C_HZ)).toBeGreaterThan(10 * goertzel(w.right, A_HZ));
    expect(goertzel(w.right, C_HZ)).toBeGreaterThan(10 * goertzel(w.right, B_HZ));
  }, 120_000);

  it('policy always, paused before the transfer: it stays paused across the move, the resume records the new session; one recording, the pause listed', async () => {
    pbx.store.recordings.replacePolicies(tenantId(), [{ scope: 'tenant', target: '', mode: 'always' }]);
    const target = await startCallee(withTones('transfer-target', [tonePcap('c3', C_HZ, 4500, 0x3333)], 'paused'));
    await registerPhone(pbx, '259', target.port);
    const transferor = await startCallee(withTones('transfer-transferor-blind', [tonePcap('b3', B_HZ, 1400, 0x2222)], 'paused'), 1, ['-key', 'xfer', '259']);
    await registerPhone(pbx, '258', transferor.port);
    const transferee = await startCaller(pbx, withTones('transfer-transferee', [tonePcap('a5', A_HZ, 1400, 0x1111), tonePcap('a6', A_HZ, 4800, 0x1111)], 'paused', transfereeTalking(5000)), '257', '258');
    type View = { id: string; caller: string; callee: string; recording: { state: string; recordingId: string | null } };
    const live = async (callee: string) => ((await admin.request('GET', '/api/calls/live')).body.calls as View[] | undefined)?.find((c) => c.caller === '257' && c.callee === callee);
    let call: View | undefined;
    await waitFor(async () => (call = await live('258'))?.recording.state === 'recording', 10_000, 'the call recorded');
    const id = call!.id;
    const act = async (action: string) => {
      const before = Date.now();
      const r = await admin.request('POST', `/api/calls/live/${encodeURIComponent(id)}/recording`, { action });
      return { r, before, after: Date.now() };
    };
    // B holds A 1.5 s after the answer and refers it: the pause comes before.
    const pause = await act('pause');
    expect(pause.r).toMatchObject({ status: 200, body: { call: { recording: { state: 'paused' } } } });
    await waitFor(async () => (call = await live('259')) !== undefined, 20_000, 'the call moved to 259');
    expect(call!.recording.state).toBe('paused');
    // C starts its tone 0.5 s after its answer; the span recorded after the resume is the stimulus.
    await new Promise((r) => setTimeout(r, 700));
    const resume = await act('resume');
    expect(resume.r).toMatchObject({ status: 200, body: { call: { recording: { state: 'recording' } } } });
    expect(await transferor.exited).toBe(0);
    expect(await transferee.exited).toBe(0);
    expect(await target.exited).toBe(0);

    await waitFor(() => recordingsOf(id).length > 0 && spoolFiles().length === 0, 30_000, 'the recording stored');
    const [rec, ...others] = recordingsOf(id);
    expect(others).toEqual([]);
    const cdr = pbx.store.cdrs.get(id)!;
    expect(Math.abs(rec!.durationMs - (cdr.endedAt! - cdr.answeredAt!))).toBeLessThanOrEqual(1000);
    expect(rec!.pausedSpans).toHaveLength(1);
    const span = rec!.pausedSpans![0]!;
    const started = Date.parse(rec!.startedAt);
    expect(started + span.startMs).toBeGreaterThanOrEqual(pause.before - 30);
    expect(started + span.startMs).toBeLessThanOrEqual(pause.after + 30);
    expect(started + span.endMs).toBeGreaterThanOrEqual(resume.before - 30);
    expect(started + span.endMs).toBeLessThanOrEqual(resume.after + 30);
    const pcm = decodeAudio(await new Vault(openKeyring({ dataDir: pbx.app.dataDir })).decryptRange(path.join(pbx.app.dataDir, 'recordings', rec!.path), 0, rec!.plainBytes));
    const after = window(pcm, span.endMs + 200, span.endMs + 1500);
    // Tone energy per ms inside the pause (A spoke through its start, B and C after), against A's after the resume: ≈ 0.
    const paused = window(pcm, span.startMs + 40, span.endMs - 40);
    const perMs = (x: Int16Array, hz: number) => goertzel(x, hz) / (x.length / 8);
    for (const [x, hz] of [[paused.left, A_HZ], [paused.right, B_HZ], [paused.right, C_HZ]] as const) expect(perMs(x, hz)).toBeLessThan(perMs(after.left, A_HZ) * 1e-4);
    expect(goertzel(after.left, A_HZ)).toBeGreaterThan(10 * goertzel(after.left, C_HZ));
    expect(goertzel(after.right, C_HZ)).toBeGreaterThan(10 * goertzel(after.right, A_HZ));
  }, 120_000);
});
