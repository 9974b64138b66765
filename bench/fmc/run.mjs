#!/usr/bin/env node
// FMC port-selection benchmark: bundles fmc-bench.ts with esbuild into
// test-output/ (inside the checkout, so Node finds node_modules) and runs it.
//   node bench/fmc/run.mjs [--selections 5000] [--cdrs 20000]
// Prints one JSON line and a few plain ones; exits 1 over the 1 ms target.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dir = path.join(root, 'test-output', 'bench');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `fmc-bench-${process.pid}.mjs`);
await build({ entryPoints: [path.join(here, 'fmc-bench.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 600_000 });
process.exit(r.status ?? 1);
