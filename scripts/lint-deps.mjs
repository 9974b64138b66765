// `npm run lint:deps`: the layer rule (.dependency-cruiser.cjs) over the
// source folders, ignoring only the cycles listed one by one in
// .dependency-cruiser-known-violations.json. `--baseline` rewrites that list
// (after breaking a listed cycle; a new cycle is to be broken, not listed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const bin = 'node_modules/.bin/depcruise';
if (!existsSync(bin)) {
  console.error(
    'lint:deps: dependency-cruiser is not installed here; run `npm ci` (package-lock.json lists it since the import rule was added)',
  );
  process.exit(1);
}
const roots = ['services', 'appliance', 'licensing', 'provisioning', 'shared', 'ui/src'];
const known = '.dependency-cruiser-known-violations.json';
const args = process.argv.includes('--baseline')
  ? ['--config', '.dependency-cruiser.cjs', '--output-type', 'baseline', '--output-to', known, ...roots]
  : ['--config', '.dependency-cruiser.cjs', '--ignore-known', known, '--output-type', 'err', ...roots];
const r = spawnSync(bin, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
