// A transferred call's recording: call-control ends the capture of the old
// rtpengine session (`<call>`) as a pause and starts one on the new session
// (`<call>~x1`) with the same recording id and a channel map naming both
// sessions' ports. The captures must become ONE recording: caller left and
// callee right before, caller left and the target right after.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { encodeRecordingMetadata, type RecordingMetadata } from '../../services/recordings/capture-metadata';
import { groupCaptures, sessionFamily } from '../../services/recordings/capture-groups';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { findCaptures } from '../../services/recordings/spool';
import { Vault } from '../../services/recordings/vault';
import { tempDir } from '../helpers/tmp';
import { CALLEE, CALLER, channel, decodeAudio, partyPackets, type PartySpec } from './call-builder';
import { MemoryRecordingRepository } from './memory-recording-repository';
import { buildPcap, goertzel } from './pcap-builder';

const T0_MS = Date.UTC(2026, 10, 22, 10);
/** On the new session: the caller sends to a new port, the target from its own address to another. */
const CALLER_MOVED: PartySpec = { ...CALLER, dst: '127.0.0.1:31002' };
const TARGET: PartySpec = { src: '10.0.0.3:6000', dst: '127.0.0.1:31000', freq: 2000, law: 'alaw', ssrc: 0x3333 };

function capture(spool: string, name: string, a: PartySpec, b: PartySpec, fromS: number, toS: number, meta: RecordingMetadata): void {
  const n = Math.round((toS - fromS) * 50);
  const first = Math.round(fromS * 50);
  const packets = [...partyPackets(a, n, T0_MS * 1000, first), ...partyPackets(b, n, T0_MS * 1000 + 3000, first)].sort((x, y) => x.timeUs - y.timeUs);
  const pcapPath = path.join(spool, 'pcaps', `${name}.pcap`);
  writeFileSync(pcapPath, buildPcap(packets));
  writeFileSync(path.join(spool, 'metadata', `rtpengine-meta-${name}.txt`), `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${encodeRecordingMetadata(meta)}\n`);
}

function world() {
  const t = tempDir('groups-transfer-');
  const spool = path.join(t.dir, 'spool');
  for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(spool, d), { recursive: true });
  const vault = new Vault(openKeyring({ dataDir: t.dir }));
  const pipeline = new RecordingPipeline({ dataDir: t.dir, vault, repo: new MemoryRecordingRepository(), log: silentLogger, format: 'wav' });
  return { t, spool, vault, pipeline };
}

const base = { recordingId: 'rec-moved', tenantId: '1', cdrId: 'call-1', caller: '201', callee: '202' };
const before = { ...base, channels: { left: [CALLER.dst], right: [CALLEE.dst] }, pausedAt: T0_MS + 1000 };
const after = { ...base, channels: { left: [CALLER.dst, CALLER_MOVED.dst], right: [CALLEE.dst, TARGET.dst] }, paused: [{ fromMs: T0_MS + 1000, toMs: T0_MS + 1200 }] };

describe('captures of a recording moved by a transfer', () => {
  it('join across the two rtpengine sessions: one recording, the gap silent and listed, the target on the right after the move', async () => {
    const w = world();
    try {
      capture(w.spool, 'call-1-00000000000000aa', CALLER, CALLEE, 0, 1, before);
      capture(w.spool, 'call-1~x1-00000000000000bb', CALLER_MOVED, TARGET, 1.2, 3, after);
      const { stored, failed } = await w.pipeline.processSpool(w.spool, { isCallLive: async () => false });
      expect(failed).toEqual([]);
      expect(stored).toHaveLength(1);
      const rec = stored[0]!;
      expect(rec).toMatchObject({ recordingId: 'rec-moved', cdrId: 'call-1', pausedSpans: [{ startMs: 1000, endMs: 1200 }] });
      expect(Math.abs(rec.durationMs - 3000)).toBeLessThanOrEqual(20);
      const pcm = decodeAudio(await w.vault.decryptRange(path.join(w.pipeline.recordingsDir, rec.path), 0, rec.plainBytes));
      const [l1, r1] = [channel(pcm, 0, 800, 7200), channel(pcm, 1, 800, 7200)]; // 0.1–0.9 s
      expect(goertzel(l1, CALLER.freq)).toBeGreaterThan(100 * goertzel(l1, CALLEE.freq));
      expect(goertzel(r1, CALLEE.freq)).toBeGreaterThan(100 * goertzel(r1, CALLER.freq));
      const [l2, r2] = [channel(pcm, 0, 12000, 22400), channel(pcm, 1, 12000, 22400)]; // 1.5–2.8 s
      expect(goertzel(l2, CALLER.freq)).toBeGreaterThan(100 * goertzel(l2, TARGET.freq));
      expect(goertzel(r2, TARGET.freq)).toBeGreaterThan(100 * goertzel(r2, CALLER.freq));
      expect(goertzel(r2, TARGET.freq)).toBeGreaterThan(100 * goertzel(r2, CALLEE.freq));
      expect(readdirSync(path.join(w.spool, 'pcaps'))).toEqual([]);
    } finally {
      w.t.cleanup();
    }
  });

  it('the old session’s capture waits while the new session’s is being written, though rtpengine no longer has the old call', async () => {
    const w = world();
    try {
      capture(w.spool, 'call-1-00000000000000aa', CALLER, CALLEE, 0, 1, before);
      const finished = await findCaptures(w.spool);
      writeFileSync(path.join(w.spool, 'tmp', 'rtpengine-meta-call-1~x1-00000000000000bb.tmp'), `${path.join(w.spool, 'pcaps', 'call-1~x1-00000000000000bb.pcap')}\n`);
      expect(await groupCaptures(finished, w.spool, { isCallLive: async () => false })).toMatchObject({ ready: [], waiting: 1 });
    } finally {
      w.t.cleanup();
    }
  });

  it('between the old capture\'s end and the new one\'s start, the old capture waits while the CDR is open, though rtpengine says the call is gone', async () => {
    const w = world();
    try {
      capture(w.spool, 'call-1-00000000000000aa', CALLER, CALLEE, 0, 1, before);
      const finished = await findCaptures(w.spool);
      // No capture of the new session yet (tmp/ empty), and the ng query lost: only the CDR knows.
      const open = new Set([before.cdrId]);
      expect(await groupCaptures(finished, w.spool, { isCallLive: async () => false, isCdrOpen: (id) => open.has(id) })).toMatchObject({ ready: [], waiting: 1 });
      // The call ended with no resume: the capture is the whole recording.
      open.clear();
      expect(await groupCaptures(finished, w.spool, { isCallLive: async () => false, isCdrOpen: (id) => open.has(id) })).toMatchObject({ ready: [{ callId: 'call-1' }], waiting: 0 });
    } finally {
      w.t.cleanup();
    }
  });

  it('sessionFamily: a transfer’s session names its call; other ids stay as they are', () => {
    expect(sessionFamily('abc@127.0.0.1~x2')).toBe('abc@127.0.0.1');
    expect(sessionFamily('abc@127.0.0.1')).toBe('abc@127.0.0.1');
    expect(sessionFamily('abc~xyz')).toBe('abc~xyz');
  });
});
