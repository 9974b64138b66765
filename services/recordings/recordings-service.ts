// The recordings process's work loop: convert what rtpengine captured (at
// start and every sweepIntervalMs, orphans of a dead rtpengine included),
// watch the disk and each tenant's quota, purge expired recordings once a day.
//
// Disk full: conversion is tried even on a nearly full disk, because a stored
// Opus file is ~8x smaller than its G.711 capture, so converting frees space.
// When writing fails with ENOSPC the capture is KEPT (never deleted) and the
// critical alarm `recordings-disk-full` is raised; canRecord() then refuses
// new recordings, so the spool can only shrink while calls go on unrecorded.
// A capture is the only copy of audio the box accepted; deleting it to make
// room would lose a recording silently to the business, which is worse than
// an alarm an admin acts on. The next sweep after space is freed stores it.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { Store } from '../store';
import { nextEntry } from './hash-chain';
import type { RecordingPipeline, SpoolResult } from './pipeline';
import { ALARM_CONVERSION, ALARM_DISK_FULL, ALARM_DISK_HIGH, ALARM_QUOTA, ALARM_TRACK_CUT, canRecord, diskUsage, type DiskUsage } from './recording-gate';
import { findCaptures, spoolDirOf } from './spool';

export type RecordingsSettings = Config['recordings'];

export interface RecordingsServiceDeps {
  settings: RecordingsSettings;
  dataDir: string;
  store: Pick<Store, 'recordings' | 'alarms' | 'audit'>;
  pipeline: Pick<RecordingPipeline, 'processSpool' | 'recordingsDir'>;
  log: Logger;
  now?: () => Date;
  diskUsage?: (dir: string) => DiskUsage;
  /** The converter pool, for health: how many conversions run at once and whether on worker threads. */
  converters?: { size: number; workerThreads: boolean };
  /** Asked before a capture in tmp/ is converted as an orphan; without it only idleness counts. */
  isCallLive?: (callId: string) => Promise<boolean>;
  /** Whether a CDR is still in progress: a paused recording of an open call waits for its resume. */
  isCdrOpen?: (cdrId: string) => boolean;
  /** Key of the recordings chain, for the removal entries retention writes. */
  chainKey?: Buffer;
}

export interface SweepReport {
  stored: number;
  failed: SpoolResult['failed'];
  cut: SpoolResult['cut'];
  quarantined: SpoolResult['quarantined'];
  purged: string[];
  disk: DiskUsage;
}

const SOURCE = 'recordings';

export class RecordingsService {
  private readonly now: () => Date;
  private readonly usage: (dir: string) => DiskUsage;
  private running: Promise<SweepReport> | undefined;
  private lastRun: string | null = null;
  private lastPurgeDay: string | null = null;
  private lastPurge: string | null = null;
  private lastError: string | null = null;
  private queue = 0;
  private storedTotal = 0;
  private diskFullSeen = false;
  private quarantined = 0;

  constructor(private readonly deps: RecordingsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.usage = deps.diskUsage ?? diskUsage;
  }

  /** One pass; concurrent calls share the pass in progress. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepNow().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepNow(): Promise<SweepReport> {
    const spool = spoolDirOf(this.deps.dataDir);
    const result: SpoolResult = existsSync(spool)
      ? await this.deps.pipeline.processSpool(spool, {
          orphanIdleMs: this.deps.settings.orphanIdleMs,
          now: () => this.now().getTime(),
          ...(this.deps.isCallLive ? { isCallLive: this.deps.isCallLive } : {}),
          ...(this.deps.isCdrOpen ? { isCdrOpen: this.deps.isCdrOpen } : {}),
        })
      : { stored: [], failed: [], cut: [], quarantined: [] };
    this.storedTotal += result.stored.length;
    this.quarantined = result.quarantined.length;
    this.diskFullSeen = result.failed.some((f) => f.code === 'recording-disk-full');
    this.conversionAlarm(result);
    this.cutAlarm(result.cut);
    const purged = this.purgeDue() ? await this.purge() : [];
    const disk = this.checkDisk();
    this.checkQuotas();
    this.queue = existsSync(spool) ? await this.countWaiting(spool) : 0;
    this.lastRun = this.now().toISOString();
    this.lastError = null;
    if (result.stored.length || result.failed.length || purged.length) {
      this.deps.log.info('recordings sweep', { stored: result.stored.length, failed: result.failed.length, purged: purged.length, queue: this.queue });
    }
    return { stored: result.stored.length, failed: result.failed, cut: result.cut, quarantined: result.quarantined, purged, disk };
  }

  /** Captures the next pass would take: finished ones and orphans (not calls in progress). */
  private async countWaiting(spool: string): Promise<number> {
    return (await findCaptures(spool, { orphanIdleMs: this.deps.settings.orphanIdleMs, now: () => this.now().getTime() })).length;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Sweeps and records a crash of the pass in health instead of throwing. */
  async tick(): Promise<void> {
    try {
      await this.sweep();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.deps.log.error('recordings sweep failed', { err: e });
    }
  }

  /** Raised while captures wait in quarantine (or failed this pass); cleared when none do. */
  private conversionAlarm({ failed, quarantined }: SpoolResult): void {
    const other = failed.filter((f) => f.code !== 'recording-disk-full');
    if (other.length === 0 && quarantined.length === 0) {
      this.deps.store.alarms.clear(ALARM_CONVERSION, null, this.now());
      return;
    }
    this.deps.store.alarms.raise(
      {
        code: ALARM_CONVERSION,
        severity: 'warning',
        tenantId: null,
        source: SOURCE,
        message: `${quarantined.length} capture(s) could not be converted; kept encrypted in quarantine and retried with backoff`,
        details: {
          failed: other.slice(0, 20).map((f) => ({ pcap: path.basename(f.pcapPath), code: f.code })),
          quarantined: quarantined.slice(0, 20),
        },
      },
      this.now(),
    );
  }

  /**
   * A recording stored with packets dropped or audio cut (stereo-track.ts
   * bounds: a crafted or broken stream): one alarm per tenant, refreshed with
   * the latest ones; an admin clears it after looking.
   */
  private cutAlarm(cut: SpoolResult['cut']): void {
    const byTenant = new Map<string, SpoolResult['cut']>();
    for (const c of cut) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
    for (const [tenant, list] of byTenant) {
      const tenantId = Number(tenant);
      this.deps.store.alarms.raise(
        {
          code: ALARM_TRACK_CUT,
          severity: 'warning',
          tenantId: Number.isInteger(tenantId) ? tenantId : null,
          source: SOURCE,
          message: `${list.length} recording(s) stored with RTP packets outside the call's time dropped or audio over the maximum length cut`,
          details: { recordings: list.slice(0, 20) },
        },
        this.now(),
      );
      this.deps.log.warn('recordings cut', { tenantId: tenant, recordings: list.map((c) => c.recordingId) });
    }
  }

  /** Raises or clears the disk alarms; returns the usage. */
  checkDisk(): DiskUsage {
    const dir = existsSync(this.deps.pipeline.recordingsDir) ? this.deps.pipeline.recordingsDir : this.deps.dataDir;
    const d = this.usage(dir);
    const { diskAlarmPercent, diskStopPercent } = this.deps.settings;
    const alarms = this.deps.store.alarms;
    const now = this.now();
    const details = { usedPercent: d.usedPercent, freeBytes: d.freeBytes };
    if (d.usedPercent >= diskAlarmPercent) {
      alarms.raise({ code: ALARM_DISK_HIGH, severity: 'warning', tenantId: null, source: SOURCE, message: `recordings disk ${d.usedPercent}% used (alarm at ${diskAlarmPercent}%)`, details }, now);
    } else alarms.clear(ALARM_DISK_HIGH, null, now);
    if (this.diskFullSeen || d.usedPercent >= diskStopPercent) {
      const why = this.diskFullSeen ? 'a recording could not be written (no space left)' : `disk ${d.usedPercent}% used (stop at ${diskStopPercent}%)`;
      const raised = alarms.raise({ code: ALARM_DISK_FULL, severity: 'critical', tenantId: null, source: SOURCE, message: `new recordings are refused: ${why}; calls go on unrecorded`, details }, now);
      if (raised) this.deps.log.error('recordings disk full, new recordings refused', details);
    } else if (alarms.clear(ALARM_DISK_FULL, null, now)) this.deps.log.info('recordings disk has room again', details);
    return d;
  }

  checkQuotas(): void {
    const usage = this.deps.store.recordings.usageByTenant();
    const alarms = this.deps.store.alarms;
    const flagged = new Set(alarms.list({ active: true }).rows.filter((a) => a.code === ALARM_QUOTA).map((a) => a.tenantId ?? 0));
    for (const tenantId of new Set([...usage.keys(), ...flagged])) {
      const quota = this.deps.store.recordings.tenantSettings(tenantId).quotaBytes;
      const used = usage.get(tenantId) ?? 0;
      if (quota !== null && used >= quota) {
        alarms.raise(
          { code: ALARM_QUOTA, severity: 'warning', tenantId, source: SOURCE, message: `recordings use ${used} of the tenant's ${quota} bytes; new recordings are refused`, details: { used, quota } },
          this.now(),
        );
      } else alarms.clear(ALARM_QUOTA, tenantId, this.now());
    }
  }

  canRecord(tenantId: number) {
    return canRecord({ enabled: this.deps.settings.enabled, alarms: this.deps.store.alarms }, tenantId);
  }

  private purgeDue(): boolean {
    const now = this.now();
    const day = `${now.getFullYear()}-${now.getMonth() + 1}-${now.getDate()}`;
    if (now.getHours() < this.deps.settings.purgeHour || this.lastPurgeDay === day) return false;
    this.lastPurgeDay = day;
    return true;
  }

  /**
   * Removes every recording past its tenant's retention that is not under
   * legal hold: a chain entry for the deliberate removal and the row go in one
   * transaction, then the file, then an audit row.
   */
  async purge(): Promise<string[]> {
    const removed: string[] = [];
    const now = this.now();
    const { recordings, audit } = this.deps.store;
    for (;;) {
      const batch = recordings.expired(now, this.deps.settings.retentionDays, 500).filter((r) => !removed.includes(r.recordingId));
      if (batch.length === 0) break;
      for (const rec of batch) {
        try {
          recordings.removeRecording(rec.recordingId, nextEntry(recordings.chainHead(), rec.recordingId, null, now, this.deps.chainKey));
        } catch (e) {
          // put under legal hold by the api since the query: keep it
          if ((e as { code?: string }).code === 'recording-legal-hold') continue;
          throw e;
        }
        await rm(path.join(this.deps.pipeline.recordingsDir, rec.path), { force: true });
        audit.append({ actorId: null, actor: 'recordings-service', tenantId: Number(rec.tenantId), action: 'recording.deleted', target: rec.recordingId, details: { reason: 'retention', startedAt: rec.startedAt } }, now);
        removed.push(rec.recordingId);
      }
      if (batch.length < 500) break;
    }
    const leftovers = await this.removeLeftovers();
    this.lastPurge = now.toISOString();
    if (removed.length || leftovers) this.deps.log.info('recordings purged by retention', { removed: removed.length, leftovers });
    return removed;
  }

  /**
   * Files whose removal the chain already records but which are still on
   * disk (a crash between the index transaction and the unlink): retention
   * must not leave audio behind. A file the chain knows nothing of is left
   * for `korobka doctor` and a human.
   */
  private async removeLeftovers(): Promise<number> {
    const vaultDir = path.join(this.deps.pipeline.recordingsDir, 'vault');
    if (!existsSync(vaultDir)) return 0;
    let n = 0;
    for (const d of await readdir(vaultDir, { recursive: true, withFileTypes: true })) {
      if (!d.isFile() || !d.name.endsWith('.krec')) continue;
      const id = d.name.slice(0, -'.krec'.length);
      if (this.deps.store.recordings.findRecording(id) || !this.deps.store.recordings.removedOnPurpose(id)) continue;
      await rm(path.join(d.parentPath, d.name), { force: true });
      n++;
    }
    return n;
  }

  health() {
    const active = this.deps.store.alarms.list({ active: true }).rows.filter((a) => a.source === SOURCE);
    return {
      ok: this.lastError === null,
      queue: this.queue,
      stored: this.storedTotal,
      lastRun: this.lastRun,
      lastPurge: this.lastPurge,
      lastError: this.lastError,
      quarantined: this.quarantined,
      converters: this.deps.converters?.size ?? 1,
      workerThreads: this.deps.converters?.workerThreads ?? false,
      alarms: active.map((a) => ({ code: a.code, severity: a.severity, tenantId: a.tenantId })),
    };
  }
}
