// Processes started by tests: the spawner is the self-test's
// (appliance/selftest/processes.ts); where tests keep their output is here.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export { startProcess, stopAll, type Started } from '../../appliance/selftest/processes';

export function testOutputDir(...parts: string[]): string {
  const dir = path.resolve('test-output', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
