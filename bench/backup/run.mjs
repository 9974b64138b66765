#!/usr/bin/env node
// Backup benchmark (issue 18): bundles backup-bench.ts with esbuild into
// test-output/ (inside the checkout, so Node finds node_modules) and runs it.
//   node bench/backup/run.mjs [--data-mb 500] [--rate 100] [--calls 1500] [--nice 10]
// Needs `npm run build` (it runs the built appliance and `korobka backup`).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
if (!existsSync(path.join(root, 'dist/appliance/cli/main.js'))) {
  console.error('bench/backup: runs the built appliance; run `npm run build` first');
  process.exit(1);
}
const dir = path.join(root, 'test-output', 'backup');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `backup-bench-${process.pid}.mjs`);
await build({ entryPoints: [path.join(here, 'backup-bench.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 900_000 });
process.exit(r.status ?? 1);
