// Starts every process of the appliance, restarts a dead one with
// exponential backoff, and stops them all in reverse order on request.
// Calls keep their media through a restart of call-control because
// rtpengine keeps relaying; that is why the processes are separate.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Logger } from '../../services/common/logger';
import { maskText } from '../../services/common/log-mask';
import type { ChildMessage } from '../../services/common/service';
import type { ProcessSpec } from './specs';
import type { ProcessState, SupervisorProcess, SupervisorStatus } from './types';

export interface SupervisorOptions {
  log: Logger;
  restartMinMs: number;
  restartMaxMs: number;
  stopTimeoutMs: number;
  /** Called whenever something changes and every second. */
  onStatus?: (status: SupervisorStatus) => void;
  /** Where child output goes (the supervisor's own stdout by default). */
  output?: (line: string) => void;
  /** Mask numbers and addresses in plain-text child output (rtpengine, a crash trace); JSON lines of our services are masked at their source. Default true. */
  maskPersonalData?: boolean;
}

/** A run this long counts as healthy: the next failure starts the backoff again from the minimum. */
const STABLE_MS = 30_000;
const PROBE_EVERY_MS = 2_000;

class Managed {
  child: ChildProcess | null = null;
  state: ProcessState = 'stopped';
  restarts = 0;
  failuresInRow = 0;
  since = new Date();
  startedAt = 0;
  lastExit: string | null = null;
  health: Record<string, unknown> | null = null;
  timer: NodeJS.Timeout | null = null;
  constructor(readonly spec: ProcessSpec) {}

  view(): SupervisorProcess {
    return {
      name: this.spec.name,
      state: this.state,
      pid: this.child?.pid ?? null,
      restarts: this.restarts,
      since: this.since.toISOString(),
      lastExit: this.lastExit,
      health: this.health,
    };
  }
}

export class Supervisor {
  private readonly procs: Managed[];
  private stopping = false;
  private ticker: NodeJS.Timeout | null = null;
  private prober: NodeJS.Timeout | null = null;

  constructor(
    specs: ProcessSpec[],
    private readonly opts: SupervisorOptions,
  ) {
    this.procs = specs.map((s) => new Managed(s));
  }

  status(): SupervisorStatus {
    return { pid: process.pid, updatedAt: new Date().toISOString(), processes: this.procs.map((p) => p.view()) };
  }

  start(): void {
    for (const p of this.procs) this.spawn(p);
    this.ticker = setInterval(() => this.emit(), 1000);
    this.prober = setInterval(() => void this.probeAll(), PROBE_EVERY_MS);
    this.emit();
  }

  private emit(): void {
    this.opts.onStatus?.(this.status());
  }

  private setState(p: Managed, state: ProcessState): void {
    p.state = state;
    p.since = new Date();
    this.emit();
  }

  private spawn(p: Managed): void {
    const { spec } = p;
    const log = this.opts.log.child({ process: spec.name });
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...spec.env },
        stdio: spec.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      log.error('process could not be started', { err: e });
      this.scheduleRestart(p, `spawn failed: ${(e as Error).message}`);
      return;
    }
    p.child = child;
    p.health = null;
    p.startedAt = Date.now();
    this.setState(p, 'starting');
    log.info('process started', { pid: child.pid, command: spec.command });
    this.pipeOutput(child, spec);
    child.on('error', (e) => {
      log.error('process error', { err: e });
    });
    if (spec.ipc) {
      child.on('message', (m: ChildMessage) => {
        if (m?.type === 'ready' || m?.type === 'health') {
          p.health = m.health;
          if (p.state === 'starting') this.setState(p, 'running');
        }
      });
    }
    child.on('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `code ${code}`;
      p.lastExit = `${new Date().toISOString()} ${how}`;
      p.child = null;
      if (this.stopping) {
        this.setState(p, 'stopped');
        return;
      }
      log.warn('process exited', { how });
      this.scheduleRestart(p, how);
    });
  }

  private pipeOutput(child: ChildProcess, spec: ProcessSpec): void {
    const out = this.opts.output ?? ((line: string) => process.stdout.write(line + '\n'));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (spec.jsonLogs && line.startsWith('{')) out(line);
        else out(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: spec.name, msg: this.opts.maskPersonalData === false ? line : maskText(line) }));
      });
    }
  }

  private scheduleRestart(p: Managed, why: string): void {
    if (Date.now() - p.startedAt > STABLE_MS) p.failuresInRow = 0;
    const delay = Math.min(this.opts.restartMaxMs, this.opts.restartMinMs * 2 ** p.failuresInRow);
    p.failuresInRow++;
    this.setState(p, 'backoff');
    this.opts.log.info('restart scheduled', { process: p.spec.name, delayMs: delay, why });
    p.timer = setTimeout(() => {
      p.timer = null;
      if (this.stopping) return;
      p.restarts++;
      this.spawn(p);
    }, delay);
  }

  private async probeAll(): Promise<void> {
    for (const p of this.procs) {
      if (!p.spec.probe || !p.child) continue;
      const ok = await p.spec.probe().catch(() => false);
      if (!p.child) continue;
      p.health = { ok };
      if (ok && p.state === 'starting') this.setState(p, 'running');
    }
  }

  /** SIGTERM in reverse start order, SIGKILL after the timeout. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.prober) clearInterval(this.prober);
    for (const p of [...this.procs].reverse()) {
      if (p.timer) clearTimeout(p.timer);
      const child = p.child;
      if (!child) {
        this.setState(p, 'stopped');
        continue;
      }
      this.setState(p, 'stopping');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs);
      await exited;
      clearTimeout(killer);
    }
    if (this.ticker) clearInterval(this.ticker);
    this.emit();
  }
}
