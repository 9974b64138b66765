// The api process: HTTPS koa server over the store, serving the admin UI.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../common/config';
import { tlsFiles } from '../../provisioning/tls';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore } from '../store';
import { buildApp } from './app';
import { staticFiles } from './static-files';
import { attachLive } from './routes/system';

export { buildApp } from './app';
export type { ApiDeps, SupervisorStatus, SupervisorProcess } from './context';

export function defaultUiDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui');
}

export async function start(config: Readonly<Config>, { log, licence, supervisorStatus }: ServiceDeps): Promise<ServiceHandle> {
  const store = openStore(path.join(config.dataDir, 'korobka.db'));
  const deps = { store, config, log, licence: licence(store), supervisorStatus };
  const { app, routers } = buildApp(deps, [], staticFiles(defaultUiDir()));
  const tls = tlsFiles(config.dataDir);
  const server = https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key), minVersion: 'TLSv1.2' }, app.callback());
  // The live WebSocket shares the HTTPS server; attach before the first request.
  attachLive(server, routers);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => resolve());
  });
  const purge = setInterval(() => store.sessions.purgeExpired(), 3600_000);
  purge.unref();
  log.info('api listening', { host: config.api.host, port: config.api.port });
  return {
    health: () => ({ ok: server.listening, listening: `${config.api.host}:${config.api.port}` }),
    stop: async () => {
      clearInterval(purge);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}
