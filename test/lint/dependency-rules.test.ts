// The import rules of the lint step (.dependency-cruiser.cjs, README's design
// section) must bite: a tree laid out like this repository, with one
// wrong-way import per rule, fails `depcruise` with every rule named; the
// same tree with only right-way imports passes. The real tree passing is
// what `npm run lint` checks.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(repo, 'node_modules/.bin/depcruise');
const config = path.join(repo, '.dependency-cruiser.cjs');
const known = path.join(repo, '.dependency-cruiser-known-violations.json');

function plant(dir: string, files: Record<string, string>): void {
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', verbatimModuleSyntax: true } }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

/** Runs the lint step's command (with the repository's known violations) in `dir`. */
async function cruise(dir: string): Promise<{ code: number; out: string }> {
  const args = ['--config', config, '--ignore-known', known, '--output-type', 'err', 'services', 'appliance', 'licensing', 'shared', 'ui'];
  try {
    const r = await run(depcruise, args, { cwd: dir, timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

// Targets every rule points at, each a real module so imports resolve.
const floor: Record<string, string> = {
  'services/recordings/index.ts': 'export const recordings = 1;\n',
  'services/call-control/index.ts': 'export const callControl = 1;\n',
  'services/call-control/main.ts': "import { child } from '../../appliance/supervisor/child';\nexport const main = child;\n",
  'services/common/config.ts': 'export interface Config { dataDir: string }\n',
  'appliance/supervisor/child.ts': 'export const child = 1;\n',
  'appliance/license/licence-service.ts': 'export const licence = 1;\n',
  'ui/src/lib/rules.ts': 'export const rule = 1;\n',
  'shared/contrast.ts': 'export const contrast = 1;\n',
  'services/api/contract.ts': 'export interface Wire { id: string }\nexport const wire = 1;\n',
};

describe('import rules of the lint step', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const dir = (prefix: string) => {
    const t = tempDir(prefix);
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it('fail on a wrong-way import for every rule, naming the rule and the file', async () => {
    const d = dir('depcruise-wrong-');
    plant(d, {
      ...floor,
      'services/store/repos/rows.ts': "import { recordings } from '../../recordings';\nexport const rows = recordings;\n",
      'services/api/routes/licence.ts':
        "import { licence } from '../../../appliance/license/licence-service';\nexport const l = licence;\n",
      'services/api/routes/branding.ts': "import { rule } from '../../../ui/src/lib/rules';\nexport const b = rule;\n",
      'services/sip-core/server.ts': "import { callControl } from '../call-control';\nexport const s = callControl;\n",
      'ui/src/data/wire.ts': "import { wire } from '../../../services/api/contract';\nexport const w = wire;\n",
      'licensing/verify.ts': "import type { Config } from '../services/common/config';\nexport type C = Config;\n",
      'services/call-control/calls/deep.ts': 'export const deep = 1;\n',
      'services/recordings/pipeline.ts': "import { deep } from '../call-control/calls/deep';\nexport const p = deep;\n",
      'services/sip-core/dialog/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'services/sip-core/dialog/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    });
    const r = await cruise(d);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/store-is-the-floor: services\/store\/repos\/rows\.ts → services\/recordings\/index\.ts/);
    expect(r.out).toMatch(/services-not-appliance: services\/api\/routes\/licence\.ts → appliance\/license\/licence-service\.ts/);
    expect(r.out).toMatch(/api-not-ui: services\/api\/routes\/branding\.ts → ui\/src\/lib\/rules\.ts/);
    expect(r.out).toMatch(/sip-core-not-call-control: services\/sip-core\/server\.ts → services\/call-control\/index\.ts/);
    expect(r.out).toMatch(/ui-types-only-from-services: ui\/src\/data\/wire\.ts → services\/api\/contract\.ts/);
    expect(r.out).toMatch(/shared-and-licensing-are-pure: licensing\/verify\.ts → services\/common\/config\.ts/);
    expect(r.out).toMatch(/no-circular: services\/sip-core\/dialog\/a\.ts/);
    expect(r.out).toMatch(/services-through-index: services\/recordings\/pipeline\.ts → services\/call-control\/calls\/deep\.ts/);
    // The one allowed appliance import (a service's main.ts) is not reported.
    expect(r.out).not.toMatch(/call-control\/main\.ts/);
  });

  it('pass on the same layout with right-way imports: types from services into the ui, shared/ from the api and the ui', async () => {
    const d = dir('depcruise-right-');
    plant(d, {
      ...floor,
      'services/store/repos/rows.ts': 'export interface Row { id: string }\n',
      'services/store/index.ts': "export type { Row } from './repos/rows';\n",
      'services/recordings/pipeline.ts': "import type { Row } from '../store';\nexport type R = Row;\n",
      'services/api/routes/branding.ts': "import { contrast } from '../../../shared/contrast';\nexport const b = contrast;\n",
      'ui/src/data/wire.ts':
        "import type { Wire } from '../../../services/api/contract';\nimport { contrast } from '../../../shared/contrast';\nexport type W = Wire;\nexport const c = contrast;\n",
      'services/sip-core/server.ts': "import type { Config } from '../common/config';\nexport type S = Config;\n",
      'licensing/verify.ts': "import { contrast } from '../shared/contrast';\nexport const v = contrast;\n",
    });
    const r = await cruise(d);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  });
});
