// Mail outbox throughput benchmark (issue 13): messages per second through
// the durable outbox to a local smtp-server, against nodemailer sending the
// same messages directly, in the same run. Bundles mail-bench.ts with
// esbuild (packages external, resolved from node_modules).
//
//   node bench/mail/run.mjs [--messages 1000] [--rounds 2]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dir = path.join(root, 'test-output', 'mail');
mkdirSync(dir, { recursive: true });
const outfile = path.join(dir, `mail-bench-${process.pid}.mjs`);
await build({ entryPoints: [path.join(here, 'mail-bench.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, timeout: 900_000 });
process.exit(r.status ?? 1);
