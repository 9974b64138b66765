#!/usr/bin/env node
// Personal-data store benchmark (issue 15): bundles pd-bench.ts with esbuild
// into test-output/ (inside the checkout, so Node finds node_modules) and runs it.
//   node bench/pd-store/run.mjs [--contacts 1000000] [--lookups 20000] [--csv-rows 20000]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dir = path.join(root, 'test-output', 'pd-store');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `pd-bench-${process.pid}.mjs`);
await build({
  entryPoints: [path.join(here, 'pd-bench.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 3_600_000 });
process.exit(r.status ?? 1);
