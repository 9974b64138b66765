#!/usr/bin/env node
// FMC port-selection benchmark: runs fmc-bench.ts through bench/run-bundled.mjs.
//   node bench/fmc/run.mjs [--selections 5000] [--cdrs 20000]
// Prints one JSON line and a few plain ones; exits 1 over the 1 ms target.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundled } from '../run-bundled.mjs';

await runBundled('fmc', path.join(path.dirname(fileURLToPath(import.meta.url)), 'fmc-bench.ts'), { needsBuild: false, timeoutMs: 600_000 });
