// Shapes the api sends, as the UI reads them. Types only from services/.
import type { LiveMessage } from '../../../services/api/live/live-server';
import type { SystemInfo, SystemSample } from '../../../services/api/live/system-monitor';
import type { Role, Tenant, User, AuditRow } from '../../../services/store';

export type { Role, Tenant, User, AuditRow, SystemInfo, SystemSample, LiveMessage };

export const ROLES: readonly Role[] = ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee', 'dpo'];

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
