#!/usr/bin/env node
// Call benchmarks: bundles each entry with esbuild into test-output/ (inside
// the checkout, so Node finds node_modules for the external packages) and
// runs it, printing one JSON line per entry.
//   node bench/calls/run.mjs                       media, cpu and calls, one after another
//   node bench/calls/run.mjs --entry media [--calls 50] [--seconds 10]   rtpengine alone: CPU per relayed/transcoded call, ng set-ups/s
//   node bench/calls/run.mjs --entry cpu           signalling CPU in process: digest, dial plan, REGISTER
//   node bench/calls/run.mjs --entry calls [--rate 200] [--calls 2000] [--concurrent 500] [--hold 30000] [--pairs 4] [--held-rate 50]
//                                                  whole calls through the running appliance (needs `npm run build`):
//                                                  sipp → sipp and sip-core only (B2BUA, no media) first, then set-up rate
//                                                  with media and concurrent calls with speech both ways; verdict against
//                                                  issue 4's targets (exit 1 when missed)
//   node bench/calls/run.mjs --entry calls --record [--concurrent 200] [--hold 30000] [--rate 50] [--drain-timeout 600000]
//                                                  concurrent recorded calls (policy always) until every recording is stored (issue 6);
//                                                  same as --entry recorded
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dir = path.join(root, 'test-output', 'call-control');
mkdirSync(dir, { recursive: true });
const argv = process.argv.slice(2);
const at = argv.indexOf('--entry');
let entries = at >= 0 ? [argv.splice(at, 2)[1]] : ['media', 'cpu', 'calls'];
const record = argv.indexOf('--record');
if (record >= 0) {
  // --record turns the calls entry into the recorded-calls measurement (recorded-bench.ts).
  argv.splice(record, 1);
  entries = entries.map((e) => (e === 'calls' ? 'recorded' : e));
}
const known = ['media', 'cpu', 'calls', 'recorded'];
const unknown = entries.filter((e) => !known.includes(e));
if (unknown.length) {
  console.error(`bench/calls: unknown entry ${unknown.join(', ')}; expected one of ${known.join(', ')}`);
  process.exit(1);
}
if ((entries.includes('calls') || entries.includes('recorded')) && !existsSync(path.join(root, 'dist/appliance/cli/main.js'))) {
  console.error('bench/calls: the calls entry runs the built appliance; run `npm run build` first');
  process.exit(1);
}
let failed = 0;
for (const entry of entries) {
  const outfile = path.join(dir, `${entry}-bench-${process.pid}.mjs`);
  await build({ entryPoints: [path.join(here, `${entry}-bench.ts`)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
  const r = spawnSync(process.execPath, [outfile, ...argv], { stdio: 'inherit', cwd: root, timeout: 600_000 });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
