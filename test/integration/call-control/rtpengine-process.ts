// Starts Debian's rtpengine for one test file: loopback only, a free ng
// port, a random media port range, pcap recording into the kept output dir,
// ready once it answers an ng ping. Stopped by pid in afterAll.
import path from 'node:path';
import { createNgClient, type NgClient } from '../../../services/call-control/media/ng-client';
import { createLogger } from '../../../services/common/logger';
import { freePort, randomPortRange } from '../../helpers/ports';
import { startProcess, type Started } from '../../helpers/processes';
import { waitUntil } from './rtp-endpoint';

export interface RunningRtpengine {
  process: Started;
  ng: NgClient;
  ngPort: number;
  recordingDir: string;
  stop(): Promise<void>;
}

export async function startRtpengine(outDir: string, extraArgs: string[] = [], portCount = 200): Promise<RunningRtpengine> {
  const ngPort = await freePort();
  const range = randomPortRange(portCount);
  const recordingDir = path.join(outDir, 'rec');
  const proc = startProcess(
    'rtpengine',
    [
      '--config-file=none',
      '--foreground',
      '--log-stderr',
      '--table=-1',
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${ngPort}`,
      // ng over HTTP on the same number (TCP; freePort checked both): audio played from memory.
      `--listen-http=127.0.0.1:${ngPort}`,
      `--port-min=${range.min}`,
      `--port-max=${range.max}`,
      '--delete-delay=0',
      `--recording-dir=${recordingDir}`,
      '--recording-method=pcap',
      '--log-level=6',
      ...extraArgs,
    ],
    { logFile: path.join(outDir, 'rtpengine.log'), timeoutMs: 180_000 },
  );
  const ng = await createNgClient({ host: '127.0.0.1', port: ngPort, timeoutMs: 500, log: createLogger({ level: 'warn', sink: () => undefined }) });
  const up = await waitUntil(async () => {
    try {
      return (await ng.command('ping', {})).result === 'pong';
    } catch {
      return false;
    }
  }, 15_000);
  if (!up) {
    ng.close();
    await proc.stop();
    throw new Error('rtpengine did not answer ping; log: ' + proc.output().slice(-2000));
  }
  return {
    process: proc,
    ng,
    ngPort,
    recordingDir,
    async stop() {
      ng.close();
      await proc.stop();
    },
  };
}
