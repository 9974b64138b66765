// Runs one service inside a process started by the supervisor: reads the
// config, starts the service, reports readiness and health over IPC, and
// stops cleanly on SIGTERM/SIGINT.
import { readChildConfig } from '../config/child';
import { licencePort } from '../license/licence-service';
import { readSupervisorStatus } from './status-file';
import { createLogger } from '../../services/common/logger';
import type { ChildMessage, ServiceStart } from '../../services/common/service';

const HEALTH_EVERY_MS = 2000;

export async function runChild(name: string, start: ServiceStart): Promise<void> {
  const config = readChildConfig();
  const log = createLogger({ level: config.logLevel, maskPersonalData: config.logMaskPersonalData, base: { service: name } });
  const send = (m: ChildMessage) => {
    if (process.send && process.connected) process.send(m);
  };
  let handle;
  try {
    handle = await start(config, { log, licence: (store) => licencePort(config, store), supervisorStatus: () => readSupervisorStatus(config.dataDir) });
  } catch (e) {
    log.error('service failed to start', { err: e });
    process.exit(1);
  }
  const service = handle;
  send({ type: 'ready', health: service.health() });
  const timer = setInterval(() => send({ type: 'health', health: service.health() }), HEALTH_EVERY_MS);
  timer.unref();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    clearInterval(timer);
    try {
      await service.stop();
    } catch (e) {
      log.error('stop failed', { err: e });
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // The supervisor is gone: do not linger as an orphan holding SIP ports.
  process.on('disconnect', () => void stop('disconnect'));
  log.info('started');
}
