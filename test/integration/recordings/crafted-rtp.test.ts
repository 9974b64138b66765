// Issue 16 item 2 against the running appliance: a crafted RTP packet sent
// from loopback to rtpengine's media ports during a recorded call must not
// stretch the recording (it once made a 2 s call 74.6 h long), and the cut is
// alarmed; a capture that cannot be converted does not hold back the next
// call's recording, and is kept encrypted in quarantine, not in plain text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNgClient, type NgClient } from '../../../services/call-control/media/ng-client';
import { createLogger } from '../../../services/common/logger';
import { encodeG711 } from '../../../services/recordings/g711';
import { ALARM_CONVERSION, ALARM_TRACK_CUT, encodeRecordingMetadata } from '../../../services/recordings';
import { buildPcap, rtpPacket, tone } from '../../recordings/pcap-builder';
import { callPackets } from '../../recordings/call-builder';
import { uacScenario, uasScenario } from '../call-control/call-scenarios';
import { registerPhone, startCallee, startCaller, startPbx, waitFor, type Pbx } from '../call-control/pbx';

const MEDIA_MS = 3000;
const SIPP_PCAP = '/usr/share/sip-tester/g711a.pcap';
/** The caller's stream as its tone pcap numbers it (sipp replays RTP headers as they are in the pcap). */
const CALLER_SSRC = 0x1111;
const SEQ0 = 100;
const TS0 = 8000;

const log = createLogger({ level: 'warn', sink: () => undefined });
let pbx: Pbx;
let ng: NgClient;
let tmp: string;

function tonePcap(file: string, freq: number, ssrc: number): string {
  const packets = Array.from({ length: MEDIA_MS / 20 }, (_, i) => ({
    timeUs: 1_800_000_000_000_000 + i * 20_000,
    src: '10.0.0.1:4000',
    dst: '10.0.0.2:5000',
    payload: rtpPacket({ payloadType: 8, sequence: SEQ0 + i, timestamp: TS0 + i * 160, ssrc, payload: encodeG711('alaw', tone(freq, 160, i * 160)), marker: i === 0 }),
  }));
  writeFileSync(file, buildPcap(packets, { linkType: 1 }));
  return file;
}

function withPcap(scenario: string, pcap: string, name: string): string {
  const out = path.join(tmp, `${name}.xml`);
  writeFileSync(out, readFileSync(scenario, 'utf8').replaceAll(SIPP_PCAP, pcap));
  return out;
}

const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'korobka-crafted-rtp-'));
  pbx = await startPbx('crafted-rtp', ['231', '232', '233', '234'], { recordings: { sweepIntervalMs: 300, quarantineRetryMs: 3_600_000 } });
  pbx.store.recordings.replacePolicies(pbx.store.tenants.defaultTenant()!.id, [{ scope: 'tenant', target: '', mode: 'always' }]);
  ng = await createNgClient({ host: '127.0.0.1', port: pbx.app.ports.ng, log });
}, 120_000);

afterAll(async () => {
  ng?.close();
  await pbx?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const tenantId = () => pbx.store.tenants.defaultTenant()!.id;
const cdrTo = (ext: string) => pbx.store.cdrs.list({ tenantId: tenantId(), limit: 50 }).find((c) => c.callee.dialled === ext);
const recordingOf = (cdrId: string) => pbx.store.recordings.list({ limit: 500 }).rows.find((r) => r.cdrId === cdrId);
const alarm = (code: string) => pbx.store.alarms.list({ active: true }).rows.find((a) => a.code === code);

/** rtpengine's local media ports of a call, from its ng `query` answer. */
async function mediaPorts(callId: string): Promise<number[]> {
  const r = (await ng.command('query', { 'call-id': callId })) as { tags?: Record<string, { medias?: Array<{ streams?: Array<{ 'local port'?: number }> }> }> };
  const ports = Object.values(r.tags ?? {}).flatMap((t) => (t.medias ?? []).flatMap((m) => (m.streams ?? []).map((s) => s['local port'])));
  return [...new Set(ports.filter((p): p is number => typeof p === 'number' && p > 0))];
}

/** One answered, recorded call from `from` to `to`; `during` runs once the call is up. Resolves with the CDR id. */
async function call(from: string, to: string, during?: (callId: string) => Promise<void>): Promise<string> {
  const callee = await startCallee(withPcap(uasScenario('answer-play'), tonePcap(path.join(tmp, `callee-${to}.pcap`), 1000, 0x2222), `uas-${to}`));
  await registerPhone(pbx, to, callee.port);
  const caller = await startCaller(pbx, withPcap(uacScenario(`crafted-${to}`, { answer: true, play: true }), tonePcap(path.join(tmp, `caller-${to}.pcap`), 440, CALLER_SSRC), `uac-${to}`), from, to, { holdMs: MEDIA_MS + 1000 });
  if (during) {
    await waitFor(() => cdrTo(to) !== undefined, 10_000, 'the call to start');
    await during(cdrTo(to)!.callId);
  }
  expect(await caller.exited).toBe(0);
  expect(await callee.exited).toBe(0);
  await waitFor(() => cdrTo(to)?.status === 'completed', 10_000, 'CDR completed');
  return cdrTo(to)!.callId;
}

describe('crafted RTP into a recorded call (issue 16 item 2)', () => {
  it('a late packet with a timestamp 2^31 samples on does not stretch the recording; the cut is alarmed', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    try {
      const cdrId = await call('231', '232', async (callId) => {
        await waitFor(async () => (await mediaPorts(callId)).length >= 2, 10_000, 'rtpengine media ports');
        // 1.5 s into the tone the caller has sent ~75 packets: a sequence number just before its first one is
        // "late" and not a duplicate.
        await new Promise((r) => setTimeout(r, 1500));
        const packet = rtpPacket({ payloadType: 8, sequence: SEQ0 - 1, timestamp: (TS0 - 160 + 0x7fffffff) >>> 0, ssrc: CALLER_SSRC, payload: encodeG711('alaw', tone(440, 160, 0)) });
        for (const port of await mediaPorts(callId)) await new Promise<void>((r, j) => sock.send(packet, port, '127.0.0.1', (e) => (e ? j(e) : r())));
      });
      await waitFor(() => recordingOf(cdrId) !== undefined, 30_000, 'the recording to be stored');
      const rec = recordingOf(cdrId)!;
      expect(Math.abs(rec.durationMs - MEDIA_MS)).toBeLessThanOrEqual(200);
      await waitFor(() => alarm(ALARM_TRACK_CUT) !== undefined, 10_000, 'the track-cut alarm');
      expect(alarm(ALARM_TRACK_CUT)).toMatchObject({ severity: 'warning', tenantId: tenantId(), details: { recordings: [expect.objectContaining({ recordingId: rec.recordingId, packets: expect.any(Number) })] } });
      const cut = (alarm(ALARM_TRACK_CUT)!.details as { recordings: Array<{ packets: number }> }).recordings[0]!;
      expect(cut.packets).toBeGreaterThanOrEqual(1);
    } finally {
      sock.close();
    }
  }, 120_000);

  it('a capture that cannot be converted does not hold back the next recording, and is quarantined encrypted', async () => {
    const spool = path.join(pbx.app.dataDir, 'recordings', 'spool');
    mkdirSync(path.join(spool, 'pcaps'), { recursive: true });
    mkdirSync(path.join(spool, 'metadata'), { recursive: true });
    // A finished capture as rtpengine leaves it, whose last record is cut mid-packet: conversion fails (pcap-truncated).
    const poison = buildPcap(callPackets(2));
    const pcapPath = path.join(spool, 'pcaps', 'poisoned.pcap');
    writeFileSync(pcapPath, poison.subarray(0, poison.length - 7));
    const meta = encodeRecordingMetadata({ recordingId: 'poisoned-1', tenantId: String(tenantId()) });
    writeFileSync(path.join(spool, 'metadata', 'rtpengine-meta-poisoned.txt'), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${meta}\n`);

    const cdrId = await call('233', '234');
    await waitFor(() => recordingOf(cdrId) !== undefined, 30_000, 'the next call to be stored');
    expect(Math.abs(recordingOf(cdrId)!.durationMs - MEDIA_MS)).toBeLessThanOrEqual(200);
    await waitFor(() => alarm(ALARM_CONVERSION) !== undefined, 10_000, 'the conversion alarm');
    expect(alarm(ALARM_CONVERSION)!.details).toMatchObject({ quarantined: [expect.objectContaining({ pcapName: 'poisoned.pcap', code: 'pcap-truncated', attempts: 1 })] });
    // Nothing of the poisoned capture left in plain: no pcap anywhere, no audio bytes in any file.
    const audio = poison.subarray(poison.length - 400, poison.length - 240);
    const all = filesUnder(pbx.app.dataDir);
    expect(all.filter((f) => /\.pcap$/.test(f))).toEqual([]);
    for (const f of all.filter((x) => !x.endsWith('korobka.db') && !x.includes('korobka.db-'))) expect(readFileSync(f).includes(audio), f).toBe(false);
    expect(all.filter((f) => f.includes(`${path.sep}quarantine${path.sep}`)).map((f) => path.basename(f)).sort()).toEqual(['part-0.meta.krec', 'part-0.pcap.krec', 'state.json']);
    // The conversion ran on worker threads, as many as the cores.
    const health = ((await pbx.app.get('/api/health')).body.processes as Array<{ name: string; health?: Record<string, unknown> }>).find((p) => p.name === 'recordings')?.health;
    expect(health).toMatchObject({ converters: os.availableParallelism(), workerThreads: true });
  }, 120_000);
});
