// The bundle the build produced (the ui project's global setup runs
// scripts/build.mjs) stays small, and carries what the api serves.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

describe('dist/ui', () => {
  it('app.js is under 300 KB gzipped', () => {
    const gz = gzipSync(readFileSync('dist/ui/app.js'), { level: 9 }).length;
    expect(gz).toBeGreaterThan(5 * 1024);
    expect(gz).toBeLessThan(300 * 1024);
  });

  it('has index.html loading the versioned bundle, and the default logo and favicon', () => {
    const html = readFileSync('dist/ui/index.html', 'utf8');
    // Versioned by content, so an upgrade is not hidden behind the browser cache.
    const v = createHash('sha256').update(readFileSync('dist/ui/app.js')).digest('hex').slice(0, 12);
    expect(html).toContain(`<script type="module" src="/app.js?v=${v}"></script>`);
    expect(html).toMatch(/href="\/app\.css\?v=[0-9a-f]{12}"/);
    expect(html).toContain('<pbx-app></pbx-app>');
    for (const f of ['logo.svg', 'favicon.svg', 'app.css']) expect(existsSync(`dist/ui/${f}`), f).toBe(true);
  });
});
