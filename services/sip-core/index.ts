// sip-core as a service: `start(config, {log})` → `{stop, health}`.
import type { ServiceStart } from '../common/service';
import { SipCore } from './server';

export { SipCore } from './server';

export const start: ServiceStart = async (config, { log }) => {
  // The admin port controls every call: never run it without a secret.
  if (!config.drachtio.secret) throw new Error('drachtio.secret: must be set (korobka init generates it)');
  if (!isLoopback(config.drachtio.host)) {
    log.warn('drachtio admin port listens beyond loopback', { host: config.drachtio.host });
  }
  const core = await SipCore.start({ config, log });
  return {
    stop: () => core.stop(),
    health: () => ({ ok: true, ...core.health() }),
  };
};

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}
