// The recordings process: `start(config, {log})` opens the store and the key
// ring, sweeps the spool at once and then every sweepIntervalMs.
import path from 'node:path';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore, type Store } from '../store';
import { rtpengineLiveness } from './call-liveness';
import { openKeyring, type Keyring } from './keys';
import { RecordingPipeline } from './pipeline';
import type { DiskUsage } from './recording-gate';
import { RecordingsService } from './recordings-service';
import { Vault } from './vault';

export interface Recordings {
  keyring: Keyring;
  vault: Vault;
  pipeline: RecordingPipeline;
  service: RecordingsService;
}

/** Wires the pipeline and the service over an open store (tests build the same world). */
export function buildRecordings(
  config: Readonly<Config>,
  deps: { store: Store; log: Logger; now?: () => Date; diskUsage?: (dir: string) => DiskUsage; isCallLive?: (callId: string) => Promise<boolean> },
): Recordings {
  const settings = config.recordings;
  const keyring = openKeyring({ dataDir: config.dataDir, ...(settings.masterKeyPath ? { masterKeyPath: settings.masterKeyPath } : {}) });
  const vault = new Vault(keyring);
  // A capture call-control did not label belongs to the default tenant.
  const defaultTenant = deps.store.tenants.list().find((t) => t.isDefault);
  const pipeline = new RecordingPipeline({
    dataDir: config.dataDir,
    vault,
    repo: deps.store.recordings,
    log: deps.log,
    format: settings.format,
    encoder: { opusBitrate: `${Math.round(settings.opusBitrate / 1000)}k` },
    ...(deps.now ? { now: deps.now } : {}),
    ...(defaultTenant ? { defaultTenantId: String(defaultTenant.id) } : {}),
  });
  const service = new RecordingsService({ settings, dataDir: config.dataDir, pipeline, ...deps });
  return { keyring, vault, pipeline, service };
}

export async function start(config: Readonly<Config>, { log }: ServiceDeps): Promise<ServiceHandle> {
  const settings = config.recordings;
  const store = openStore(path.join(config.dataDir, 'korobka.db'));
  const liveness = config.rtpengine.enabled
    ? await rtpengineLiveness({ host: config.rtpengine.ngHost, port: config.rtpengine.ngPort, log }).catch((err: unknown) => {
        log.warn('cannot ask rtpengine about calls; orphans are judged by idleness only', { err });
        return undefined;
      })
    : undefined;
  const { service, keyring } = buildRecordings(config, { store, log, ...(liveness ? { isCallLive: liveness.isCallLive } : {}) });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (settings.enabled) await service.tick();
    if (!stopped) timer = setTimeout(() => void loop(), settings.sweepIntervalMs);
  };
  void loop();
  log.info('recordings service started', { format: settings.format, sweepIntervalMs: settings.sweepIntervalMs, masterKeyId: keyring.masterKeyId });
  return {
    health: () => service.health(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await service.idle();
      liveness?.close();
      store.close();
    },
  };
}
