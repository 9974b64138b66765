// The contract between the supervisor and every service process.
import type { Config } from '../../appliance/config/schema';
import type { Logger } from './logger';

export type Health = { ok: boolean } & Record<string, unknown>;

export interface ServiceHandle {
  /** Stop accepting work, finish what is safe to finish, release ports and files. */
  stop(): Promise<void>;
  /** Cheap snapshot reported to the supervisor every few seconds. */
  health(): Health;
}

export interface ServiceDeps {
  log: Logger;
}

export type ServiceStart = (config: Readonly<Config>, deps: ServiceDeps) => Promise<ServiceHandle>;

/** Messages a child sends to the supervisor over the IPC channel. */
export type ChildMessage =
  | { type: 'ready'; health: Health }
  | { type: 'health'; health: Health };
