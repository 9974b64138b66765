// How call-control writes CDRs (issue 16 item 14): batched commits off the
// SIP loop's hot path (cdr-batch-sink.ts) that wait at most BUSY_MS for the
// database's write lock instead of SQLite's 5 s, a durable spill for what the
// database refuses (cdr-spill.ts), replayed before recovery at start and by
// timer, and a disk reserve released when the disk is full so that sign-in,
// alarms and CDRs still have room (services/store/disk-reserve.ts).
import path from 'node:path';
import type { Logger } from '../../common/logger';
import { DiskReserve, withBusyTimeout, type Store } from '../../store';
import { CdrBatchSink } from './cdr-batch-sink';
import { CdrSpill } from './cdr-spill';

/** Longest a CDR commit waits for another process's write lock, on the SIP loop. */
export const BUSY_MS = 25;
/** Longest any other write of call-control waits (registrations, live calls); SQLite's default is 5 s. */
export const SIP_LOOP_BUSY_MS = 250;
export const ALARM_DATA_DISK_FULL = 'data-disk-full';
export const ALARM_CDR_SPILLED = 'cdr-writes-spilled';
const SOURCE = 'call-control';

export interface CdrWrites {
  sink: CdrBatchSink;
  /** At start, before recovery: what a previous process spilled goes in first. */
  replay(): boolean;
  /** Every heartbeat: the reserve's state and the spill alarm. */
  check(): void;
  health(): Record<string, unknown>;
  stop(): void;
}

export function startCdrWrites(deps: { store: Pick<Store, 'db' | 'transaction' | 'cdrs' | 'alarms'>; dataDir: string; log: Logger; flushMs?: number; retryMs?: number; reserveBytes?: number }): CdrWrites {
  const { store, log } = deps;
  const reserve = new DiskReserve(deps.dataDir, deps.reserveBytes);
  const alarm = (code: string, severity: 'warning' | 'critical', message: string, details: Record<string, unknown>) => {
    try {
      store.alarms.raise({ code, severity, tenantId: null, source: SOURCE, message, details });
    } catch (err) {
      log.error('cannot raise alarm', { code, err });
    }
  };
  const clear = (code: string) => {
    try {
      store.alarms.clear(code, null);
    } catch {
      // the database is still refusing writes: cleared at a later check
    }
  };
  const diskFull = () => {
    if (reserve.release()) {
      log.error('data disk full: disk reserve released so that sign-in, alarms and CDRs have room', { reserveBytes: reserve.bytes });
      alarm(ALARM_DATA_DISK_FULL, 'critical', 'the data disk is full; the disk reserve was released, free space now', { reserveBytes: reserve.bytes });
    }
  };
  const sink = new CdrBatchSink({
    sink: store.cdrs,
    transaction: (fn) => withBusyTimeout(store.db, BUSY_MS, () => store.transaction(fn)),
    log,
    spill: new CdrSpill(path.join(deps.dataDir, 'cdr-spill')),
    onDiskFull: diskFull,
    onRecovered: (n) => {
      log.info('cdr writes recovered', { replayed: n });
      clear(ALARM_CDR_SPILLED);
    },
    ...(deps.flushMs !== undefined ? { flushMs: deps.flushMs } : {}),
    ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
  });
  const check = () => {
    try {
      // A disk filled by something else (recordings, logs): free the reserve before writes start failing.
      if (reserve.freeBytes() < reserve.bytes / 4) diskFull();
      else if (!reserve.held) void reserve.ensure().then((held) => held && clear(ALARM_DATA_DISK_FULL), (err: unknown) => log.warn('cannot make the disk reserve', { err }));
    } catch (err) {
      log.warn('disk reserve check failed', { err });
    }
    if (sink.spilled > 0) alarm(ALARM_CDR_SPILLED, 'warning', `${sink.spilled} CDR write(s) wait in the spill file for the database`, { spilled: sink.spilled });
  };
  return {
    sink,
    replay: () => sink.replay(),
    check,
    health: () => ({ ...sink.counters, pending: sink.pending, spilled: sink.spilled, reserve: reserve.held }),
    stop: () => {
      sink.flush();
      sink.stop();
    },
  };
}
