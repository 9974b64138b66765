// `korobka selftest`: what this hardware can carry (issue 18). Loads a
// private copy of this release's sip-core and the box's rtpengine on loopback
// with sipp, and the recordings converter with a generated capture; prints
// the licence profile the figures honour with the margin and stores the run
// for the licence page and the activation request.
import { spawnSync } from 'node:child_process';
import { openStore, storeOptionsFrom, type SelftestRun } from '../../../services/store';
import { VERSION } from '../../../services/common/version';
import { layout } from '../../data-dir';
import { runSelftest, type SelftestResult } from '../../selftest/run-selftest';
import { readSupervisorStatus } from '../../supervisor/status-file';
import { commonHelp, configFrom, parse, print, printErr, type Command } from '../command';
import { distDir, isAlive, readPid } from '../runtime';

/** The run as `korobka selftest` prints it; the stored row holds the same figures. */
export function selftestText(r: SelftestResult, run: Pick<SelftestRun, 'id' | 'profile'>): string {
  const h = r.held[r.held.length - 1];
  const best = r.held.reduce((a, b) => (b.held > a.held ? b : a), r.held[0]!);
  const lines = [
    `Korobka self-test (${r.mode}) on ${r.machine.cpus} CPU, ${r.machine.model}, ${r.machine.memGiB} GiB`,
    `  call set-up with media:  ${r.setup.callsPerSecond} calls/s (${r.setup.successful}/${r.setup.calls} completed, ${r.setup.failed} failed, ${r.setup.bridged} bridged through rtpengine)`,
    `  calls held with media:   ${r.fit.heldCalls} (largest step ${best.offered} offered, ${best.media?.callsRelayedBothWays ?? 0} relayed both ways over ${best.media?.windowMs ?? 0} ms${h && h !== best ? `; ${h.held}/${h.offered} at the next step` : ''})`,
    `  recordings conversion:   ${r.conversion.audioSecondsPerSecond} s of audio per second (${r.conversion.recordings} × ${r.conversion.callSeconds} s calls to ${r.conversion.format}, ${r.conversion.workers} converter(s))`,
    `  margin rule: ${r.marginRule}`,
    `  licence profile this box can honour: ${run.profile ?? 'none (not even eval)'}`,
  ];
  if (r.mode === 'quick') lines.push('  (a quick run offers eval-sized load only: run `korobka selftest` without --quick for the full measure)');
  lines.push(`stored as self-test run ${run.id}: the licence page shows it and the activation request carries it`);
  return lines.join('\n');
}

export const selftestCommand: Command = {
  name: 'selftest',
  summary: 'measure what this hardware can carry and which licence profile it honours',
  help: `Usage: korobka selftest [--quick] [--json]

Loads this box for a few minutes (about 30 s with --quick): a private copy of
this release's sip-core and the box's rtpengine on loopback ports, driven by
sipp (Debian package sip-tester) — calls per second with media anchored in
rtpengine, calls held at once with media relayed both ways (step by step, 1.5×
each licence profile's concurrent calls, stopping at the first step not
carried) — and the recordings converter on a generated capture. The running
appliance's own calls, ports and licence are not touched, but the load shares
its CPU: run it outside business hours.

Prints the figures and the licence profile they honour with the margin (every
figure ≥ 1.5× what the profile needs), and stores them: the licence page shows
the last run and the activation request carries it for the vendor's sizing.
Refuses when the appliance is not running (exit code 3).

  --quick   about 30 s, eval-sized load only (for tests and a first look)
  --json    print the stored run as JSON instead of text

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { quick: { type: 'boolean' }, json: { type: 'boolean' } });
    const config = configFrom(values);
    const pid = readPid(config.dataDir);
    if (pid === null || !isAlive(pid) || readSupervisorStatus(config.dataDir)?.pid !== pid) {
      printErr(`korobka selftest: Korobka is not running (no supervisor for ${config.dataDir}): start it first (korobka start, or systemctl start korobka); the self-test runs beside it and stores its result in its database`);
      return 3;
    }
    const sipp = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
    if (sipp.error) {
      printErr('korobka selftest: sipp is not installed: install the Debian package sip-tester (apt-get install sip-tester, or install.sh --with-test-tools)');
      return 1;
    }
    const mode = values.quick ? 'quick' : 'full';
    const result = await runSelftest(config, distDir(), mode, (line) => process.stderr.write(`selftest: ${line}\n`));
    const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
    try {
      const run = store.selftests.record({
        ranAt: new Date().toISOString(),
        mode,
        profile: result.fit.profile,
        callsPerSecond: result.setup.callsPerSecond,
        heldCalls: result.fit.heldCalls,
        audioSecondsPerSecond: result.conversion.audioSecondsPerSecond,
        appVersion: VERSION,
        machine: result.machine,
        details: { ...result },
      });
      store.audit.append({ actorId: null, actor: 'korobka selftest', tenantId: null, action: 'selftest.run', details: { id: run.id, mode, profile: run.profile } });
      print(values.json ? JSON.stringify(run, null, 2) : selftestText(result, run));
      return 0;
    } finally {
      store.close();
    }
  },
};
