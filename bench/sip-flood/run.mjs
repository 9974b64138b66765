#!/usr/bin/env node
// Issue 16's SIP floods against the built appliance (flood-bench.ts, bundled
// with esbuild into test-output/ so Node finds node_modules). Prints one JSON
// line. Needs `npm run build` first.
//   node bench/sip-flood/run.mjs [--seconds 30] [--phases baseline,register,invite] [--invite-rate 10000] [--register-rate 3000]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
if (!existsSync(path.join(root, 'dist/appliance/cli/main.js'))) {
  console.error('bench/sip-flood: runs the built appliance; run `npm run build` first');
  process.exit(1);
}
const dir = path.join(root, 'test-output', 'sip-flood');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `flood-bench-${process.pid}.mjs`);
await build({ entryPoints: [path.join(here, 'flood-bench.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 900_000 });
process.exit(r.status ?? 1);
