// Processes started by the self-test (and by the tests, through
// test/helpers/processes.ts): bounded in time, logged to a kept file, and
// always stopped by their pid.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Started {
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | null>;
  output(): string;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const live = new Set<Started>();

/**
 * Starts a process with a hard time limit; its stdout and stderr go to
 * `logFile` and are kept in memory for assertions.
 */
export function startProcess(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { logFile: string; timeoutMs?: number },
): Started {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile);
  const child = spawn(cmd, args, { ...opts, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  let buf = '';
  const take = (d: Buffer) => {
    buf += d.toString();
    if (buf.length > 2_000_000) buf = buf.slice(-1_000_000);
    log.write(d);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  killer.unref();
  const started: Started = {
    child,
    pid: child.pid,
    logFile: opts.logFile,
    exited,
    output: () => buf,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid!, signal);
        } catch {
          /* already gone */
        }
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      clearTimeout(killer);
      live.delete(started);
      log.end();
      return child.exitCode;
    },
  };
  exited.then(() => clearTimeout(killer));
  live.add(started);
  return started;
}

/** Stops every process a test file started; call from afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}
