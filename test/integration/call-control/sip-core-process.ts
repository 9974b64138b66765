// The built sip-core (dist/services/sip-core/main.js, made by the
// integration global setup) started as the supervisor starts it, on
// loopback with free ports; call-control tests then connect drachtio-srf.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { childConfigEnv } from '../../../appliance/config/child';
import { configSchema } from '../../../appliance/config/schema';
import { freePort, freeTcpPort, waitForTcp } from '../../helpers/ports';
import { startProcess, testOutputDir, type Started } from '../../helpers/processes';

export interface SipCore {
  proc: Started;
  sipPort: number;
  adminPort: number;
  secret: string;
}

export async function startSipCore(name: string): Promise<SipCore> {
  const sipPort = await freePort();
  const adminPort = await freeTcpPort();
  const secret = randomBytes(12).toString('hex');
  const config = configSchema.parse({
    logLevel: 'debug',
    sip: { listen: [{ transport: 'udp', host: '127.0.0.1', port: sipPort }] },
    drachtio: { host: '127.0.0.1', port: adminPort, secret },
  });
  const proc = startProcess(process.execPath, [path.resolve('dist/services/sip-core/main.js')], {
    logFile: path.join(testOutputDir('call-control'), `${name}-sip-core.log`),
    env: { ...process.env, ...childConfigEnv(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    timeoutMs: 180_000,
  });
  await waitForTcp(adminPort);
  return { proc, sipPort, adminPort, secret };
}
