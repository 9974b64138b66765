// A paused and resumed recording: rtpengine wrote one capture per start
// (stop at the pause, start at the resume), and the pipeline must store ONE
// recording, the paused span silent and of its true length, listed in the index.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { encodeRecordingMetadata, type RecordingMetadata } from '../../services/recordings/capture-metadata';
import { groupCaptures } from '../../services/recordings/capture-groups';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { findCaptures } from '../../services/recordings/spool';
import { Vault } from '../../services/recordings/vault';
import { tempDir } from '../helpers/tmp';
import { CALLEE, CALLER, channel, decodeAudio, partyPackets } from './call-builder';
import { MemoryRecordingRepository } from './memory-recording-repository';
import { buildPcap, goertzel } from './pcap-builder';

const T0_MS = Date.UTC(2026, 10, 22, 10);
const CHANNELS = { left: [CALLER.dst], right: [CALLEE.dst] };

/** Packets [from, to) s of both parties' continuous streams (same SSRC, running sequence and timestamps), as rtpengine names one capture. */
function segment(spool: string, name: string, fromS: number, toS: number, meta: RecordingMetadata): void {
  const n = Math.round((toS - fromS) * 50);
  const first = Math.round(fromS * 50);
  const packets = [...partyPackets(CALLER, n, T0_MS * 1000, first), ...partyPackets(CALLEE, n, T0_MS * 1000 + 3000, first)].sort((a, b) => a.timeUs - b.timeUs);
  const pcapPath = path.join(spool, 'pcaps', `${name}.pcap`);
  writeFileSync(pcapPath, buildPcap(packets));
  writeFileSync(path.join(spool, 'metadata', `rtpengine-meta-${name}.txt`), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${encodeRecordingMetadata(meta)}\n`);
}

function world() {
  const t = tempDir('groups-');
  const spool = path.join(t.dir, 'spool');
  for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(spool, d), { recursive: true });
  const vault = new Vault(openKeyring({ dataDir: t.dir }));
  const repo = new MemoryRecordingRepository();
  const pipeline = new RecordingPipeline({ dataDir: t.dir, vault, repo, log: silentLogger, format: 'wav' });
  return { t, spool, vault, repo, pipeline };
}

const base = { recordingId: 'rec-paused', tenantId: '1', cdrId: 'call-1', caller: '201', callee: '202', channels: CHANNELS };

describe('captures of one paused and resumed recording', () => {
  it('become one recording: the pause is silence of its true length, in the index, captures removed', async () => {
    const w = world();
    try {
      // 0–1 s recorded, paused 1.0–2.0 s (the phones keep talking, nothing is captured), resumed 2.0–3.0 s.
      segment(w.spool, 'call-1-00000000000000aa', 0, 1, { ...base, pausedAt: T0_MS + 1000 });
      segment(w.spool, 'call-1-00000000000000bb', 2, 3, { ...base, paused: [{ fromMs: T0_MS + 1000, toMs: T0_MS + 2000 }] });
      const { stored, failed } = await w.pipeline.processSpool(w.spool, { isCallLive: async () => false });
      expect(failed).toEqual([]);
      expect(stored).toHaveLength(1);
      const rec = stored[0]!;
      expect(rec).toMatchObject({ recordingId: 'rec-paused', cdrId: 'call-1', pausedSpans: [{ startMs: 1000, endMs: 2000 }] });
      expect(Math.abs(rec.durationMs - 3000)).toBeLessThanOrEqual(20);
      const pcm = decodeAudio(await w.vault.decryptRange(path.join(w.pipeline.recordingsDir, rec.path), 0, rec.plainBytes));
      const energy = (x: Int16Array) => x.reduce((s, v) => s + Math.abs(v), 0);
      for (const ch of [0, 1] as const) {
        const hz = ch === 0 ? CALLER.freq : CALLEE.freq;
        expect(goertzel(channel(pcm, ch, 800, 7200), hz)).toBeGreaterThan(1e6); // 0.1–0.9 s: speech
        expect(energy(channel(pcm, ch, 8200, 15800))).toBe(0); // 1.0–2.0 s: the pause
        expect(goertzel(channel(pcm, ch, 16800, 23200), hz)).toBeGreaterThan(1e6); // 2.1–2.9 s: speech again
      }
      expect(readdirSync(path.join(w.spool, 'pcaps'))).toEqual([]);
      expect(readdirSync(path.join(w.spool, 'metadata'))).toEqual([]);
    } finally {
      w.t.cleanup();
    }
  });

  it('wait while the pause may still be resumed: a capture of the call in tmp/, or rtpengine still has the call', async () => {
    const w = world();
    try {
      segment(w.spool, 'call-1-00000000000000aa', 0, 1, { ...base, pausedAt: T0_MS + 1000 });
      const finished = await findCaptures(w.spool);
      expect((await groupCaptures(finished, w.spool, { isCallLive: async () => true })).waiting).toBe(1);
      writeFileSync(path.join(w.spool, 'tmp', 'rtpengine-meta-call-1-00000000000000bb.tmp'), `${path.join(w.spool, 'pcaps', 'call-1-00000000000000bb.pcap')}\n`);
      expect((await groupCaptures(finished, w.spool, { isCallLive: async () => false })).waiting).toBe(1);
      // Without rtpengine to ask, a paused capture waits as long as an orphan would.
      const rtpengineUnknown = await groupCaptures(finished, w.spool, { orphanIdleMs: 60_000 });
      expect(rtpengineUnknown.waiting).toBe(1);
      expect((await w.pipeline.processSpool(w.spool, { isCallLive: async () => true })).stored).toEqual([]);
    } finally {
      w.t.cleanup();
    }
  });

  it('a pause that lasted to the hang-up ends the recording there; other recordings of the call stay apart', async () => {
    const w = world();
    try {
      segment(w.spool, 'call-1-00000000000000aa', 0, 1, { ...base, pausedAt: T0_MS + 1000 });
      // The same call recorded again on demand later: another recording id, another recording.
      segment(w.spool, 'call-1-00000000000000cc', 4, 5, { ...base, recordingId: 'rec-second' });
      const { stored, failed } = await w.pipeline.processSpool(w.spool, { isCallLive: async () => false });
      expect(failed).toEqual([]);
      const byId = new Map(stored.map((r) => [r.recordingId, r]));
      expect([...byId.keys()].sort()).toEqual(['rec-paused', 'rec-second']);
      expect(Math.abs(byId.get('rec-paused')!.durationMs - 1000)).toBeLessThanOrEqual(20);
      expect(byId.get('rec-paused')!.pausedSpans ?? []).toEqual([]);
      expect(Math.abs(byId.get('rec-second')!.durationMs - 1000)).toBeLessThanOrEqual(20);
    } finally {
      w.t.cleanup();
    }
  });
});
