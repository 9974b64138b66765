#!/usr/bin/env node
// IVR benchmark: runs ivr-bench.ts through bench/run-bundled.mjs against the built appliance (needs `npm run build` and dumpcap).
//   node bench/ivr/run.mjs [--callers 200] [--hold 30000] [--rate 20] [--limit-ms 40]
// Prints one JSON line and a few plain ones; exits 1 when not every caller
// kept its prompt flowing.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundled } from '../run-bundled.mjs';

await runBundled('ivr', path.join(path.dirname(fileURLToPath(import.meta.url)), 'ivr-bench.ts'), { needsBuild: true, timeoutMs: 1_200_000 });
