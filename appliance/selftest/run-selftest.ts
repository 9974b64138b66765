// `korobka selftest`'s measurement, phase by phase, with progress: the call
// set-up rate and calls held with media against the private stack, then the
// recordings conversion rate; and the profile those figures honour with the
// margin (licensing/capacity-fit.ts). Bounded: a quick run takes about 30 s,
// a full one a few minutes, stopping at the first held-calls step the box
// cannot carry.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capacityFit, MARGIN_RULE, needsOf, type CapacityFit } from '../../licensing/capacity-fit';
import { PROFILES } from '../../licensing/profiles';
import type { Config } from '../config/schema';
import { heldCalls, setupRate, type HeldResult, type SetupResult } from './call-load';
import { conversionRate, type ConversionResult } from './conversion';
import { startPrivateStack } from './private-stack';

export type SelftestMode = 'quick' | 'full';

interface Plan {
  setup: { rate: number; calls: number };
  /** Calls held at once, step by step (1.5 × each profile's concurrent calls). */
  held: number[];
  holdMs: (calls: number) => number;
  heldRate: number;
  callSeconds: number;
}

const heldSteps = (names: ReadonlyArray<keyof typeof PROFILES>) => names.map((n) => needsOf(PROFILES[n].limits.concurrentCalls).heldCalls);

export const PLANS: Record<SelftestMode, Plan> = {
  // About 30 s: enough to show the machinery works and the box carries eval.
  quick: { setup: { rate: 20, calls: 100 }, held: heldSteps(['eval']), holdMs: () => 8000, heldRate: 10, callSeconds: 10 },
  full: {
    setup: { rate: 100, calls: 3000 },
    held: heldSteps(['S', 'M', 'L', 'XL']),
    // Every call up, then a 5 s measuring window, before the first BYE.
    holdMs: (calls) => Math.max(20_000, Math.ceil((calls / 50) * 1000) + 12_000),
    heldRate: 50,
    callSeconds: 60,
  },
};

export interface SelftestResult {
  mode: SelftestMode;
  machine: { cpus: number; model: string; memGiB: number };
  setup: SetupResult;
  held: HeldResult[];
  conversion: ConversionResult;
  fit: CapacityFit;
  marginRule: string;
}

export async function runSelftest(config: Readonly<Config>, distDir: string, mode: SelftestMode, progress: (line: string) => void): Promise<SelftestResult> {
  const plan = PLANS[mode];
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim() ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30) };
  const work = mkdtempSync(path.join(os.tmpdir(), 'korobka-selftest-'));
  let ok = false;
  try {
    progress(`starting a private sip-core and rtpengine on loopback (work directory ${work}) …`);
    const maxHeld = Math.max(...plan.held);
    const stack = await startPrivateStack(config, distDir, work, Math.max(200, maxHeld * 8));
    let setup: SetupResult;
    const held: HeldResult[] = [];
    try {
      progress(`[1/3] call set-up with media: ${plan.setup.calls} calls offered at ${plan.setup.rate}/s …`);
      setup = await setupRate(stack, work, plan.setup);
      progress(`      ${setup.callsPerSecond} calls/s, ${setup.successful} completed, ${setup.failed} failed`);
      for (const n of plan.held) {
        const holdMs = plan.holdMs(n);
        progress(`[2/3] ${n} calls held at once with media for ${Math.round(holdMs / 1000)} s …`);
        const r = await heldCalls(stack, work, { calls: n, holdMs, rate: Math.min(plan.heldRate, Math.max(1, n)) });
        held.push(r);
        progress(`      ${r.held}/${n} held with media both ways (${r.successful} completed, ${r.failed} failed)`);
        if (r.held < n) break; // the next step is larger still
      }
    } finally {
      await stack.stop();
    }
    progress(`[3/3] recordings conversion of generated ${plan.callSeconds} s calls …`);
    const conversion = await conversionRate(config, distDir, path.join(work, 'conversion'), plan.callSeconds);
    progress(`      ${conversion.audioSecondsPerSecond} s of audio per second on ${conversion.workers} converter(s)`);
    const fit = capacityFit({ callsPerSecond: setup.callsPerSecond, heldSteps: held.map((h) => ({ offered: h.offered, held: h.held })), audioSecondsPerSecond: conversion.audioSecondsPerSecond });
    ok = true;
    return { mode, machine, setup, held, conversion, fit, marginRule: MARGIN_RULE };
  } finally {
    // Logs stay for a failed run: the error names the directory.
    if (ok) rmSync(work, { recursive: true, force: true });
  }
}
