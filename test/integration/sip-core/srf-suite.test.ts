// drachtio-srf's own integration test files (node_modules/drachtio-srf/test/
// *.js, tape) with its own sipp scenarios, run unmodified against sip-core in
// a rebuilt copy of upstream's docker testbed (srf-suite/srf-testbed.ts: a
// network namespace of the test's own, no Docker). Each file must print
// exactly the assertions its source makes (t.pass / t.ok messages, in order)
// and all of them ok. What cannot run here, and why, is NOT_RUNNABLE (it goes
// into the README).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/processes';
import { startSrfTestbed, type SrfTestbed } from './srf-suite/srf-testbed';
import { srfTestDir } from './srf-suite/testbed';

interface SrfFile {
  file: string;
  servers?: Array<'drachtio-sut' | 'drachtio-uas'>;
  /** Upstream's own t.timeoutAfter is the real bound; this one only stops a hung process. */
  timeoutS: number;
}

/** In upstream's order (test/index.js). */
const FILES: SrfFile[] = [
  { file: 'b2b.js', timeoutS: 190 },
  { file: 'reinvite-tests.js', timeoutS: 30 },
  { file: 'uac.js', timeoutS: 90 },
  { file: 'uas.js', timeoutS: 90 },
  { file: 'proxy.js', timeoutS: 70 },
  // drachtio-uas is a second sip-core where upstream runs a second drachtio-server.
  { file: 'refer.js', servers: ['drachtio-sut', 'drachtio-uas'], timeoutS: 30 },
  // srf's URI parser and tag checks: no server, run for completeness.
  { file: 'utils.js', servers: [], timeoutS: 30 },
];

/** Upstream tests that cannot run here, and why. */
export const NOT_RUNNABLE: Record<string, string> = {
  'subscribe.js':
    'cannot pass against any server: its app answers the SUBSCRIBE and at once destroys the dialog (one NOTIFY, terminated) while uac-subscribe.xml waits for two NOTIFYs; upstream\'s test/index.js does not run it. uas.js covers SUBSCRIBE with two NOTIFYs and passes',
  'parser.js': 'never calls t.end(), so tape fails it as "test exited without ending" whatever the server; upstream\'s test/index.js does not run it (utils.js covers the parser)',
  'unit-tests/*': 'test srf itself (wire framing against an in-process mock server, digest client, parser) with mocha, which is not installed; no server involved',
  'docker_start.js, docker_stop.js': 'start and stop the docker-compose testbed, which srf-suite/srf-testbed.ts replaces',
};

/** The assertion messages a test file makes, in source order: the last string argument of t.pass/ok/throws/doesNotThrow. */
function expectedAsserts(file: string): string[] {
  // Commented-out assertions (utils.js has one) do not run.
  const src = readFileSync(path.join(srfTestDir, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of src.matchAll(/\bt\.(?:pass|ok|throws|doesNotThrow)\(/g)) {
    const args = callArguments(src, m.index + m[0].length);
    const last = [...args.matchAll(/'([^']*)'/g)].pop();
    if (last) out.push(last[1]!);
  }
  return out;
}

/** The source text between an opening parenthesis (just before `from`) and its match, quotes respected. */
function callArguments(src: string, from: number): string {
  let depth = 1;
  let quote = '';
  for (let i = from; i < src.length; i++) {
    const ch = src[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return src.slice(from, i);
  }
  return src.slice(from);
}

let bed: SrfTestbed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
  await stopAll();
});

describe('drachtio-srf test files against sip-core (testbed in a network namespace)', () => {
  it.each(FILES)('$file', async ({ file, servers, timeoutS }) => {
    const expected = expectedAsserts(file);
    expect(expected.length).toBeGreaterThan(0);
    bed = await startSrfTestbed(file, servers);
    const run = await bed.run(timeoutS * 1000);
    const failures = run.asserts.filter((a) => !a.ok).map((a) => a.text);
    expect(failures, `see ${run.logFile}`).toEqual([]);
    expect(run.asserts.map((a) => a.text)).toEqual(expected);
    expect(run.code).toBe(0);
    // sip-core survived the file and hung up what the programs left behind. Under
    // load a sipp UAS may abort on the BYE of a program that left early (uac.js
    // gives its UPDATE scenario 1 s); that BYE then ends by Timer F (64×T1), hence 40 s.
    for (const core of Object.values(bed.cores)) {
      expect(core.proc.child.exitCode).toBeNull();
      await core.waitHealth((h) => h.dialogs === 0, 40_000);
    }
  }, 240_000);

  it('lists what cannot run here with a reason for each', () => {
    for (const [name, why] of Object.entries(NOT_RUNNABLE)) {
      expect(why.length, name).toBeGreaterThan(40);
    }
  });
});
