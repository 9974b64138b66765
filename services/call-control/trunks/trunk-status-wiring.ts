// Trunk signalling inside the call-control process: the trunk directory's
// trunks, drachtio-srf for REGISTER and OPTIONS, the alarms table, the real
// clock. Nothing is sent before the SIP server connection is up (the
// Contact needs its listener); a sync runs as soon as it is, and after
// every change the directory reports.
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import type { TrunkDirectory } from './trunk-directory';
import { TrunkSignalling } from './trunk-status';
import { signallingTrunks, storeAlarms } from './trunk-status-source';
import { listenerFor, realClock, srfSender } from './trunk-registration-transport';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack request() and connect's hostport
type Loose = any;

export interface TrunkSignallingWiring {
  sync(): Promise<void>;
  snapshot: TrunkSignalling['snapshot'];
  /** For call routing: skip a trunk that is down or whose registration failed. */
  isUsable: TrunkSignalling['isUsable'];
  stop(): Promise<void>;
}

export function trunkSignalling(o: { directory: TrunkDirectory; store: Store; srf: Loose; hostport: () => string; log: Logger }): TrunkSignallingWiring {
  const log = o.log.child({ part: 'trunk-signalling' });
  const signalling = new TrunkSignalling({
    load: signallingTrunks(() => o.directory.list()),
    send: srfSender(o.srf),
    contactHost: (transport) => listenerFor(o.hostport(), transport),
    alarms: storeAlarms(o.store),
    clock: realClock,
    log,
  });
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  // One sync at a time (an un-REGISTER can take a while); a change arriving meanwhile runs another.
  const sync = (): Promise<void> => {
    if (stopped || o.hostport() === '') return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await signalling.sync();
      } while (again && !stopped);
    })().finally(() => (running = undefined));
    return running;
  };
  const syncSoon = () =>
    setImmediate(() => {
      sync().catch((err: unknown) => log.error('trunk sync failed', { err }));
    });
  o.directory.onChange(syncSoon);
  o.srf.on('connect', (err: Error | undefined) => {
    if (!err) syncSoon();
  });
  return {
    sync,
    snapshot: () => signalling.snapshot(),
    isUsable: (id) => signalling.isUsable(id),
    stop: async () => {
      stopped = true;
      await running;
      await signalling.stop();
    },
  };
}
