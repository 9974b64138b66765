// The call-control process: a drachtio-srf application connected to
// sip-core (or an external drachtio-server). This file holds the process
// lifecycle; call features plug in as they land.
import Srf from 'drachtio-srf';
import type { Config } from '../../appliance/config/schema';
import type { ServiceDeps, ServiceHandle } from '../common/service';

export async function start(config: Readonly<Config>, { log }: ServiceDeps): Promise<ServiceHandle> {
  const srf = new Srf();
  let connected = false;
  let hostport = '';
  let connects = 0;
  srf.on('connect', (err: Error | undefined, hp: string) => {
    if (err) {
      log.error('drachtio connect failed', { err });
      return;
    }
    connected = true;
    connects++;
    hostport = hp;
    log.info('connected to the SIP server', { sip: hp });
  });
  srf.on('error', (err: Error) => {
    if (connected) log.warn('lost the SIP server connection', { err: err.message });
    connected = false;
  });
  srf.connect({ host: config.drachtio.host, port: config.drachtio.port, secret: config.drachtio.secret });
  return {
    health: () => ({ ok: connected, sipServer: `${config.drachtio.host}:${config.drachtio.port}`, listening: hostport, connects }),
    stop: async () => {
      // srf throws when asked to disconnect a socket it never opened.
      if (connected) srf.disconnect();
    },
  };
}
