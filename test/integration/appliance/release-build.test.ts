// Issue 16 item 15: what install.sh copies to /opt/korobka is a release build
// (KOROBKA_RELEASE=1): it must not carry the vendor's licence-issuing tool,
// and it trusts only its built-in vendor keys — a development key in the
// configuration is refused, not trusted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVendorKeyPair, publicKeyToPem } from '../../../licensing/keys';
import { tempDir } from '../../helpers/tmp';

// Inside the checkout, so the bundles find node_modules as they do in /opt/korobka.
const out = path.resolve('test-output', 'release-build');
const data = tempDir('korobka-release-');
let built: { status: number | null; out: string };

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { env: { ...process.env, KOROBKA_RELEASE: '1', KOROBKA_OUTDIR: out }, encoding: 'utf8', timeout: 300_000 });
  built = { status: r.status, out: `${r.stdout}${r.stderr}` };
}, 320_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  data.cleanup();
});

describe('the release build', () => {
  it('is built and says so', () => {
    expect(built.status, built.out).toBe(0);
    expect(built.out).toContain('(release)');
    expect(existsSync(path.join(out, 'appliance', 'cli', 'main.js'))).toBe(true);
  });

  it('leaves out the licence-issuing tool, by file and by content', () => {
    expect(existsSync(path.join(out, 'licensing', 'cli', 'main.js'))).toBe(false);
    const js = files(out).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(5);
    for (const f of js) expect(readFileSync(f, 'utf8'), f).not.toContain('Usage: korobka-license');
  });

  it('refuses a development key in the configuration instead of trusting it', () => {
    mkdirSync(data.dir, { recursive: true });
    const vendor = generateVendorKeyPair();
    const keyFile = path.join(data.dir, 'dev.pub');
    writeFileSync(keyFile, publicKeyToPem(vendor.publicKey));
    writeFileSync(path.join(data.dir, 'korobka.json'), JSON.stringify({ license: { developmentKeyFiles: [keyFile] } }));
    const r = spawnSync(process.execPath, [path.join(out, 'appliance', 'cli', 'main.js'), 'license', 'show', '--data-dir', data.dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/release build trusts only its built-in vendor keys/);
  });
});
