import type { ExtensionView } from '../../../services/store';
import type { Api } from './api';

export type Extension = ExtensionView;
export type { PhoneSettings } from '../../../services/api/routes/extensions/phone-settings';
import type { PhoneSettings } from '../../../services/api/routes/extensions/phone-settings';
export type OutboundPermission = Extension['outboundPermission'];
export const OUTBOUND_PERMISSIONS: readonly OutboundPermission[] = ['internal', 'local', 'national', 'international'];

export interface NewExtension {
  extension: string;
  displayName?: string;
  sipUsername?: string;
  outboundPermission?: OutboundPermission;
  callerIdName?: string;
  callerIdNumber?: string;
  dnd?: boolean;
  forward?: Partial<Extension['forward']>;
  userId?: number | null;
}

export interface ImportRowReport {
  index: number;
  line: number;
  values: Record<string, string>;
  errors: Array<{ field: string; message: string }>;
}

export interface ImportPreview {
  dryRun: true;
  columns: string[];
  fileErrors: Array<{ field: string; message: string }>;
  summary: { total: number; valid: number; invalid: number };
  licence: { limit: number; existing: number; adding: number; ok: boolean };
  rows: ImportRowReport[];
  errors: string[];
}

export interface ImportJob {
  id: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  error?: { code: string; message: string };
  passwords?: Array<{ extension: string; sipUsername: string; password: string }>;
  passwordsDelivered: boolean;
}

export const listExtensions = (api: Api, q = '', offset = 0, limit = 50) =>
  api.get<{ extensions: Extension[]; total: number; limit: number; offset: number }>(`/api/extensions?${new URLSearchParams({ q, offset: String(offset), limit: String(limit) })}`);
export const createExtension = (api: Api, e: NewExtension) => api.post<{ extension: Extension; password: string; settings: PhoneSettings }>('/api/extensions', e);
export const phoneSettings = async (api: Api, id: number) => (await api.get<{ settings: PhoneSettings }>(`/api/extensions/${id}/phone-settings`)).settings;
export const updateExtension = (api: Api, id: number, patch: Partial<NewExtension>) => api.patch<{ extension: Extension }>(`/api/extensions/${id}`, patch);
export const resetSipPassword = (api: Api, id: number) => api.post<{ password: string; settings: PhoneSettings }>(`/api/extensions/${id}/reset-password`);
export const deleteExtension = (api: Api, id: number) => api.delete<void>(`/api/extensions/${id}`);
export const previewImport = (api: Api, csv: string) => api.post<ImportPreview>('/api/extensions/import', { csv, dryRun: true });
export const startImport = (api: Api, csv: string) => api.post<{ job: ImportJob }>('/api/extensions/import', { csv, dryRun: false });
export const importStatus = async (api: Api, id: string) => (await api.get<{ job: ImportJob }>(`/api/extensions/import/${id}`)).job;
export const extensionUsage = (api: Api) => api.get<{ extensions: number; tenants: number }>('/api/extensions/usage');

/** The password sheet: `;`-separated with a BOM, as Russian Excel opens it. */
export function passwordSheet(rows: NonNullable<ImportJob['passwords']>): string {
  return '\uFEFFextension;sip_username;password\r\n' + rows.map((r) => `${r.extension};${r.sipUsername};${r.password}\r\n`).join('');
}

export interface Registration {
  tenantId: number;
  extension: string;
  contact: string;
  source: { address: string; port: number; transport: string };
  userAgent: string | null;
  registeredAt: string;
  expiresAt: string;
}

export const listRegistrations = async (api: Api) => (await api.get<{ registrations: Registration[] }>('/api/registrations')).registrations;
