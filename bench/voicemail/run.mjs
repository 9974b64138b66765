#!/usr/bin/env node
// Voicemail benchmark: runs voicemail-bench.ts through bench/run-bundled.mjs against the built appliance (needs `npm run build`).
//   node bench/voicemail/run.mjs [--callers 100] [--rate 10]
// Prints one JSON line and a few plain ones; exits 1 when not every caller
// left a complete message or not every message was mailed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundled } from '../run-bundled.mjs';

await runBundled('voicemail', path.join(path.dirname(fileURLToPath(import.meta.url)), 'voicemail-bench.ts'), { needsBuild: true, timeoutMs: 1_200_000 });
