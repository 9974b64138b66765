// The contract between the supervisor and every service process.
import type { LicencePort } from '../../licensing';
import type { Config } from './config';
import type { Logger } from './logger';

export type Health = { ok: boolean } & Record<string, unknown>;

export interface ServiceHandle {
  /** Stop accepting work, finish what is safe to finish, release ports and files. */
  stop(): Promise<void>;
  /** Cheap snapshot reported to the supervisor every few seconds. */
  health(): Health;
}

export type ProcessState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

export interface SupervisorProcess {
  name: string;
  state: ProcessState;
  pid: number | null;
  restarts: number;
  since: string;
  lastExit: string | null;
  health: Record<string, unknown> | null;
}

/** What the supervisor writes to <dataDir>/run/status.json every second. */
export interface SupervisorStatus {
  pid: number;
  updatedAt: string;
  processes: SupervisorProcess[];
}

/** The part of the store the licence keeps its clock in (the service's own connection). */
export interface LicenceSettings {
  settings: { get<T>(key: string): T | undefined; set(key: string, value: unknown): void };
  /** The last `korobka selftest`, carried in the activation request for the vendor's sizing. */
  selftests?: { latest(): SelftestForSizing | null };
}

export interface SelftestForSizing {
  ranAt: string;
  mode: 'quick' | 'full';
  profile: string | null;
  callsPerSecond: number;
  heldCalls: number;
  audioSecondsPerSecond: number;
  machine: { cpus: number; memGiB: number };
}

/**
 * What the appliance hands a service besides its config: services do not
 * import appliance/ (README, design), so the licence and the supervisor's
 * view of the processes arrive here.
 */
export interface ServiceDeps {
  log: Logger;
  /** The licence, judged over the service's own store (appliance/license). */
  licence: (store: LicenceSettings) => LicencePort;
  /** The supervisor's latest status file, or null when there is none (a service run alone). */
  supervisorStatus: () => SupervisorStatus | null;
}

export type ServiceStart = (config: Readonly<Config>, deps: ServiceDeps) => Promise<ServiceHandle>;

/** Messages a child sends to the supervisor over the IPC channel. */
export type ChildMessage =
  | { type: 'ready'; health: Health }
  | { type: 'health'; health: Health };
