// Log throughput benchmark (issue 15): lines per second of the JSON logger
// with personal-data masking on, off, and as it was before masking, in the
// same run; prints the ratio. Bundles logs-bench.ts with esbuild, no build step.
//
//   node bench/logs/run.mjs [--lines 200000] [--rounds 5]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const dir = mkdtempSync(path.join(tmpdir(), 'korobka-logs-bench-'));
try {
  const out = path.join(dir, 'logs-bench.mjs');
  await build({ entryPoints: [path.join(here, 'logs-bench.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
  const { main } = await import(pathToFileURL(out).href);
  main(arg('lines', 200_000), arg('rounds', 5));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
