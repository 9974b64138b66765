// Builds every process entry point with esbuild: Node services into dist/
// (dependencies stay external, they live in node_modules), and the admin UI
// into dist/ui as one browser bundle.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

// KOROBKA_RELEASE=1 makes a release build: it trusts only the licence keys
// built into licensing/vendor-keys.ts (see appliance/license/), and leaves out
// the vendor's licence-issuing tool (licensing/cli), which is not for boxes.
const release = process.env.KOROBKA_RELEASE === '1';
// Where the build goes (default dist/); the release-build test builds elsewhere.
const outdir = process.env.KOROBKA_OUTDIR ?? 'dist';

const nodeEntries = [
  'appliance/cli/main.ts',
  'services/api/main.ts',
  'services/sip-core/main.ts',
  'services/call-control/main.ts',
  'services/recordings/main.ts',
  'services/mail/main.ts',
  // The converter pool's worker thread (services/recordings/converter-pool.ts), beside main.js.
  'services/recordings/convert-worker.ts',
  // A backup or verification the supervisor's backup scheduler runs (appliance/backup/scheduler.ts).
  'appliance/backup/backup-job.ts',
  ...(release ? [] : ['licensing/cli/main.ts']),
].filter((f) => existsSync(f));

await build({
  entryPoints: nodeEntries,
  define: { __KOROBKA_RELEASE__: String(release) },
  outdir,
  outbase: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
});

if (existsSync('ui/src/main.ts')) {
  await build({
    entryPoints: ['ui/src/main.ts'],
    outfile: `${outdir}/ui/app.js`,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    metafile: false,
  });
  // index.html, the default logo and favicon, page-level CSS.
  if (existsSync('ui/public')) cpSync('ui/public', `${outdir}/ui`, { recursive: true });
  // The api lets browsers cache app.js and app.css for an hour; a content
  // hash in index.html (never cached) makes an upgrade load the new ones.
  const version = (f) => createHash('sha256').update(readFileSync(f)).digest('hex').slice(0, 12);
  const index = readFileSync(`${outdir}/ui/index.html`, 'utf8')
    .replace('src="/app.js"', `src="/app.js?v=${version(`${outdir}/ui/app.js`)}"`)
    .replace('href="/app.css"', `href="/app.css?v=${version(`${outdir}/ui/app.css`)}"`);
  writeFileSync(`${outdir}/ui/index.html`, index);
}
console.log(`built ${nodeEntries.length} node entries${release ? ' (release)' : ''}${existsSync('ui/src/main.ts') ? ' and the UI bundle' : ''}`);
