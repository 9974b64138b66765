// Starts the built sip-core (dist/services/sip-core/main.js) as the supervisor
// would: config in KOROBKA_CHILD_CONFIG, an IPC channel for ready/health.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { configSchema, type ConfigInput } from '../../../../appliance/config/schema';
import { childConfigEnv } from '../../../../appliance/config/child';
import { freePort, freeTcpPort, waitForTcp } from '../../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../../helpers/processes';

export interface SipCoreProcess {
  proc: Started;
  sipPort: number;
  adminPort: number;
  secret: string;
  /** The latest health snapshot the child sent. */
  health(): Record<string, unknown>;
  /** Waits for a fresh health report satisfying `pred` (reports come every 2 s). */
  waitHealth(pred: (h: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/**
 * Where it listens. By default free ports on 127.0.0.1; inside a network
 * namespace of the test's own (`wrap` = `ip netns exec <name>`) fixed ports and
 * the namespace's addresses are safe, and readiness comes over IPC.
 */
export interface SipCorePlacement {
  wrap?: string[];
  sipHost?: string;
  sipPort?: number;
  adminPort?: number;
}

export async function startSipCore(name: string, overrides: Partial<ConfigInput> = {}, place: SipCorePlacement = {}): Promise<SipCoreProcess> {
  const sipPort = place.sipPort ?? (await freePort());
  const adminPort = place.adminPort ?? (await freeTcpPort());
  const sipHost = place.sipHost ?? '127.0.0.1';
  const secret = randomBytes(12).toString('hex');
  const config = configSchema.parse({
    logLevel: 'debug',
    ...overrides,
    drachtio: { ...overrides.drachtio, host: '127.0.0.1', port: adminPort, secret },
    // `sip` overrides (timers, limits) keep these listeners unless they name their own.
    sip: {
      listen: [
        { transport: 'udp', host: sipHost, port: sipPort },
        { transport: 'tcp', host: sipHost, port: sipPort },
      ],
      ...overrides.sip,
    },
  });
  const wrap = place.wrap ?? [];
  const command = [...wrap, process.execPath, path.resolve('dist/services/sip-core/main.js')];
  const proc = startProcess(command[0]!, command.slice(1), {
    logFile: path.join(testOutputDir('sip-core'), `${name}.log`),
    env: { ...process.env, ...childConfigEnv(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    timeoutMs: 300_000,
  });
  let latest: Record<string, unknown> = {};
  let seq = 0;
  const waiters = new Set<() => void>();
  const ready = new Promise<void>((resolve, reject) => {
    proc.child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve());
    void proc.exited.then((code) => reject(new Error(`sip-core exited with ${code} before it was ready; see ${proc.logFile}`)));
  });
  ready.catch(() => undefined); // awaited below only inside a namespace
  proc.child.on('message', (m: { type?: string; health?: Record<string, unknown> }) => {
    if (m.health) {
      latest = m.health;
      seq++;
    }
    for (const w of waiters) w();
  });
  // Outside a namespace the admin port is reachable from here; inside, only IPC is.
  if (wrap.length) await ready;
  else await waitForTcp(adminPort);
  return {
    proc,
    sipPort,
    adminPort,
    secret,
    health: () => latest,
    async waitHealth(pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      // Only a report taken after this call counts: an older one may predate what the test did.
      const from = seq;
      while (seq === from || !pred(latest)) {
        if (Date.now() > deadline) throw new Error(`health never matched; last: ${JSON.stringify(latest)}`);
        await new Promise<void>((resolve) => {
          const w = () => {
            waiters.delete(w);
            resolve();
          };
          waiters.add(w);
          setTimeout(w, 500);
        });
      }
      return latest;
    },
    stop: () => proc.stop(),
  };
}
