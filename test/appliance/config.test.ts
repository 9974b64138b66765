import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../appliance/config/load';
import { tempDir } from '../helpers/tmp';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({ env: {}, flags: { dataDir: '/tmp/none-such' } });
    expect(c.api.port).toBe(8443);
    expect(c.sip.listen).toEqual([
      { transport: 'udp', host: '0.0.0.0', port: 5060 },
      { transport: 'tcp', host: '0.0.0.0', port: 5060 },
      { transport: 'tls', host: '0.0.0.0', port: 5061 },
    ]);
    expect(c.sip.tls).toEqual({ certFile: '', keyFile: '', requireClientCert: false, clientCaFile: '', trustedCaFile: '' });
    expect(c.drachtio.host).toBe('127.0.0.1');
    expect(Object.isFrozen(c.api)).toBe(true);
  });

  it('layers file < env < flags', () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(path.join(dir, 'korobka.json'), JSON.stringify({ api: { port: 1111, host: '127.0.0.1' }, logLevel: 'debug' }));
    const c = loadConfig({ env: { KOROBKA_DATA_DIR: dir, KOROBKA_API_PORT: '2222' }, flags: { 'rtpengine.ngPort': '3333' } });
    expect(c.api).toMatchObject({ port: 2222, host: '127.0.0.1' });
    expect(c.logLevel).toBe('debug');
    expect(c.rtpengine.ngPort).toBe(3333);
    const f = loadConfig({ env: { KOROBKA_DATA_DIR: dir, KOROBKA_API_PORT: '2222' }, flags: { 'api.port': '4444' } });
    expect(f.api.port).toBe(4444);
    cleanup();
  });

  it('reports every problem at once, each naming its field and source', () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(
      path.join(dir, 'korobka.json'),
      JSON.stringify({ sip: { listen: [{ transport: 'sctp', host: '', port: 0 }] }, logLevel: 'loud', rtpengine: { portMin: 5000, portMax: 4000 } }),
    );
    const p = problems(() => loadConfig({ env: { KOROBKA_DATA_DIR: dir, KOROBKA_API_PORT: '0', KOROBKA_DRACHTIO_EXTERNAL: 'maybe' }, flags: { 'supervisor.restartMinMs': 'soon' } }));
    expect(p).toEqual(
      expect.arrayContaining([
        'KOROBKA_DRACHTIO_EXTERNAL: expected true or false, got "maybe"',
        '--supervisor.restartMinMs: expected a number, got "soon"',
        'KOROBKA_API_PORT: api.port: expected 1–65535, got 0',
        expect.stringMatching(/^korobka\.json: sip\.listen\.0\.transport: .*got "sctp"$/),
        'korobka.json: sip.listen.0.host: expected a host name or IP address, got ""',
        'korobka.json: sip.listen.0.port: expected 1–65535, got 0',
        expect.stringMatching(/^korobka\.json: logLevel: .*got "loud"$/),
        'korobka.json: rtpengine.portMax: must be above rtpengine.portMin (5000), got 4000',
      ]),
    );
    expect(p).toHaveLength(8);
    cleanup();
  });

  it('refuses a recordings stop threshold below its alarm threshold', () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(path.join(dir, 'korobka.json'), JSON.stringify({ recordings: { diskAlarmPercent: 90, diskStopPercent: 85 } }));
    expect(problems(() => loadConfig({ env: { KOROBKA_DATA_DIR: dir } }))).toEqual(['korobka.json: recordings.diskStopPercent: must not be below recordings.diskAlarmPercent (90), got 85']);
    cleanup();
  });

  it('names a broken or missing config file', () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(path.join(dir, 'korobka.json'), '{ "api": ');
    expect(problems(() => loadConfig({ env: { KOROBKA_DATA_DIR: dir } }))[0]).toMatch(/^korobka\.json: not valid JSON/);
    expect(problems(() => loadConfig({ env: {}, configFile: path.join(dir, 'nope.json') }))).toEqual([`${path.join(dir, 'nope.json')}: no such file`]);
    cleanup();
  });
});
