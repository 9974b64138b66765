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

export async function startSipCore(name: string, overrides: Partial<ConfigInput> = {}): Promise<SipCoreProcess> {
  const sipPort = await freePort();
  const adminPort = await freeTcpPort();
  const secret = randomBytes(12).toString('hex');
  const config = configSchema.parse({
    logLevel: 'debug',
    sip: {
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: sipPort },
        { transport: 'tcp', host: '127.0.0.1', port: sipPort },
      ],
    },
    drachtio: { host: '127.0.0.1', port: adminPort, secret },
    ...overrides,
  });
  const proc = startProcess(process.execPath, [path.resolve('dist/services/sip-core/main.js')], {
    logFile: path.join(testOutputDir('sip-core'), `${name}.log`),
    env: { ...process.env, ...childConfigEnv(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    timeoutMs: 300_000,
  });
  let latest: Record<string, unknown> = {};
  let seq = 0;
  const waiters = new Set<() => void>();
  proc.child.on('message', (m: { type?: string; health?: Record<string, unknown> }) => {
    if (m.health) {
      latest = m.health;
      seq++;
    }
    for (const w of waiters) w();
  });
  await waitForTcp(adminPort);
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
