// Pause/resume for card-data moments: the spans call-control lists in the
// metadata string are silence in the stored audio (both channels) and are
// listed in the index record; the audio keeps its length.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { decodeRecordingMetadata, encodeRecordingMetadata } from '../../services/recordings/capture-metadata';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { Vault } from '../../services/recordings/vault';
import { tempDir } from '../helpers/tmp';
import { callPackets, CALLEE, CALLER, channel, decodeAudio } from './call-builder';
import { MemoryRecordingRepository } from './memory-recording-repository';
import { buildPcap, goertzel } from './pcap-builder';

describe('paused spans', () => {
  it('round-trip through the metadata string, and bad spans are refused by name', () => {
    const m = { recordingId: 'r', paused: [{ fromMs: 1000, toMs: 2000 }, { fromMs: 3000, toMs: 3500 }] };
    expect(encodeRecordingMetadata(m)).toBe('korobka=1|rec=r|paused=1000-2000,3000-3500');
    expect(decodeRecordingMetadata(encodeRecordingMetadata(m))).toEqual(m);
    expect(() => decodeRecordingMetadata('korobka=1|paused=2000-1000')).toThrow(expect.objectContaining({ code: 'recording-metadata-invalid', message: 'recording metadata: paused: expected <from ms>-<to ms> with from ≤ to, got "2000-1000"' }));
    expect(() => decodeRecordingMetadata('korobka=1|paused=soon')).toThrow(expect.objectContaining({ code: 'recording-metadata-invalid' }));
  });

  it('are silence in the stored audio and listed in the index record', async () => {
    const t = tempDir('paused-');
    try {
      const spool = path.join(t.dir, 'spool');
      mkdirSync(path.join(spool, 'pcaps'), { recursive: true });
      mkdirSync(path.join(spool, 'metadata'), { recursive: true });
      const t0Ms = Date.UTC(2026, 10, 22, 10);
      const pcapPath = path.join(spool, 'pcaps', 'c.pcap');
      writeFileSync(pcapPath, buildPcap(callPackets(3, t0Ms * 1000)));
      // paused from 1.0 s to 2.0 s into the call; a second span entirely after the call vanishes
      const meta = encodeRecordingMetadata({ recordingId: 'rp', tenantId: 't1', channels: { left: [CALLER.dst], right: [CALLEE.dst] }, paused: [{ fromMs: t0Ms + 1000, toMs: t0Ms + 2000 }, { fromMs: t0Ms + 60_000, toMs: t0Ms + 61_000 }] });
      writeFileSync(path.join(spool, 'metadata', 'rtpengine-meta-c.txt'), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${meta}\n`);
      const vault = new Vault(openKeyring({ dataDir: t.dir }));
      const pipeline = new RecordingPipeline({ dataDir: t.dir, vault, repo: new MemoryRecordingRepository(), log: silentLogger, format: 'wav' });
      const { stored, failed } = await pipeline.processSpool(spool);
      expect(failed).toEqual([]);
      const rec = stored[0]!;
      expect(rec.pausedSpans).toEqual([{ startMs: 1000, endMs: 2000 }]);
      expect(rec.durationMs).toBe(3003);
      const pcm = decodeAudio(await vault.decryptRange(path.join(pipeline.recordingsDir, rec.path), 0, rec.plainBytes));
      const energy = (x: Int16Array) => x.reduce((s, v) => s + Math.abs(v), 0);
      for (const ch of [0, 1] as const) {
        expect(energy(channel(pcm, ch, 8000, 16000))).toBe(0); // 1.0–2.0 s: nothing
        expect(goertzel(channel(pcm, ch, 500, 7500), ch === 0 ? 440 : 880)).toBeGreaterThan(1e6); // before: the tones
        expect(energy(channel(pcm, ch, 16100, 23000))).toBeGreaterThan(1e6); // after: audio again
      }
    } finally {
      t.cleanup();
    }
  });
});
