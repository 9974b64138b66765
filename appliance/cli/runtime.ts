import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidFile } from '../supervisor/status-file';

/** dist/ of this installation: the CLI runs as dist/appliance/cli/main.js. */
export function distDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
}

export function readPid(dataDir: string): number | null {
  const file = pidFile(dataDir);
  if (!existsSync(file)) return null;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
