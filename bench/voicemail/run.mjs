#!/usr/bin/env node
// Voicemail benchmark: bundles voicemail-bench.ts with esbuild into test-output/ (inside
// the checkout, so Node finds node_modules for the external packages) and
// runs it against the built appliance (needs `npm run build`).
//   node bench/voicemail/run.mjs [--callers 100] [--rate 10]
// Prints one JSON line and a few plain ones; exits 1 when not every caller
// left a complete message or not every message was mailed.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
if (!existsSync(path.join(root, 'dist/appliance/cli/main.js'))) {
  console.error('bench/voicemail: runs the built appliance; run `npm run build` first');
  process.exit(1);
}
const dir = path.join(root, 'test-output', 'bench');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `voicemail-bench-${process.pid}.mjs`);
await build({
  entryPoints: [path.join(here, 'voicemail-bench.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 1_200_000 });
process.exit(r.status ?? 1);
