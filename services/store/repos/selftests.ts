// Runs of `korobka selftest` (migration 0150): written by the CLI, the last
// one read by the licence page and the activation request.
import type { Db } from '../db';

export type SelftestMode = 'quick' | 'full';

export interface SelftestRun {
  id: number;
  ranAt: string;
  mode: SelftestMode;
  /** Largest licence profile honoured with the margin; null: not even eval. */
  profile: string | null;
  callsPerSecond: number;
  heldCalls: number;
  audioSecondsPerSecond: number;
  appVersion: string;
  machine: { cpus: number; model: string; memGiB: number };
  details: Record<string, unknown>;
}

interface Row {
  id: number;
  ran_at: string;
  mode: SelftestMode;
  profile: string | null;
  calls_per_second: number;
  held_calls: number;
  audio_seconds_per_second: number;
  app_version: string;
  machine: string;
  details: string;
}

const toRun = (r: Row): SelftestRun => ({
  id: r.id,
  ranAt: r.ran_at,
  mode: r.mode,
  profile: r.profile,
  callsPerSecond: r.calls_per_second,
  heldCalls: r.held_calls,
  audioSecondsPerSecond: r.audio_seconds_per_second,
  appVersion: r.app_version,
  machine: JSON.parse(r.machine) as SelftestRun['machine'],
  details: JSON.parse(r.details) as Record<string, unknown>,
});

export class SelftestsRepo {
  constructor(private readonly db: Db) {}

  record(run: Omit<SelftestRun, 'id'>): SelftestRun {
    const info = this.db
      .prepare(
        `INSERT INTO selftest_runs (ran_at, mode, profile, calls_per_second, held_calls, audio_seconds_per_second, app_version, machine, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.ranAt, run.mode, run.profile, run.callsPerSecond, run.heldCalls, run.audioSecondsPerSecond, run.appVersion, JSON.stringify(run.machine), JSON.stringify(run.details));
    return { ...run, id: Number(info.lastInsertRowid) };
  }

  /** The newest run, or null before the first. */
  latest(): SelftestRun | null {
    const r = this.db.prepare('SELECT * FROM selftest_runs ORDER BY ran_at DESC, id DESC LIMIT 1').get() as Row | undefined;
    return r ? toRun(r) : null;
  }
}
