// Which ports the appliance binds, from the config, and the check `korobka
// start` and `korobka doctor` make before anything starts.
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../appliance/config/load';
import { neededPorts, takenMessage, takenPorts } from '../../appliance/ports';
import { freePort, freeTcpPort } from '../helpers/ports';

const config = (flags: Record<string, string>) => loadConfig({ env: {}, flags: { dataDir: '/tmp/none-such', ...flags } });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('neededPorts', () => {
  it('lists every port from the config, each named by its field', () => {
    const c = config({ 'rtpengine.dtmfLogPort': '23001' });
    expect(neededPorts(c).map((p) => `${p.field} ${p.protocol} ${p.host}:${p.port}`)).toEqual([
      'api.port tcp 0.0.0.0:8443',
      'sip.listen[0].port udp 0.0.0.0:5060',
      'sip.listen[1].port tcp 0.0.0.0:5060',
      'sip.listen[2].port tcp 0.0.0.0:5061',
      'drachtio.port tcp 127.0.0.1:9022',
      'rtpengine.ngPort udp 127.0.0.1:22222',
      'rtpengine.ngPort tcp 127.0.0.1:22222',
      'rtpengine.dtmfLogPort udp 127.0.0.1:23001',
    ]);
  });

  it('leaves out what is not started: an external drachtio-server, rtpengine disabled', () => {
    const c = config({ 'drachtio.external': 'true', 'rtpengine.enabled': 'false' });
    expect(neededPorts(c).map((p) => p.field)).toEqual(['api.port']);
  });

  it('takes the DTMF port from the environment too (a second instance on one host)', () => {
    const c = loadConfig({ env: { KOROBKA_RTPENGINE_DTMF_LOG_PORT: '24000' }, flags: { dataDir: '/tmp/none-such' } });
    expect(c.rtpengine.dtmfLogPort).toBe(24000);
  });
});

describe('config refuses two listeners of its own on one port', () => {
  it('names both fields', () => {
    expect(problems(() => config({ 'rtpengine.dtmfLogPort': '22222' }))).toEqual(['--rtpengine.dtmfLogPort: rtpengine.dtmfLogPort: must differ from rtpengine.ngPort (both udp 22222), got 22222']);
    expect(problems(() => config({ 'api.port': '9022' }))).toEqual(['korobka.json: drachtio.port: must differ from api.port (both tcp 9022), got 9022']);
  });

  it('allows the same number on different protocols, and on different specific addresses', () => {
    expect(() => config({ 'drachtio.port': '22222' })).not.toThrow(); // tcp vs rtpengine's udp
    expect(() => config({ 'rtpengine.dtmfLogPort': '5060', 'drachtio.external': 'true' })).not.toThrow(); // sip-core not started
  });
});

describe('takenPorts', () => {
  it('names the port another program holds, by field, protocol and address', async () => {
    const [api, sip, drachtio, ng, dtmf] = [await freeTcpPort(), await freePort(), await freeTcpPort(), await freePort(), await freePort()];
    const c = loadConfig({
      env: {},
      flags: { dataDir: '/tmp/none-such', 'api.host': '127.0.0.1', 'api.port': String(api), 'drachtio.port': String(drachtio), 'rtpengine.ngPort': String(ng), 'rtpengine.dtmfLogPort': String(dtmf) },
    });
    const loopback = { ...c, sip: { ...c.sip, listen: [{ transport: 'udp' as const, host: '127.0.0.1', port: sip }] } };
    expect(await takenPorts(loopback)).toEqual([]);

    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(dtmf, '127.0.0.1', r));
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(drachtio, '127.0.0.1', r));
    try {
      const taken = await takenPorts(loopback);
      expect(taken.map(takenMessage)).toEqual([
        `drachtio tcp 127.0.0.1:${drachtio} is taken by another program (set by drachtio.port)`,
        `dtmf events udp 127.0.0.1:${dtmf} is taken by another program (set by rtpengine.dtmfLogPort)`,
      ]);
    } finally {
      udp.close();
      tcp.close();
    }
  });
});
