// The supervisor starts sip-core with a small young generation and two malloc
// arenas (its RSS per dialog, bench/sip-core); other services keep Node's defaults.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../appliance/config/load';
import { processSpecs } from '../../appliance/supervisor/specs';
import { tempDir } from '../helpers/tmp';

describe('sip-core process tuning', () => {
  it('gives sip-core --max-semi-space-size=4 and MALLOC_ARENA_MAX=2, and nobody else', () => {
    const { dir, cleanup } = tempDir();
    for (const name of ['sip-core', 'call-control', 'api', 'recordings', 'mail']) {
      mkdirSync(path.join(dir, 'services', name), { recursive: true });
      writeFileSync(path.join(dir, 'services', name, 'main.js'), '');
    }
    const config = loadConfig({ env: {}, flags: { dataDir: dir, 'rtpengine.enabled': 'false' } });
    const specs = processSpecs(config, dir);
    cleanup();
    const sipCore = specs.find((s) => s.name === 'sip-core')!;
    expect(sipCore.args).toEqual(['--enable-source-maps', '--max-semi-space-size=4', path.join(dir, 'services/sip-core/main.js')]);
    expect(sipCore.env.MALLOC_ARENA_MAX).toBe('2');
    expect(sipCore.env.KOROBKA_CHILD_CONFIG).toBeDefined();
    const callControl = specs.find((s) => s.name === 'call-control')!;
    expect(callControl.args).toEqual(['--enable-source-maps', path.join(dir, 'services/call-control/main.js')]);
    expect(callControl.env.MALLOC_ARENA_MAX).toBeUndefined();
  });
});
