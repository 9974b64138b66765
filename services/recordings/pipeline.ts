// capture (pcap + rtpengine metadata) → stereo audio → Opus/WAV → encrypted
// vault file → verified → plain files deleted → index record + chain entry.
// A recording paused and resumed during the call arrives as several captures
// (rtpengine opens one per start, capture-groups.ts) and is stored as one.
//
// Layout under <dataDir>/recordings/: spool/ is rtpengine's --recording-dir
// (appliance/supervisor/rtpengine-args.ts), vault/<tenant>/<yyyy>/<mm>/<id>.krec
// the encrypted recordings, .work/ the plain intermediates.
//
// Crash safety: all plain intermediates live in <dataDir>/recordings/.work/<id>/
// (wiped at the start and end of every attempt); the vault file appears at its
// final path by an atomic rename; the capture is deleted only after the index
// record is saved. A crash at any point leaves the capture in place, and the
// next run (processSpool) converts it again; a recording already indexed is
// not converted twice (idempotent by recording id).
//
// Conversion (capture → audio file) runs on a pool of worker threads
// (converter-pool.ts), several recordings at once; encryption, the index and
// the chain stay here. A capture that fails is quarantined encrypted
// (quarantine.ts) and retried with backoff, so it neither blocks the others
// nor stays in plain text.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { AudioFormat, EncoderOptions } from './audio-encoder';
import {
  channelsFromSdps,
  decodeRecordingMetadata,
  parseRtpengineMetadata,
  type RecordingMetadata,
} from './capture-metadata';
import { recordingDiskFull, recordingIdConflict, recordingNotFound, vaultVerifyFailed } from './errors';
import { nextEntry, verifyChain, type ChainFinding } from './hash-chain';
import { checkId, type Keyring } from './keys';
import { PcapParser, readPcapFile } from './pcap-reader';
import type { ChannelSource, RecordingIndexRecord, RecordingRepository } from './recording-index';
import { DEFAULT_MAX_DURATION_MS, type ChannelMap, type TrackCut } from './stereo-track';
import type { ConvertResult } from './convert-job';
import { InlineConverter, type Converter } from './converter-pool';
import { Quarantine, type QuarantineOptions, type QuarantineState } from './quarantine';
import { eachLimited, fsyncDir, mergeMetadata, partsOf } from './pipeline-helpers';
import { groupCaptures } from './capture-groups';
import { findCaptures, type SpoolCapture, type SpoolOptions } from './spool';
import type { EncryptResult, Vault } from './vault';

export interface PipelineDeps {
  dataDir: string;
  vault: Vault;
  repo: RecordingRepository;
  log: Logger;
  format?: AudioFormat;
  encoder?: EncoderOptions;
  now?: () => Date;
  /** Used when neither call-control nor the metadata names the tenant. */
  defaultTenantId?: string;
  /** Where conversions run; default one at a time on this thread. */
  converter?: Converter;
  /** Longest recording kept; audio beyond is cut (and an alarm raised). */
  maxDurationMs?: number;
  quarantine?: QuarantineOptions;
  /** Key of the recordings chain (hash-chain.ts chainKeyFrom); without it entries are unkeyed (tests of other parts). */
  chainKey?: Buffer;
}

export interface CaptureInput {
  pcapPath: string;
  /** rtpengine's metadata file; deleted with the capture. */
  metadataPath?: string;
  /** Overrides what the metadata string says. */
  meta?: RecordingMetadata;
  /** Accept a pcap whose last record was cut (rtpengine killed mid-write). */
  allowTruncatedTail?: boolean;
  /**
   * Later captures of the same recording, in capture order: each resume after
   * a pause made rtpengine open a new one (capture-groups.ts). Stored as one
   * recording; deleted with the first.
   */
  more?: Array<{ pcapPath: string; metadataPath?: string }>;
}

export interface SpoolResult {
  stored: RecordingIndexRecord[];
  failed: Array<{ pcapPath: string; code: string; message: string }>;
  /** Recordings stored with packets or audio cut (stereo-track.ts bounds). */
  cut: Array<{ recordingId: string; tenantId: string } & TrackCut>;
  /** Captures in quarantine after this pass (failed, encrypted, retried later). */
  quarantined: Array<Pick<QuarantineState, 'qid' | 'pcapName' | 'code' | 'attempts' | 'nextAttemptAt'>>;
}

interface Stored {
  track: ConvertResult;
  enc: EncryptResult;
  /** Vault file relative to the recordings directory. */
  rel: string;
}

interface Resolved {
  recordingId: string;
  tenantId: string;
  cdrId: string | null;
  caller: string | null;
  callee: string | null;
  channels: ChannelMap | undefined;
  channelSource: ChannelSource;
  sdp: string;
  paused: NonNullable<RecordingMetadata['paused']>;
}

export class RecordingPipeline {
  /** Recording ids being converted: a second capture of one id waits for the first. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly format: AudioFormat;
  private readonly now: () => Date;
  private readonly converter: Converter;
  readonly quarantine: Quarantine;
  readonly recordingsDir: string;

  constructor(private readonly deps: PipelineDeps) {
    this.format = deps.format ?? 'opus';
    this.now = deps.now ?? (() => new Date());
    this.recordingsDir = path.join(deps.dataDir, 'recordings');
    this.converter = deps.converter ?? new InlineConverter(1);
    this.quarantine = new Quarantine(this.recordingsDir, deps.vault, deps.quarantine);
  }

  /** Converts one capture (on the converter pool; several run at once). */
  async process(input: CaptureInput): Promise<RecordingIndexRecord> {
    return (await this.processCut(input)).record;
  }

  private async processCut(input: CaptureInput): Promise<{ record: RecordingIndexRecord; cut?: TrackCut }> {
    const r = await this.resolve(input);
    for (let prev = this.inFlight.get(r.recordingId); prev; prev = this.inFlight.get(r.recordingId)) await prev.catch(() => undefined);
    const run = this.processNow(input, r);
    this.inFlight.set(r.recordingId, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(r.recordingId) === run) this.inFlight.delete(r.recordingId);
    }
  }

  private async resolve(input: CaptureInput): Promise<Resolved> {
    const metas = [];
    for (const p of partsOf(input)) if (p.metadataPath) metas.push(parseRtpengineMetadata(await readFile(p.metadataPath, 'utf8')));
    const meta = metas.length ? { sdps: metas.flatMap((m) => m.sdps) } : undefined;
    const ours = { ...mergeMetadata(metas.map((m) => decodeRecordingMetadata(m.appMetadata))), ...input.meta };
    const fromSdp = meta ? channelsFromSdps(meta.sdps) : undefined;
    let channelSource: ChannelSource = 'guessed';
    if (input.meta?.channels) channelSource = 'explicit';
    else if (ours.channels) channelSource = 'metadata';
    else if (fromSdp) channelSource = 'sdp';
    const tenantId = ours.tenantId ?? this.deps.defaultTenantId ?? 'default';
    const recordingId = ours.recordingId ?? 'r-' + createHash('sha256').update(path.basename(input.pcapPath)).digest('hex').slice(0, 24);
    return {
      recordingId: checkId('recordingId', recordingId),
      tenantId: checkId('tenantId', tenantId),
      cdrId: ours.cdrId ?? null,
      caller: ours.caller ?? null,
      callee: ours.callee ?? null,
      channels: ours.channels ?? fromSdp,
      channelSource,
      sdp: meta?.sdps.map((s) => s.sdp).join('') ?? '',
      paused: ours.paused ?? [],
    };
  }

  private async processNow(input: CaptureInput, r: Resolved): Promise<{ record: RecordingIndexRecord; cut?: TrackCut }> {
    const log = this.deps.log.child({ recordingId: r.recordingId, tenantId: r.tenantId });
    const existing = this.deps.repo.findRecording(r.recordingId);
    if (existing) {
      // Same id, different call (a call-control bug): keep the capture rather than lose it.
      if (!(await this.sameCapture(input, existing))) throw recordingIdConflict(r.recordingId, input.pcapPath);
      log.info('recording already stored, removing leftover capture');
      await this.removeCapture(input);
      return { record: existing };
    }
    if (r.channelSource === 'guessed') log.warn('no channel map for capture, left = first rtpengine port seen');
    const work = path.join(this.recordingsDir, '.work', r.recordingId);
    await rm(work, { recursive: true, force: true }); // a crashed attempt's leftovers
    await mkdir(work, { recursive: true, mode: 0o700 });
    try {
      const stored = await this.convert(input, r, work).catch((e: unknown) => {
        throw this.diskFullOr(e);
      });
      const record = this.indexRecord(r, stored);
      try {
        this.deps.repo.saveRecording(record, nextEntry(this.deps.repo.chainHead(), r.recordingId, record.sha256, this.now(), this.deps.chainKey));
      } catch (e) {
        throw this.diskFullOr(e);
      }
      const { audio, stats } = stored.track;
      log.info('recording stored', {
        durationMs: record.durationMs,
        sizeBytes: record.sizeBytes,
        compression: +(audio.pcmBytes / Math.max(1, audio.bytes)).toFixed(1),
        stats,
      });
      await this.removeCapture(input);
      const cut = stats.cut.packets || stats.cut.overMaxMs ? stats.cut : undefined;
      if (cut) log.warn('recording cut: packets outside the capture\'s time or over the maximum length', { ...cut });
      return { record, ...(cut ? { cut } : {}) };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** A full disk (or quota, or SQLite's full database) is not the capture's fault: say so, and the capture is kept. */
  private diskFullOr(e: unknown): unknown {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' ? recordingDiskFull(this.recordingsDir) : e;
  }

  /** pcap → track → audio file → vault file, verified, renamed into place. */
  private async convert(input: CaptureInput, r: Resolved, work: string): Promise<Stored> {
    const audioPath = path.join(work, this.format === 'wav' ? 'audio.wav' : 'audio.ogg');
    const track = await this.converter.run({
      pcaps: partsOf(input).map((p) => p.pcapPath),
      allowTruncatedTail: input.allowTruncatedTail ?? false,
      channels: r.channels,
      sdp: r.sdp,
      paused: r.paused,
      format: this.format,
      encoder: this.deps.encoder ?? {},
      maxDurationMs: this.deps.maxDurationMs ?? DEFAULT_MAX_DURATION_MS,
      audioPath,
    });
    const encPath = path.join(work, `${r.recordingId}.krec`);
    const enc = await this.deps.vault.encryptFile(audioPath, encPath, r.tenantId);
    if ((await this.deps.vault.plainSha256(encPath)) !== enc.plainSha256) throw vaultVerifyFailed(encPath);
    const started = new Date(track.startUs / 1000);
    const month = String(started.getUTCMonth() + 1).padStart(2, '0');
    const rel = path.join('vault', r.tenantId, String(started.getUTCFullYear()), month, `${r.recordingId}.krec`);
    const finalPath = path.join(this.recordingsDir, rel);
    await mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
    await rename(encPath, finalPath);
    await fsyncDir(path.dirname(finalPath));
    return { track, enc, rel };
  }

  private indexRecord(r: Resolved, { track, enc, rel }: Stored): RecordingIndexRecord {
    const { audio } = track;
    return {
      recordingId: r.recordingId,
      cdrId: r.cdrId,
      tenantId: r.tenantId,
      caller: r.caller,
      callee: r.callee,
      startedAt: new Date(track.startUs / 1000).toISOString(),
      durationMs: Math.round(track.durationMs),
      sizeBytes: enc.size,
      plainBytes: enc.plainLength,
      codec: audio.codec,
      mediaType: audio.mediaType,
      keyId: enc.tenantKeyId,
      sha256: enc.fileSha256,
      legalHold: false,
      path: rel,
      channelSource: r.channelSource,
      pausedSpans: track.pausedSpans,
      createdAt: this.now().toISOString(),
    };
  }

  /**
   * After a tenant key rotation: re-wraps the recording's data key under the
   * tenant's active key and records the new file hash in the index and chain.
   * Running it again after a crash completes the index update.
   */
  async rewrapRecording(recordingId: string): Promise<boolean> {
    const rec = this.deps.repo.findRecording(recordingId);
    if (!rec) throw recordingNotFound(recordingId);
    const r = await this.deps.vault.rewrap(path.join(this.recordingsDir, rec.path));
    if (rec.keyId === r.tenantKeyId && rec.sha256 === r.fileSha256) return false;
    const change = { keyId: r.tenantKeyId, sha256: r.fileSha256, sizeBytes: r.size };
    this.deps.repo.updateRecordingFile(recordingId, change, nextEntry(this.deps.repo.chainHead(), recordingId, r.fileSha256, this.now(), this.deps.chainKey));
    return true;
  }

  /**
   * Tenant key rotation end to end: a new active key, every recording's data
   * key re-wrapped under it, then old keys no recording uses are deleted.
   * Resumable: run it again after a crash and it finishes the job.
   */
  async rotateTenantKey(tenantId: string, keyring: Keyring): Promise<{ keyId: string; rewrapped: number; retired: string[] }> {
    const keyId = keyring.rotateTenantKey(tenantId);
    let rewrapped = 0;
    for (const r of this.deps.repo.recordingKeys(tenantId)) {
      if (r.keyId !== keyId && (await this.rewrapRecording(r.recordingId))) rewrapped++;
    }
    const inUse = new Set(this.deps.repo.recordingKeys(tenantId).map((r) => r.keyId));
    // A quarantined capture still needs the key it was encrypted under.
    for (const q of await this.quarantine.list()) if (q.tenantId === tenantId) q.keyIds.forEach((id) => inUse.add(id));
    const retired = keyring.retireTenantKeys(tenantId, (id) => inUse.has(id));
    this.deps.log.info('tenant key rotated', { tenantId, keyId, rewrapped, retired: retired.length });
    return { keyId, rewrapped, retired };
  }

  /** The hash chain and every stored file, for `korobka doctor`. */
  async verifyStore(): Promise<ChainFinding[]> {
    return verifyChain(this.deps.repo.chainEntries(), async (e) => {
      const rec = this.deps.repo.findRecording(e.recordingId);
      const file = rec ? path.join(this.recordingsDir, rec.path) : undefined;
      return file && existsSync(file) ? createReadStream(file, { highWaterMark: 1 << 20 }) : null;
    }, this.deps.chainKey);
  }

  /** Whether the capture's first packet falls at the stored recording's start (±5 s). */
  private async sameCapture(input: CaptureInput, existing: RecordingIndexRecord): Promise<boolean> {
    const parser = new PcapParser({ allowTruncatedTail: true });
    for await (const d of readPcapFile(input.pcapPath, parser)) {
      return Math.abs(d.timeUs / 1000 - Date.parse(existing.startedAt)) < 5000;
    }
    return false;
  }

  private async removeCapture(input: CaptureInput): Promise<void> {
    for (const p of partsOf(input)) {
      await rm(p.pcapPath, { force: true });
      if (p.metadataPath) await rm(p.metadataPath, { force: true });
    }
  }

  /**
   * Converts every finished capture in rtpengine's `--recording-dir`, then the
   * orphans of a dead rtpengine (spool.ts), then the quarantined captures due
   * for another attempt; as many at once as the converter runs. An orphan's
   * metadata string was never written (rtpengine writes it at the end), so
   * `metaForCall` lets the caller supply what call-control stored when
   * recording started. A capture that fails is quarantined; one that fails
   * for want of disk space stays where it is for the next pass.
   */
  async processSpool(
    recordingDir: string,
    opts: SpoolOptions & { metaForCall?: (callId: string) => RecordingMetadata | undefined } = {},
  ): Promise<SpoolResult> {
    const out: SpoolResult = { stored: [], failed: [], cut: [], quarantined: [] };
    const found = await findCaptures(recordingDir, opts);
    for (const c of found.filter((f) => f.problem)) out.failed.push({ pcapPath: c.pcapPath, code: c.problem!.code, message: c.problem!.message });
    const { ready } = await groupCaptures(found.filter((f) => !f.problem && !f.orphan && existsSync(f.pcapPath)), recordingDir, opts);
    const inputs: Array<{ c: SpoolCapture; input: CaptureInput }> = [];
    for (const g of ready) {
      const [first, ...more] = g.parts;
      if (!first) continue;
      const input: CaptureInput = { ...first, meta: opts.metaForCall?.(g.callId), allowTruncatedTail: false, ...(more.length ? { more } : {}) };
      inputs.push({ c: { ...first, callId: g.callId, orphan: false }, input });
    }
    for (const c of found.filter((f) => !f.problem && (f.orphan || !existsSync(f.pcapPath)))) {
      inputs.push({ c, input: { pcapPath: c.pcapPath, metadataPath: c.metadataPath, meta: opts.metaForCall?.(c.callId), allowTruncatedTail: c.orphan } });
    }
    let diskFull = false;
    const one = async ({ c, input }: { c: SpoolCapture; input: CaptureInput }) => {
      if (diskFull) return; // the rest would fail alike; their captures stay for the next run
      if (!existsSync(c.pcapPath)) {
        // The pcap went away with our last run (converted, then crashed before this file was removed).
        if (this.deps.repo.findRecording((await this.resolve(input)).recordingId)) await rm(c.metadataPath, { force: true });
        else out.failed.push({ pcapPath: c.pcapPath, code: 'recording-capture-missing', message: `${path.basename(c.metadataPath)}: its pcap is gone` });
        return;
      }
      if (c.orphan) this.deps.log.warn('converting capture left by a dead rtpengine', { callId: c.callId });
      try {
        this.stored(out, await this.processCut(input));
      } catch (e) {
        // Any failure, ours or the capture's, quarantines only this capture; the others go on.
        const failure = { code: isAppError(e) ? e.code : 'recording-conversion-failed', message: (e as Error).message };
        this.deps.log.error('recording conversion failed', { pcapPath: c.pcapPath, code: failure.code, err: e });
        out.failed.push({ pcapPath: c.pcapPath, ...failure });
        if (failure.code === 'recording-disk-full') diskFull = true;
        else await this.toQuarantine(input, failure);
      }
    };
    await eachLimited(inputs, this.converter.size, one);
    if (!diskFull) await eachLimited(await this.quarantine.due(this.now()), this.converter.size, (q) => this.retryQuarantined(q, out));
    out.quarantined = (await this.quarantine.list()).map(({ qid, pcapName, code, attempts, nextAttemptAt }) => ({ qid, pcapName, code, attempts, nextAttemptAt }));
    return out;
  }

  private stored(out: SpoolResult, { record, cut }: { record: RecordingIndexRecord; cut?: TrackCut }): void {
    out.stored.push(record);
    if (cut) out.cut.push({ recordingId: record.recordingId, tenantId: record.tenantId, ...cut });
  }

  /** Encrypts a failed capture into the quarantine and deletes its plain files. */
  private async toQuarantine(input: CaptureInput, e: { code: string; message: string }): Promise<void> {
    let tenantId = this.deps.defaultTenantId ?? 'default';
    try {
      tenantId = (await this.resolve(input)).tenantId;
    } catch {
      // unreadable metadata: the default tenant's key
    }
    try {
      const q = await this.quarantine.put(partsOf(input), {
        tenantId,
        ...(input.meta ? { meta: input.meta } : {}),
        allowTruncatedTail: input.allowTruncatedTail ?? false,
        code: e.code,
        message: e.message,
        now: this.now(),
        work: path.join(this.recordingsDir, '.work'),
      });
      this.deps.log.warn('capture quarantined encrypted, will be retried', { qid: q.qid, pcap: q.pcapName, code: e.code, nextAttemptAt: q.nextAttemptAt });
    } catch (err) {
      // Left in the spool as before; the next pass tries again.
      this.deps.log.error('cannot quarantine a failed capture', { pcapPath: input.pcapPath, err });
    }
  }

  /** One more attempt at a quarantined capture, from a plain copy in the work directory. */
  private async retryQuarantined(q: QuarantineState, out: SpoolResult): Promise<void> {
    const work = path.join(this.recordingsDir, '.work', q.qid);
    try {
      const restored = await this.quarantine.restore(q, work);
      const [first, ...more] = restored.parts;
      if (!first) throw recordingNotFound(q.qid);
      const input: CaptureInput = { ...first, allowTruncatedTail: restored.allowTruncatedTail, ...(restored.meta ? { meta: restored.meta } : {}), ...(more.length ? { more } : {}) };
      this.stored(out, await this.processCut(input));
      await this.quarantine.remove(q);
      this.deps.log.info('quarantined capture converted', { qid: q.qid, attempts: q.attempts + 1 });
    } catch (e) {
      const code = isAppError(e) ? e.code : 'recording-conversion-failed';
      const message = (e as Error).message;
      const next = await this.quarantine.failedAgain(q, code, message, this.now());
      this.deps.log.error('quarantined capture failed again', { qid: q.qid, code, attempts: next.attempts, nextAttemptAt: next.nextAttemptAt });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
