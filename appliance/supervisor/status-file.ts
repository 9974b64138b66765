// The supervisor writes its view of every process to <dataDir>/run/status.json
// (atomically, every second); `korobka status` and the api's health read it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SupervisorStatus } from './types';

export const runDir = (dataDir: string) => path.join(dataDir, 'run');
export const statusFile = (dataDir: string) => path.join(runDir(dataDir), 'status.json');
export const pidFile = (dataDir: string) => path.join(runDir(dataDir), 'korobka.pid');

export function writeSupervisorStatus(dataDir: string, status: SupervisorStatus): void {
  mkdirSync(runDir(dataDir), { recursive: true });
  const file = statusFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(status, null, 2));
  renameSync(tmp, file);
}

export function readSupervisorStatus(dataDir: string): SupervisorStatus | null {
  const file = statusFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorStatus;
  } catch {
    return null;
  }
}
