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

export interface SupervisorStatus {
  pid: number;
  updatedAt: string;
  processes: SupervisorProcess[];
}
