// sipp as the phones: one run per call batch, bounded in time, with its exit
// code and final statistics (from -trace_stat's CSV) for assertions.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForTcp } from '../../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../../helpers/processes';

export const scenario = (name: string) => (path.isAbsolute(name) ? name : path.resolve('test/integration/sip-core/scenarios', name));

export interface SippOptions {
  name: string;
  /** Scenario file under scenarios/, or a built-in (`uac`, `uas`) with `builtin: true`. */
  scenario: string;
  builtin?: boolean;
  /** Remote host:port (UAC) or nothing (UAS). */
  remote?: string;
  transport?: 'udp' | 'tcp';
  calls?: number;
  rate?: number;
  limit?: number;
  service?: string;
  timeoutS?: number;
  extra?: string[];
}

export interface SippStats {
  successful: number;
  failed: number;
  created: number;
  raw: Record<string, string>;
}

export interface SippRun {
  port: number;
  proc: Started;
  /** Resolves with sipp's exit code and final statistics. */
  done: Promise<{ code: number | null; stats: SippStats }>;
}

export async function startSipp(o: SippOptions): Promise<SippRun> {
  const port = await freePort();
  const dir = testOutputDir('sip-core', 'sipp');
  const statFile = path.join(dir, `${o.name}-${port}.csv`);
  const args = [
    ...(o.builtin ? ['-sn', o.scenario] : ['-sf', scenario(o.scenario)]),
    '-i', '127.0.0.1', '-p', String(port),
    '-t', o.transport === 'tcp' ? 't1' : 'u1',
    '-m', String(o.calls ?? 1),
    '-r', String(o.rate ?? 10),
    '-l', String(o.limit ?? 100),
    '-s', o.service ?? 'service',
    '-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1',
    '-timeout', `${o.timeoutS ?? 60}s`, '-timeout_error',
    '-trace_err', '-error_file', path.join(dir, `${o.name}-${port}-errors.log`),
    ...(o.extra ?? []),
    ...(o.remote ? [o.remote] : []),
  ];
  const proc = startProcess('sipp', args, {
    logFile: path.join(dir, `${o.name}-${port}.log`),
    timeoutMs: ((o.timeoutS ?? 60) + 30) * 1000,
  });
  const done = proc.exited.then((code) => ({ code, stats: readStats(statFile) }));
  // A TCP UAS must be listening before anyone dials it.
  if (o.transport === 'tcp' && !o.remote) await waitForTcp(port, '127.0.0.1', 10_000);
  return { port, proc, done };
}

function readStats(file: string): SippStats {
  if (!existsSync(file)) return { successful: 0, failed: 0, created: 0, raw: {} };
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const raw: Record<string, string> = {};
  header.forEach((h, i) => (raw[h] = last[i] ?? ''));
  const n = (k: string) => Number(raw[k] ?? 0);
  return { successful: n('SuccessfulCall(C)'), failed: n('FailedCall(C)'), created: n('TotalCallCreated'), raw };
}
