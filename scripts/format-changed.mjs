// Runs prettier over the files this branch changed against main (added or
// modified, still present), so a helper formats what it touches without
// reformatting the tree under everyone else's feet. `--check` only reports.
// The whole tree is formatted once with `npm run format` (README, Style).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const base = process.env.FORMAT_BASE ?? 'main';
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' });
const mergeBase = git('merge-base', base, 'HEAD').trim();
const changed = new Set([
  ...git('diff', '--name-only', '--diff-filter=AMR', mergeBase).split('\n'),
  ...git('ls-files', '--others', '--exclude-standard').split('\n'),
]);
const files = [...changed].filter((f) => /\.(ts|mjs|cjs|js|json)$/.test(f) && existsSync(f));
if (files.length === 0) {
  console.log(`no files changed against ${base}`);
  process.exit(0);
}
const mode = process.argv.includes('--check') ? '--check' : '--write';
const r = spawnSync('npx', ['prettier', mode, '--ignore-unknown', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
