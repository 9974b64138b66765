#!/usr/bin/env node
// Bundles a benchmark (media-bench.ts by default, `--entry cpu` for
// cpu-bench.ts) with esbuild into test-output/ (inside the checkout, so Node
// finds node_modules for the external packages) and runs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const dir = path.join(root, 'test-output', 'call-control');
mkdirSync(dir, { recursive: true });
const argv = process.argv.slice(2);
const at = argv.indexOf('--entry');
const entry = at >= 0 ? argv.splice(at, 2)[1] : 'media';
const outfile = path.join(dir, `${entry}-bench-${process.pid}.mjs`);
await build({ entryPoints: [path.join(here, `${entry}-bench.ts`)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...argv], { stdio: 'inherit', cwd: root, timeout: 600_000 });
process.exit(r.status ?? 1);
