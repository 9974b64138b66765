// Migration 0150: `korobka selftest` runs, over a database at version 140;
// the repo gives the newest run back as written, and the checks refuse a
// profile that is none of the licence's and a negative figure.
import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../services/store';
import { SelftestsRepo, type SelftestRun } from '../../services/store/repos/selftests';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig150-');

const run = (over: Partial<SelftestRun> = {}): Omit<SelftestRun, 'id'> => ({
  ranAt: '2026-12-07T06:00:00.000Z',
  mode: 'quick',
  profile: 'eval',
  callsPerSecond: 19.5,
  heldCalls: 6,
  audioSecondsPerSecond: 310.2,
  appVersion: '0.1.0',
  machine: { cpus: 2, model: 'Test CPU', memGiB: 8 },
  details: { margin: 1.5 },
  ...over,
});

describe('migration 0150 selftest runs', () => {
  it('starts empty after 140 and keeps the newest run as written', () => {
    const db = mig.at(140, 150);
    expect(schemaVersion(db)).toBe(150);
    const repo = new SelftestsRepo(db);
    expect(repo.latest()).toBeNull();
    repo.record(run());
    const second = repo.record(run({ ranAt: '2026-12-07T07:00:00.000Z', mode: 'full', profile: 'S', heldCalls: 24 }));
    expect(repo.latest()).toEqual(second);
    expect(repo.latest()).toMatchObject({ mode: 'full', profile: 'S', heldCalls: 24, machine: { cpus: 2 }, details: { margin: 1.5 } });
  });

  it('keeps "not even eval" as a null profile', () => {
    const repo = new SelftestsRepo(mig.at(140, 150));
    repo.record(run({ profile: null, heldCalls: 0 }));
    expect(repo.latest()!.profile).toBeNull();
  });

  it('refuses an unknown profile and a negative figure', () => {
    const repo = new SelftestsRepo(mig.at(140, 150));
    expect(() => repo.record(run({ profile: 'XXL' }))).toThrow(/CHECK constraint/);
    expect(() => repo.record(run({ callsPerSecond: -1 }))).toThrow(/CHECK constraint/);
    expect(repo.latest()).toBeNull();
  });
});
