// What a load run measures from outside the processes it loads: sipp's own
// count of calls and the CPU each process used. Shared by `korobka selftest`
// and bench/calls (which imports it from here).
import { cpuTicks } from './proc-stats';

/** Successful and failed calls from sipp's final statistics screen. */
export function sippCounts(output: string): { successful: number; failed: number } {
  const grab = (label: string) => Number([...output.matchAll(new RegExp(`${label}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`, 'g'))].pop()?.[1] ?? 0);
  return { successful: grab('Successful call'), failed: grab('Failed call') };
}

/** CPU ticks of processes sampled while they run (a reaped process has no /proc entry to read at the end). */
export class CpuSampler {
  private readonly first = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = process.hrtime.bigint();

  constructor(private readonly pids: () => Record<string, number[]>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    for (const [name, list] of Object.entries(this.pids())) {
      for (const pid of list) {
        try {
          const t = cpuTicks(pid);
          const key = `${name}:${pid}`;
          if (!this.first.has(key)) this.first.set(key, t);
          this.last.set(key, t);
        } catch {
          /* exited; its last sample stands */
        }
      }
    }
  }

  /** % of one core per name since the sampler started (USER_HZ = 100). */
  stop(): { seconds: number; cpuPercent: Record<string, number> } {
    this.sample();
    clearInterval(this.timer);
    const seconds = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const ticks: Record<string, number> = {};
    for (const [key, last] of this.last) {
      const name = key.slice(0, key.lastIndexOf(':'));
      ticks[name] = (ticks[name] ?? 0) + last - this.first.get(key)!;
    }
    return { seconds, cpuPercent: Object.fromEntries(Object.entries(ticks).map(([n, t]) => [n, Math.round((t / 100 / seconds) * 1000) / 10])) };
  }
}
