// sip-core as a supervised process: refuses to run without a secret, and
// reports its state in health.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../appliance/config/schema';
import { childConfigEnv } from '../../../appliance/config/child';
import { freePort, freeTcpPort } from '../../helpers/ports';
import { startProcess, stopAll, testOutputDir } from '../../helpers/processes';
import { startSipCore } from './helpers/sip-core-process';

afterAll(async () => {
  await stopAll();
});

describe('sip-core process', () => {
  it('refuses to start without drachtio.secret and says why', async () => {
    const port = await freePort();
    const config = configSchema.parse({
      sip: { listen: [{ transport: 'udp', host: '127.0.0.1', port }] },
      drachtio: { host: '127.0.0.1', port: await freeTcpPort(), secret: '' },
    });
    const proc = startProcess(process.execPath, [path.resolve('dist/services/sip-core/main.js')], {
      logFile: path.join(testOutputDir('sip-core'), 'startup-no-secret.log'),
      env: { ...process.env, ...childConfigEnv(config) },
      timeoutMs: 30_000,
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('drachtio.secret: must be set');
  });

  it('reports apps, dialogs, transactions, transport counters and memory in health, and stops cleanly', async () => {
    const core = await startSipCore('startup-health');
    const h = await core.waitHealth((x) => x.ok === true);
    expect(h).toMatchObject({ ok: true, apps: 0, dialogs: 0, pendingInbound: 0, pendingOutbound: 0 });
    expect(h.transactions).toMatchObject({ serverTransactions: 0, clientTransactions: 0 });
    expect(h.transport).toMatchObject({ parsed: 0, malformed: 0 });
    expect((h.memory as { heapUsedBytes: number }).heapUsedBytes).toBeGreaterThan(0);
    expect(await core.stop()).toBe(0);
  });
});
