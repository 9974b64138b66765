// `npm run bench [name…]`: runs bench/<name>/run.mjs for each benchmark
// (all when none is named), one after another, after a build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const wanted = process.argv.slice(2);
const all = readdirSync('bench', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join('bench', d.name, 'run.mjs')))
  .map((d) => d.name)
  .sort();
const names = wanted.length ? wanted : all;
for (const n of names) if (!all.includes(n)) throw new Error(`no benchmark bench/${n}/run.mjs (have: ${all.join(', ')})`);
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
for (const n of names) {
  console.log(`\n=== bench/${n}`);
  execFileSync(process.execPath, [path.join('bench', n, 'run.mjs')], { stdio: 'inherit' });
}
