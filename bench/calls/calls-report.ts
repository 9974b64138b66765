// bench/calls' summary: one JSON line for tools and the same figures as
// text, with the ratios against the references and the verdict against
// issue 4's targets (200 calls/s set-up with media, 500 concurrent calls
// with media relayed in userspace, no call dropped).
import type { HeldResult } from './held-calls';
import type { LoadResult } from './sip-core-only';

export const TARGETS = { setupCallsPerSecond: 200, concurrentCalls: 500 };

export interface ReportInput {
  machine: { cpus: number; model: string; memGiB: number; node: string; loadAverageAtStart: number[] };
  licenceProfile: string;
  direct: LoadResult;
  sipCore: LoadResult;
  setup: LoadResult & { udpDrops: Record<string, number>; callControl: unknown };
  held: HeldResult;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
const sum = (c: Record<string, number>, names: string[]) => names.reduce((n, k) => n + (c[k] ?? 0), 0);
/** CPU milliseconds per completed call across `names` (% of a core × seconds / calls). */
const cpuMsPerCall = (r: LoadResult, names: string[]) => (r.successful > 0 ? Math.round(((sum(r.cpuPercent, names) / 100) * r.seconds * 1000 * 100) / r.successful) / 100 : null);
const cpuText = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([n, v]) => `${n} ${v}%`)
    .join(', ');

export function report(i: ReportInput): { json: Record<string, unknown>; text: string; passed: boolean } {
  const { direct, sipCore, setup, held } = i;
  const pbxProcesses = ['call-control', 'sip-core', 'rtpengine'];
  const setupOk = setup.callsPerSecond >= TARGETS.setupCallsPerSecond * 0.98 && setup.failed === 0;
  const heldOk =
    held.offered >= TARGETS.concurrentCalls &&
    held.answered === held.offered &&
    held.failed === 0 &&
    held.endedByCallerBye === held.offered &&
    held.media !== null &&
    held.media.callsRelayedBothWays === held.offered;
  const ratios = {
    setupVsSipCoreOnly: ratio(setup.callsPerSecond, sipCore.callsPerSecond),
    sipCoreOnlyVsSippDirect: ratio(sipCore.callsPerSecond, direct.callsPerSecond),
    cpuMsPerCall: { pbxWithMedia: cpuMsPerCall(setup, pbxProcesses), sipCoreOnly: cpuMsPerCall(sipCore, ['sip-core', 'b2bua']) },
  };
  const json = { machine: i.machine, licenceProfile: i.licenceProfile, targets: TARGETS, direct, sipCoreOnly: sipCore, setup, held, ratios, verdict: { setup: setupOk ? 'pass' : 'fail', concurrent: heldOk ? 'pass' : 'fail' } };
  const m = held.media;
  const text = [
    `machine: ${i.machine.cpus} CPU (nproc), ${i.machine.model}, ${i.machine.memGiB} GiB, node ${i.machine.node}; load average at start ${i.machine.loadAverageAtStart.join(' ')}`,
    `sipp → sipp: ${direct.callsPerSecond} calls/s of ${direct.offeredRate}/s offered, ${direct.failed} failed (CPU ${cpuText(direct.cpuPercent)})`,
    `sip-core only (B2BUA, no media, no auth): ${sipCore.callsPerSecond} calls/s, ${sipCore.failed} failed (CPU ${cpuText(sipCore.cpuPercent)}; ${ratios.cpuMsPerCall.sipCoreOnly} CPU ms per call)`,
    `set-up with media (digest auth, rtpengine offer/answer/query/delete, CDR): ${setup.callsPerSecond} calls/s of ${setup.offeredRate}/s offered, ${setup.successful}/${setup.calls} completed, ${setup.failed} failed; ${ratios.setupVsSipCoreOnly}× sip-core only`,
    `  CPU ${cpuText(setup.cpuPercent)}; ${ratios.cpuMsPerCall.pbxWithMedia} CPU ms per call in call-control + sip-core + rtpengine; UDP drops ${JSON.stringify(setup.udpDrops)}`,
    `  call-control: ${JSON.stringify(setup.callControl)}`,
    `held: ${held.answered}/${held.offered} answered, ${held.failed} failed, ${held.endedByCallerBye} ended by the caller's BYE at the callee, peak ${held.peakActiveCalls} active; ${held.pairs} sipp pairs, hold ${held.holdMs} ms; CDRs ${JSON.stringify(held.cdrs)}`,
    m
      ? `  media: ${m.callsRelayedBothWays}/${m.callsMeasured} calls relayed both ways in a ${m.windowMs} ms window (≥ 90 % of 20 ms packets each side; min ${m.minShareOfExpected}, median ${m.medianShareOfExpected} of expected), ${m.packetErrors} packet errors`
      : '  media: not measured (no call was up)',
    `  CPU ${cpuText(held.cpuPercent)}; UDP drops ${JSON.stringify(held.udpDrops)}`,
    `verdict: set-up ${setupOk ? 'PASS' : 'FAIL'} (target ${TARGETS.setupCallsPerSecond} calls/s, none failed); concurrent ${heldOk ? 'PASS' : 'FAIL'} (target ${TARGETS.concurrentCalls} calls, none dropped, media both ways)`,
  ].join('\n');
  return { json, text, passed: setupOk && heldOk };
}
