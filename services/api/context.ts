// What every route handler may use, passed in when the app is built.
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { Store, User } from '../store';
import type { Permission } from './rbac';
import type { SiemStatus } from '../siem';
import type { SupervisorStatus } from '../common/service';
import type { LicencePort } from '../../licensing';
import type { FingerprintComponent } from '../../licensing';
import type { PdStore } from '../pd-store';

export type { SupervisorStatus, SupervisorProcess } from '../common/service';

export interface ApiDeps {
  store: Store;
  config: Readonly<Config>;
  log: Logger;
  /** The licence (appliance/license builds it over this store; tests build their own). */
  licence: LicencePort;
  /** Current supervisor status, or null when the api runs on its own (tests). */
  supervisorStatus: () => SupervisorStatus | null;
  now?: () => Date;
  /** The SIEM forwarder running in this process, for its live status (absent in tests that do not start one). */
  siem?: { status(): SiemStatus };
  /** The hardware fingerprint for licence checks; buildApp fills in a cache when not given. */
  fingerprint?: () => Promise<readonly FingerprintComponent[]>;
  /** The personal-data store; built over the data directory's keys on first use when not given. */
  pd?: PdStore;
}

export interface Actor {
  user: User;
  sessionId: string;
  csrfToken: string;
}

/** Koa state shared by the middlewares. */
export interface ApiState {
  requestId: string;
  body: unknown;
  actor?: Actor;
  permission?: Permission;
}
