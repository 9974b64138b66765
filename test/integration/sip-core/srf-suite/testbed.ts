// The containers of drachtio-srf's docker testbed
// (node_modules/drachtio-srf/test/docker-compose-testbed.yaml): name, fixed
// address and, for the sipp UAS containers, the scenario each one runs. Read
// from the file itself so the harness follows upstream when it changes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const srfTestDir = path.join(path.dirname(require.resolve('drachtio-srf/package.json')), 'test');

export interface TestbedContainer {
  name: string;
  address: string;
  /** Scenario file of a sipp UAS container (`sipp -sf /tmp/<file>`). */
  scenario?: string;
}

/** Parses the compose file's services: container_name, command and ipv4_address. */
export function readTestbed(file = path.join(srfTestDir, 'docker-compose-testbed.yaml')): TestbedContainer[] {
  const out: TestbedContainer[] = [];
  let cur: Partial<TestbedContainer> & { command?: string } = {};
  const flush = () => {
    if (cur.name && cur.address) {
      const scenario = /^sipp\s+-sf\s+\/tmp\/(\S+\.xml)\s*$/.exec(cur.command ?? '')?.[1];
      out.push({ name: cur.name, address: cur.address, ...(scenario ? { scenario } : {}) });
    }
    cur = {};
  };
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (/^ {2}\S.*:\s*$/.test(raw)) flush();
    const m = /^\s+(container_name|command|ipv4_address):\s*(.+?)\s*$/.exec(raw);
    if (!m) continue;
    if (m[1] === 'container_name') cur.name = m[2];
    else if (m[1] === 'command') cur.command = m[2];
    else cur.address = m[2];
  }
  flush();
  return out;
}

/** The sipp UAS containers an upstream test file dials, by name or by literal address. */
export function containersUsedBy(testFile: string, testbed: TestbedContainer[]): TestbedContainer[] {
  const text = readFileSync(path.join(srfTestDir, testFile), 'utf8');
  const scripts = [...text.matchAll(/require\('\.\/scripts\/([\w.-]+?)(?:\.js)?'\)/g)].map((m) =>
    readFileSync(path.join(srfTestDir, 'scripts', `${m[1]}.js`), 'utf8'),
  );
  const all = [text, ...scripts].join('\n');
  return testbed.filter(
    (c) => c.scenario && (new RegExp(`['":]${c.name}['"]`).test(all) || all.includes(`'sip:${c.address}'`) || all.includes(`'${c.address}'`)),
  );
}
