// Shapes the api sends, as the UI reads them. Types only from services/.
import type { Role, Tenant, User, AuditRow } from '../../../services/store';

export type { Role, Tenant, User, AuditRow };

export const ROLES: readonly Role[] = ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'];

export interface Me {
  user: User;
  tenant: Tenant | null;
  csrfToken: string;
  mustChangePassword: boolean;
}

export interface HealthProcess {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  healthy: boolean;
}

export interface Health {
  ok: boolean;
  status: string;
  version: string;
  uptimeSeconds: number;
  supervisor: { pid: number; updatedAt: string; stale: boolean } | null;
  processes: HealthProcess[];
}

export interface SystemSample {
  at: string;
  cpuPercent: number;
  memoryPercent: number;
}

export interface SystemInfo {
  hostname: string;
  cpu: { cores: number; model: string; loadPercent: number; loadAverage: number[] };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; percent: number };
  disk: { mount: string; totalBytes: number; usedBytes: number; percent: number } | null;
  uptimeSeconds: number;
  processUptimeSeconds: number;
  history: SystemSample[];
  calls: { available: false };
  registrations: { available: false };
}

export interface LiveMessage {
  type: 'system';
  sample: SystemSample;
  system: SystemInfo;
}
