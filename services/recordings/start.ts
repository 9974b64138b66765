// The recordings process: `start(config, {log})` opens the store and the key
// ring, sweeps the spool at once and then every sweepIntervalMs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { ServiceDeps, ServiceHandle } from '../common/service';
import { openStore, storeOptionsFrom, type Store } from '../store';
import { rtpengineLiveness } from './call-liveness';
import { loadMasterKey, openKeyring, type Keyring } from './keys';
import { chainKeyFrom } from './hash-chain';
import { RecordingPipeline } from './pipeline';
import { makeConverter, poolSize, WorkerPool, type Converter } from './converter-pool';
import type { DiskUsage } from './recording-gate';
import { RecordingsService } from './recordings-service';
import { Vault } from './vault';

export interface Recordings {
  keyring: Keyring;
  vault: Vault;
  pipeline: RecordingPipeline;
  service: RecordingsService;
  converter: Converter;
}

/**
 * The built worker entry beside this bundle (dist/services/recordings/);
 * running from TypeScript sources there is none and conversion runs inline.
 */
const WORKER_SCRIPT = fileURLToPath(new URL('./convert-worker.js', import.meta.url));

/** Wires the pipeline and the service over an open store (tests build the same world). */
export function buildRecordings(
  config: Readonly<Config>,
  deps: { store: Store; log: Logger; now?: () => Date; diskUsage?: (dir: string) => DiskUsage; isCallLive?: (callId: string) => Promise<boolean>; workerScript?: string },
): Recordings {
  const settings = config.recordings;
  const keyring = openKeyring({ dataDir: config.dataDir, ...(settings.masterKeyPath ? { masterKeyPath: settings.masterKeyPath } : {}) });
  const chainKey = chainKeyFrom(loadMasterKey({ dataDir: config.dataDir, ...(settings.masterKeyPath ? { masterKeyPath: settings.masterKeyPath } : {}) }).key);
  const vault = new Vault(keyring);
  // A capture call-control did not label belongs to the default tenant.
  const defaultTenant = deps.store.tenants.list().find((t) => t.isDefault);
  const converter = makeConverter(deps.workerScript ?? WORKER_SCRIPT, poolSize(settings.converters));
  const pipeline = new RecordingPipeline({
    dataDir: config.dataDir,
    vault,
    repo: deps.store.recordings,
    log: deps.log,
    format: settings.format,
    encoder: { opusBitrate: `${Math.round(settings.opusBitrate / 1000)}k` },
    converter,
    maxDurationMs: settings.maxRecordingHours * 3600_000,
    quarantine: { retryBaseMs: settings.quarantineRetryMs },
    chainKey,
    ...(deps.now ? { now: deps.now } : {}),
    ...(defaultTenant ? { defaultTenantId: String(defaultTenant.id) } : {}),
  });
  const { workerScript: _w, ...serviceDeps } = deps;
  const converters = { size: converter.size, workerThreads: converter instanceof WorkerPool };
  // A paused recording waits for a resume while its call's CDR is open (capture-groups.ts).
  const isCdrOpen = (cdrId: string) => deps.store.cdrs.get(cdrId)?.status === 'in-progress';
  const service = new RecordingsService({ settings, dataDir: config.dataDir, pipeline, converters, chainKey, isCdrOpen, ...serviceDeps });
  return { keyring, vault, pipeline, service, converter };
}

export async function start(config: Readonly<Config>, { log }: ServiceDeps): Promise<ServiceHandle> {
  const settings = config.recordings;
  const store = openStore(path.join(config.dataDir, 'korobka.db'), storeOptionsFrom(config));
  const liveness = config.rtpengine.enabled
    ? await rtpengineLiveness({ host: config.rtpengine.ngHost, port: config.rtpengine.ngPort, log }).catch((err: unknown) => {
        log.warn('cannot ask rtpengine about calls; orphans are judged by idleness only', { err });
        return undefined;
      })
    : undefined;
  const { service, keyring, converter } = buildRecordings(config, { store, log, ...(liveness ? { isCallLive: liveness.isCallLive } : {}) });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (settings.enabled) await service.tick();
    if (!stopped) timer = setTimeout(() => void loop(), settings.sweepIntervalMs);
  };
  void loop();
  log.info('recordings service started', {
    format: settings.format,
    sweepIntervalMs: settings.sweepIntervalMs,
    masterKeyId: keyring.masterKeyId,
    converters: converter.size,
    workerThreads: converter instanceof WorkerPool,
  });
  return {
    health: () => service.health(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await service.idle();
      await converter.close();
      liveness?.close();
      store.close();
    },
  };
}
