// System health for the dashboard (systeminformation): CPU, memory, the
// data directory's disk, uptime. Samples are taken only while someone
// watches (a live client, or a GET in the last minute) and the last ten
// minutes are kept for the chart.
import os from 'node:os';
import path from 'node:path';
import si from 'systeminformation';

export interface SystemSample {
  at: string;
  cpuPercent: number;
  memoryPercent: number;
}

export interface SystemInfo {
  hostname: string;
  cpu: { cores: number; model: string; loadPercent: number; loadAverage: number[] };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; percent: number };
  disk: { mount: string; totalBytes: number; usedBytes: number; percent: number } | null;
  uptimeSeconds: number;
  processUptimeSeconds: number;
  history: SystemSample[];
  /** From call-control's health report; unavailable while it is down or not reporting. */
  calls: { available: false } | { available: true; active: number; limit: number; profile: string };
  registrations: { available: false } | { available: true; count: number };
}

/** What call-control reports, as the supervisor relays it; null when unknown. */
export interface CallState {
  activeCalls: number;
  registrations: number;
  licence: { profile: string; concurrentCalls: number };
}

type Listener = (info: SystemInfo, sample: SystemSample) => void;

const round1 = (n: number) => Math.round(n * 10) / 10;

export class SystemMonitor {
  private readonly history: SystemSample[] = [];
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastWanted = 0;
  private latest: SystemInfo | undefined;
  private diskCache: { at: number; value: SystemInfo['disk'] } | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly callState: () => CallState | null = () => null,
    readonly intervalMs = 3000,
    private readonly keepMs = 10 * 60_000,
    private readonly idleMs = 60_000,
  ) {}

  /** Current figures; (re)starts sampling so the chart fills while the page is open. */
  async snapshot(): Promise<SystemInfo> {
    this.lastWanted = Date.now();
    this.ensureRunning();
    if (this.latest && Date.now() - new Date(this.history.at(-1)?.at ?? 0).getTime() < this.intervalMs) return this.latest;
    return (await this.sample()).info;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    this.lastWanted = Date.now();
    this.ensureRunning();
    return () => {
      this.listeners.delete(l);
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureRunning(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.listeners.size === 0 && Date.now() - this.lastWanted > this.idleMs) {
      this.stop();
      return;
    }
    try {
      const { info, sample } = await this.sample();
      for (const l of this.listeners) l(info, sample);
    } catch {
      // A failed reading skips one point of the chart; the next tick retries.
    }
  }

  private async disk(): Promise<SystemInfo['disk']> {
    if (this.diskCache && Date.now() - this.diskCache.at < 30_000) return this.diskCache.value;
    const dir = path.resolve(this.dataDir);
    const all = await si.fsSize();
    // The mount holding the data directory: the longest mount point that prefixes it.
    const fs = all
      .filter((f) => dir === f.mount || dir.startsWith(f.mount.endsWith('/') ? f.mount : f.mount + '/'))
      .sort((a, b) => b.mount.length - a.mount.length)[0];
    const value = fs ? { mount: fs.mount, totalBytes: fs.size, usedBytes: fs.used, percent: round1(fs.use) } : null;
    this.diskCache = { at: Date.now(), value };
    return value;
  }

  private callFigures(): Pick<SystemInfo, 'calls' | 'registrations'> {
    const c = this.callState();
    if (!c) return { calls: { available: false }, registrations: { available: false } };
    return {
      calls: { available: true, active: c.activeCalls, limit: c.licence.concurrentCalls, profile: c.licence.profile },
      registrations: { available: true, count: c.registrations },
    };
  }

  private async sample(): Promise<{ info: SystemInfo; sample: SystemSample }> {
    const [load, mem, disk] = await Promise.all([si.currentLoad(), si.mem(), this.disk()]);
    const cpus = os.cpus();
    const memoryPercent = mem.total > 0 ? round1(((mem.total - mem.available) / mem.total) * 100) : 0;
    const sample: SystemSample = { at: new Date().toISOString(), cpuPercent: round1(load.currentLoad), memoryPercent };
    this.history.push(sample);
    const cutoff = Date.now() - this.keepMs;
    while (this.history.length > 0 && new Date(this.history[0]!.at).getTime() < cutoff) this.history.shift();
    const info: SystemInfo = {
      hostname: os.hostname(),
      cpu: { cores: cpus.length, model: cpus[0]?.model.trim() ?? '', loadPercent: sample.cpuPercent, loadAverage: os.loadavg().map(round1) },
      memory: { totalBytes: mem.total, usedBytes: mem.total - mem.available, availableBytes: mem.available, percent: memoryPercent },
      disk,
      uptimeSeconds: Math.round(os.uptime()),
      processUptimeSeconds: Math.round(process.uptime()),
      history: [...this.history],
      ...this.callFigures(),
    };
    this.latest = info;
    return { info, sample };
  }
}
