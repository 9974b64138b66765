// The api process: HTTPS koa server over the store, serving the admin UI.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../common/config';
import { tlsFiles } from '../../provisioning/tls';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore, storeOptionsFrom } from '../store';
import { usePdFields } from '../pd-store';
import { buildApp } from './app';
import { staticFiles } from './static-files';
import { attachLive } from './routes/system';
import { ensureHealthToken } from './routes/health/health-token';
import os from 'node:os';
import { SiemForwarder } from '../siem';
import { VERSION } from '../common/version';
import { TLS_POLICY } from '../common/tls-policy';

export { buildApp } from './app';
export type { ApiDeps, SupervisorStatus, SupervisorProcess } from './context';

export { TLS_POLICY };

export function defaultUiDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui');
}

export async function start(config: Readonly<Config>, { log, licence, supervisorStatus }: ServiceDeps): Promise<ServiceHandle> {
  const store = openStore(path.join(config.dataDir, 'korobka.db'), storeOptionsFrom(config));
  // The call history opens sealed CDR parties for the roles that may read them (issue 15).
  usePdFields(store, { dataDir: config.dataDir, masterKeyPath: config.recordings.masterKeyPath });
  ensureHealthToken(config.dataDir);
  // Audit events to the SIEM: here, beside the webhooks, not on the SIP path; it only reads the audit log and a cursor.
  const siem = new SiemForwarder({ store, log: log.child({ part: 'siem' }), hostname: os.hostname(), version: VERSION });
  siem.start();
  const deps = { store, config, log, licence: licence(store), supervisorStatus, siem };
  const { app, routers } = buildApp(deps, [], staticFiles(defaultUiDir()));
  const tls = tlsFiles(config.dataDir);
  const server = https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key), ...TLS_POLICY }, app.callback());
  // The live WebSocket shares the HTTPS server; attach before the first request.
  attachLive(server, routers);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => resolve());
  });
  const purge = setInterval(() => store.sessions.purgeExpired(), 3600_000);
  purge.unref();
  // Signed audit checkpoints while rows are uncovered, so truncation is detected within this interval.
  const checkpoints = setInterval(() => {
    try {
      store.audit.checkpointIfDue(config.audit.checkpointEverySeconds * 1000);
    } catch (err) {
      log.error('audit checkpoint failed', { err });
    }
  }, Math.min(60_000, config.audit.checkpointEverySeconds * 1000));
  checkpoints.unref();
  log.info('api listening', { host: config.api.host, port: config.api.port });
  return {
    health: () => ({ ok: server.listening, listening: `${config.api.host}:${config.api.port}` }),
    stop: async () => {
      clearInterval(purge);
      clearInterval(checkpoints);
      await siem.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}
