// Starts what acts on calls in progress from outside the SIP dialogs: the
// local control channel for the api (control-server.ts) and the feature codes
// phones press, read from rtpengine's DTMF reports (--dtmf-log-dest, set by
// appliance/supervisor/rtpengine-args.ts). Either failing to start is logged
// and shown in health; calls go on without it.
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import type { CallRegistry } from '../call/call-registry';
import type { LiveCalls } from '../calls/live-calls';
import { RecordingControl } from '../calls/recording-control';
import { FeatureCodeCollector } from '../calls/recording-control-codes';
import { DtmfListener } from '../media/dtmf-listener';
import { ControlServer } from './control-server';
import { controlSocketPath } from './protocol';

export interface RunningControl {
  control: RecordingControl;
  health(): { socket: string | null; dtmfPort: number | null; featureCodes: number };
  close(): Promise<void>;
}

export async function startControl(config: Readonly<Config>, deps: { live: LiveCalls; calls?: CallRegistry; log: Logger }): Promise<RunningControl> {
  const { log } = deps;
  const control = new RecordingControl(deps);
  let codes = 0;
  const collector = new FeatureCodeCollector(config.recordings.featureCodes, (callId, sourceTag, code) => {
    codes++;
    void control.featureCode(callId, sourceTag, code);
  });
  const socketPath = controlSocketPath(config);
  const server = await ControlServer.listen(socketPath, { control, log }).catch((err: unknown) => {
    log.error('control channel not started: the api cannot see or control live calls', { socket: socketPath, err: err instanceof Error ? err.message : String(err) });
    return undefined;
  });
  const dtmf = config.rtpengine.enabled
    ? await DtmfListener.listen({ host: '127.0.0.1', port: config.rtpengine.dtmfLogPort, log, onDigit: (d) => {
          // A call waiting for digits (an IVR) gets them; the recording codes are watched on every call.
          deps.calls?.dtmf(d);
          collector.digit(d);
        },
      }).catch((err: unknown) => {
        log.error('dtmf listener not started: feature codes are ignored', { port: config.rtpengine.dtmfLogPort, err: err instanceof Error ? err.message : String(err) });
        return undefined;
      })
    : undefined;
  if (server) log.info('control channel listening', { socket: server.socketPath });
  return {
    control,
    health: () => ({ socket: server?.socketPath ?? null, dtmfPort: dtmf?.port ?? null, featureCodes: codes }),
    close: async () => {
      await server?.close();
      await dtmf?.close();
    },
  };
}
