// rtpengineLiveness against a real rtpengine: a call it relays is live, an
// unknown or deleted one is not, and a dead rtpengine (what leaves orphans)
// means no call is live. rtpengine runs with --delete-delay=0 as the appliance
// starts it (appliance/supervisor/rtpengine-args.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { freePort, randomPortRange } from '../../helpers/ports';
import { startProcess, stopAll, testOutputDir, type Started } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { silentLogger } from '../../../services/common/logger';
import { rtpengineLiveness, type CallLiveness } from '../../../services/recordings/call-liveness';
import { newNgClient, type NgClient } from './ng-call';

let engine: Started;
let ngPort: number;
let ng: NgClient;
let liveness: CallLiveness;
let t: ReturnType<typeof tempDir>;

beforeAll(async () => {
  t = tempDir('liveness-');
  ngPort = await freePort();
  const range = randomPortRange(50);
  engine = startProcess(
    'rtpengine',
    ['--config-file=none', '--foreground', '--log-stderr', '--table=-1', '--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ngPort}`, `--port-min=${range.min}`, `--port-max=${range.max}`, `--recording-dir=${t.dir}`, '--recording-method=pcap', '--delete-delay=0'],
    { logFile: path.join(testOutputDir('recordings'), 'rtpengine-liveness.log'), timeoutMs: 60_000 },
  );
  ng = newNgClient();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pong = await ng.ping(ngPort, '127.0.0.1').catch(() => undefined);
    if (pong?.result === 'pong') break;
    if (Date.now() > deadline) throw new Error('rtpengine did not answer ping');
    await new Promise((r) => setTimeout(r, 50));
  }
  liveness = await rtpengineLiveness({ host: '127.0.0.1', port: ngPort, timeoutMs: 500, log: silentLogger });
}, 30_000);
afterAll(async () => {
  liveness?.close();
  ng?.close();
  await stopAll();
  t?.cleanup();
});

const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=sendrecv\r\n';

describe('rtpengineLiveness', () => {
  it('knows which calls rtpengine holds, and that a dead rtpengine holds none', async () => {
    expect(await liveness.isCallLive('never-seen')).toBe(false);
    const offer = await ng.offer(ngPort, '127.0.0.1', { 'call-id': 'live-1', 'from-tag': 'a', sdp });
    expect(offer.result).toBe('ok');
    expect(await liveness.isCallLive('live-1')).toBe(true);
    expect((await ng.delete(ngPort, '127.0.0.1', { 'call-id': 'live-1', 'from-tag': 'a' })).result).toBe('ok');
    expect(await liveness.isCallLive('live-1')).toBe(false);
    await ng.offer(ngPort, '127.0.0.1', { 'call-id': 'live-2', 'from-tag': 'a', sdp });
    expect(await liveness.isCallLive('live-2')).toBe(true);
    await engine.stop('SIGKILL', 5000);
    expect(await liveness.isCallLive('live-2')).toBe(false);
  }, 30_000);
});
