// The launcher a bench/<name>/run.mjs shares: bundles its TypeScript entry
// with esbuild into test-output/bench/ (inside the checkout, so Node finds
// node_modules for the external packages) and runs it with the caller's
// arguments, exiting with its status.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * `entry`: the bench's .ts file; `needsBuild`: it drives the built appliance
 * (dist/), so say so instead of failing later; `timeoutMs`: a hard limit.
 */
export async function runBundled(name, entry, { needsBuild = false, timeoutMs = 1_200_000 } = {}) {
  if (needsBuild && !existsSync(path.join(root, 'dist/appliance/cli/main.js'))) {
    console.error(`bench/${name}: runs the built appliance; run \`npm run build\` first`);
    process.exit(1);
  }
  const dir = path.join(root, 'test-output', 'bench');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `${name}-bench-${process.pid}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: timeoutMs });
  process.exit(r.status ?? 1);
}
