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
  /** Local port; a free one by default. */
  port?: number;
  /** Keep every message sent and received (-trace_msg) in `SippRun.messageFile`. */
  traceMessages?: boolean;
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
  messageFile?: string;
  proc: Started;
  /** Resolves with sipp's exit code and final statistics. */
  done: Promise<{ code: number | null; stats: SippStats }>;
}

export async function startSipp(o: SippOptions): Promise<SippRun> {
  const port = o.port ?? (await freePort());
  const dir = testOutputDir('sip-core', 'sipp');
  const statFile = path.join(dir, `${o.name}-${port}.csv`);
  const messageFile = o.traceMessages ? path.join(dir, `${o.name}-${port}-messages.log`) : undefined;
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
    ...(messageFile ? ['-trace_msg', '-message_file', messageFile] : []),
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
  return { port, proc, done, ...(messageFile ? { messageFile } : {}) };
}

/**
 * What a sipp run received, from its -trace_msg file: a request by its method
 * (`INVITE`), a response by status and CSeq method (`200 INVITE`), in order.
 */
export function sippReceived(messageFile: string): string[] {
  if (!existsSync(messageFile)) return [];
  const out: string[] = [];
  for (const chunk of readFileSync(messageFile, 'latin1').split(/^-{20,}.*$/m)) {
    if (!/message received/.test(chunk)) continue;
    const lines = chunk.split(/\r?\n/);
    const start = lines.find((l) => /^(SIP\/2\.0 \d{3} |[A-Z]+ \S+ SIP\/2\.0)/.test(l));
    if (!start) continue;
    const status = /^SIP\/2\.0 (\d{3})/.exec(start);
    const cseq = lines.map((l) => /^CSeq\s*:\s*\d+\s+(\S+)/i.exec(l)).find((m) => m)?.[1];
    out.push(status ? `${status[1]} ${cseq ?? '?'}` : start.split(' ')[0]!);
  }
  return out;
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
