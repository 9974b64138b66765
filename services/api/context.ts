// What every route handler may use, passed in when the app is built.
import type { Config } from '../../appliance/config/schema';
import type { Logger } from '../common/logger';
import type { Store, User } from '../store';
import type { Permission } from './rbac';
import type { SupervisorStatus } from '../../appliance/supervisor/types';

export type { SupervisorStatus, SupervisorProcess } from '../../appliance/supervisor/types';

export interface ApiDeps {
  store: Store;
  config: Readonly<Config>;
  log: Logger;
  /** Current supervisor status, or null when the api runs on its own (tests). */
  supervisorStatus: () => SupervisorStatus | null;
  now?: () => Date;
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
