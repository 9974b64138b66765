import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { encodeRecordingMetadata } from '../../services/recordings/capture-metadata';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { Vault } from '../../services/recordings/vault';
import type { AudioFormat } from '../../services/recordings/audio-encoder';
import { callPackets, CALLEE, CALLER, channel, decodeAudio } from './call-builder';
import { MemoryRecordingRepository } from './memory-recording-repository';
import { buildPcap, goertzel, rtpPacket } from './pcap-builder';

function setup(format: AudioFormat = 'opus') {
  const root = mkdtempSync(path.join(tmpdir(), 'pipe-'));
  const dataDir = path.join(root, 'data');
  const spool = path.join(root, 'spool');
  for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(spool, d), { recursive: true });
  const keyring = openKeyring({ dataDir });
  const vault = new Vault(keyring);
  const repo = new MemoryRecordingRepository();
  const pipeline = new RecordingPipeline({ dataDir, vault, repo, log: silentLogger, format });
  return { root, dataDir, spool, keyring, vault, repo, pipeline };
}

/** Writes a capture as rtpengine would: pcaps/<call>.pcap and metadata/rtpengine-meta-<call>.txt. */
function capture(spool: string, call: string, pcap: Buffer, metadata: string) {
  const pcapPath = path.join(spool, 'pcaps', `${call}.pcap`);
  writeFileSync(pcapPath, pcap);
  const metadataPath = path.join(spool, 'metadata', `rtpengine-meta-${call}.txt`);
  writeFileSync(metadataPath, `${pcapPath}\n\n\nTimestamp terminated ms(first monologue): 0.000\n\ncall start time: x\ncall end time: y\n\n\n${metadata}\n`);
  return { pcapPath, metadataPath };
}

const meta = (rec: string) =>
  encodeRecordingMetadata({ recordingId: rec, tenantId: 'bank', cdrId: 'cdr-1', caller: '+74951234567', callee: '204', channels: { left: [CALLER.dst], right: [CALLEE.dst] } });

/** The first quarantined capture's pcap, decrypted into memory. */
async function quarantinedPcap(w: ReturnType<typeof setup>): Promise<Buffer> {
  const [q] = await w.pipeline.quarantine.list();
  const chunks: Buffer[] = [];
  for await (const c of w.vault.decrypt(path.join(w.pipeline.quarantine.dir, q!.qid, q!.parts[0]!.pcap))) chunks.push(c);
  return Buffer.concat(chunks);
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe('recording pipeline', () => {
  for (const format of ['opus', 'wav'] as const) {
    it(`turns a capture into an encrypted ${format} recording and removes every plain file`, async () => {
      const w = setup(format);
      const t0 = Date.UTC(2026, 10, 22, 10, 0, 0) * 1000;
      capture(w.spool, 'call-1', buildPcap(callPackets(3, t0)), meta('rec-1'));
      const res = await w.pipeline.processSpool(w.spool);
      expect(res.failed).toEqual([]);
      const rec = res.stored[0];
      expect(rec).toMatchObject({
        recordingId: 'rec-1',
        tenantId: 'bank',
        cdrId: 'cdr-1',
        caller: '+74951234567',
        callee: '204',
        startedAt: '2026-11-22T10:00:00.000Z',
        durationMs: 3003,
        codec: format === 'wav' ? 'pcm-s16le' : 'opus',
        legalHold: false,
        channelSource: 'metadata',
        path: path.join('vault', 'bank', '2026', '11', 'rec-1.krec'),
      });
      expect(w.repo.chain).toHaveLength(1);
      expect(w.repo.chain[0]).toMatchObject({ recordingId: 'rec-1', fileSha256: rec?.sha256 });
      // nothing plain left: only the vault file under recordings/, spool empty
      expect(files(w.spool)).toEqual([]);
      expect(files(path.join(w.dataDir, 'recordings'))).toEqual([rec?.path]);
      const file = path.join(w.pipeline.recordingsDir, rec?.path ?? '');
      const plain = await w.vault.decryptRange(file, 0, rec?.plainBytes ?? 0);
      const out = path.join(w.root, format === 'wav' ? 'check.wav' : 'check.ogg');
      writeFileSync(out, plain);
      const pcm = decodeAudio(out);
      expect(Math.abs(pcm.length / 2 / 8 - 3003)).toBeLessThan(25);
      const l = channel(pcm, 0, 800, 23_000);
      const r = channel(pcm, 1, 800, 23_000);
      expect(goertzel(l, 440)).toBeGreaterThan(50 * goertzel(l, 880));
      expect(goertzel(r, 880)).toBeGreaterThan(50 * goertzel(r, 440));
      expect(await w.pipeline.verifyStore()).toEqual([]);
    });
  }

  it('takes channels from the SDPs when the metadata string has none', async () => {
    const w = setup('wav');
    const { metadataPath } = capture(w.spool, 'c', buildPcap(callPackets(1)), 'korobka=1|rec=r2|tenant=bank');
    const sdp = (port: number) => `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n`;
    const body = `${path.join(w.spool, 'pcaps', 'c.pcap')}\n\n\nSDP mode: offer\nSDP before RTP packet: 1\n\n${sdp(30000)}\nSDP mode: answer\nSDP before RTP packet: 1\n\n${sdp(30002)}\ncall start time: x\ncall end time: y\n\nkorobka=1|rec=r2|tenant=bank\n`;
    writeFileSync(metadataPath, body);
    const [rec] = (await w.pipeline.processSpool(w.spool)).stored;
    expect(rec?.channelSource).toBe('sdp');
    const out = path.join(w.root, 'x.wav');
    writeFileSync(out, await w.vault.decryptRange(path.join(w.pipeline.recordingsDir, rec?.path ?? ''), 0, rec?.plainBytes ?? 0));
    const pcm = decodeAudio(out);
    expect(goertzel(channel(pcm, 0, 100, 7000), 440)).toBeGreaterThan(50 * goertzel(channel(pcm, 0, 100, 7000), 880));
  });

  it('picks up a capture left by a crash before the index write, and does not convert twice', async () => {
    const w = setup('wav');
    const c = capture(w.spool, 'call-2', buildPcap(callPackets(1)), meta('rec-2'));
    mkdirSync(path.join(w.dataDir, 'recordings', '.work', 'rec-2'), { recursive: true });
    writeFileSync(path.join(w.dataDir, 'recordings', '.work', 'rec-2', 'audio.wav'), 'half-written audio of a crashed run');
    w.repo.failNextSave = true;
    await expect(w.pipeline.process(c)).rejects.toThrow('simulated crash');
    expect(existsSync(c.pcapPath)).toBe(true); // the capture survives
    expect(existsSync(path.join(w.dataDir, 'recordings', '.work', 'rec-2'))).toBe(false);
    const again = await w.pipeline.processSpool(w.spool);
    expect(again.stored.map((r) => r.recordingId)).toEqual(['rec-2']);
    expect(w.repo.chain).toHaveLength(1);
    expect(files(w.spool)).toEqual([]);
    // a capture that reappears (crash after the index write) is only cleaned up
    capture(w.spool, 'call-2', buildPcap(callPackets(1)), meta('rec-2'));
    const third = await w.pipeline.processSpool(w.spool);
    expect(third.stored[0]).toEqual(again.stored[0]);
    expect(w.repo.chain).toHaveLength(1);
    expect(files(w.spool)).toEqual([]);
  });

  it('converts an orphan of a dead rtpengine: cut pcap, no metadata string, meta from call-control', async () => {
    const w = setup('wav');
    const full = buildPcap(callPackets(2));
    const pcapPath = path.join(w.spool, 'pcaps', 'dead-call-0123456789abcdef.pcap');
    writeFileSync(pcapPath, full.subarray(0, 8192)); // stdio buffer boundary, mid-record
    const tmpMeta = path.join(w.spool, 'tmp', 'rtpengine-meta-dead-call-0123456789abcdef.tmp');
    writeFileSync(tmpMeta, `${pcapPath}


`);
    const res = await w.pipeline.processSpool(w.spool, {
      orphanIdleMs: 0,
      metaForCall: (callId) => (callId === 'dead-call' ? { recordingId: 'rec-dead', tenantId: 'bank', channels: { left: [CALLER.dst], right: [CALLEE.dst] } } : undefined),
    });
    expect(res.failed).toEqual([]);
    expect(res.stored[0]).toMatchObject({ recordingId: 'rec-dead', tenantId: 'bank', channelSource: 'explicit' });
    expect(res.stored[0]?.durationMs).toBeGreaterThan(300);
    expect(files(w.spool)).toEqual([]);
  });

  it('keeps a capture whose recording id is already used by another call (encrypted, in quarantine)', async () => {
    const w = setup('wav');
    capture(w.spool, 'first', buildPcap(callPackets(1, 1_800_000_000_000_000)), meta('dup'));
    await w.pipeline.processSpool(w.spool);
    const pcap = buildPcap(callPackets(1, 1_800_000_600_000_000)); // 10 min later
    const c = capture(w.spool, 'second', pcap, meta('dup'));
    const res = await w.pipeline.processSpool(w.spool);
    expect(res.failed).toEqual([{ pcapPath: c.pcapPath, code: 'recording-id-conflict', message: expect.stringContaining('dup') }]);
    expect(existsSync(c.pcapPath)).toBe(false);
    expect(res.quarantined).toEqual([expect.objectContaining({ pcapName: 'second.pcap', code: 'recording-id-conflict', attempts: 1 })]);
    expect(await quarantinedPcap(w)).toEqual(pcap);
  });

  it('refuses a G.729 capture with codec-not-supported and keeps it (encrypted, in quarantine)', async () => {
    const w = setup();
    const g729 = rtpPacket({ payloadType: 18, sequence: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(20) });
    const pcap = buildPcap([{ timeUs: 1e15, src: CALLER.src, dst: CALLER.dst, payload: g729 }]);
    const c = capture(w.spool, 'g729', pcap, meta('rec-3'));
    const res = await w.pipeline.processSpool(w.spool);
    expect(res.stored).toEqual([]);
    expect(res.failed).toEqual([{ pcapPath: c.pcapPath, code: 'codec-not-supported', message: expect.stringContaining('G729/8000') }]);
    expect(existsSync(c.pcapPath)).toBe(false);
    expect(w.repo.records.size).toBe(0);
    // Nothing in the vault; the capture only as encrypted quarantine files and their plain state.
    expect(files(path.join(w.dataDir, 'recordings')).map((f) => path.basename(f)).sort()).toEqual(['part-0.meta.krec', 'part-0.pcap.krec', 'state.json']);
    expect(await quarantinedPcap(w)).toEqual(pcap);
  });

  it('reports a foreign file and a metadata file pointing outside the spool', async () => {
    const w = setup();
    capture(w.spool, 'junk', Buffer.from('this is not a pcap at all, just text'), meta('rec-4'));
    writeFileSync(path.join(w.spool, 'metadata', 'rtpengine-meta-evil.txt'), '/etc/passwd\n\ncall end time: y\n\nkorobka=1|rec=e\n');
    const res = await w.pipeline.processSpool(w.spool);
    expect(res.failed.map((f) => f.code).sort()).toEqual(['pcap-not-pcap', 'recording-metadata-invalid']);
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('rejects a recording id that would escape the recordings directory', async () => {
    const w = setup();
    const c = capture(w.spool, 'bad', buildPcap(callPackets(1)), 'korobka=1|rec=..%2F..%2Fx|tenant=bank');
    await expect(w.pipeline.process(c)).rejects.toMatchObject({ code: 'validation-failed' });
    expect(existsSync(c.pcapPath)).toBe(true);
  });

  it('re-wraps after a tenant key rotation, keeps audio readable and the chain intact; detects tampering', async () => {
    const w = setup('wav');
    capture(w.spool, 'call-5', buildPcap(callPackets(1)), meta('rec-5'));
    const [rec] = (await w.pipeline.processSpool(w.spool)).stored;
    const file = path.join(w.pipeline.recordingsDir, rec?.path ?? '');
    const before = await w.vault.decryptRange(file, 0, rec?.plainBytes ?? 0);
    const newKey = w.keyring.rotateTenantKey('bank');
    expect(await w.pipeline.rewrapRecording('rec-5')).toBe(true);
    expect(w.repo.findRecording('rec-5')?.keyId).toBe(newKey);
    expect(await w.pipeline.rewrapRecording('rec-5')).toBe(false);
    expect(await w.vault.decryptRange(file, 0, rec?.plainBytes ?? 0)).toEqual(before);
    expect(await w.pipeline.verifyStore()).toEqual([]);
    writeFileSync(file, Buffer.concat([before.subarray(0, 10)]));
    expect((await w.pipeline.verifyStore()).map((f) => f.kind)).toEqual(['recording-file-changed']);
    rmSync(file);
    expect((await w.pipeline.verifyStore()).map((f) => f.kind)).toEqual(['recording-file-missing']);
    await expect(w.pipeline.rewrapRecording('nope')).rejects.toMatchObject({ code: 'recording-not-found' });
  });

  it('rotates a tenant key across all its recordings and retires the old key', async () => {
    const w = setup('wav');
    for (const n of [1, 2]) capture(w.spool, `call-r${n}`, buildPcap(callPackets(1)), meta(`rec-r${n}`));
    const stored = (await w.pipeline.processSpool(w.spool)).stored;
    const oldKey = stored[0]?.keyId;
    const plain = await Promise.all(stored.map((r) => w.vault.decryptRange(path.join(w.pipeline.recordingsDir, r.path), 0, r.plainBytes)));
    const res = await w.pipeline.rotateTenantKey('bank', w.keyring);
    expect(res).toEqual({ keyId: expect.stringMatching(/^tk-/), rewrapped: 2, retired: [oldKey] });
    expect(() => w.keyring.tenantKey('bank', oldKey ?? '')).toThrowError(expect.objectContaining({ code: 'key-not-found' }));
    for (const [i, r] of stored.entries()) {
      expect(w.repo.findRecording(r.recordingId)?.keyId).toBe(res.keyId);
      expect(await w.vault.decryptRange(path.join(w.pipeline.recordingsDir, r.path), 0, r.plainBytes)).toEqual(plain[i]);
    }
    expect(w.repo.chain).toHaveLength(4);
    expect(await w.pipeline.verifyStore()).toEqual([]);
  });
});
