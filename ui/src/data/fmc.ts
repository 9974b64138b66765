import type { GatewayView } from '../../../services/api/routes/fmc/gateways';
import type { SimView } from '../../../services/api/routes/fmc/sims';
import type { DeviceSetting, GatewayTemplate, GatewayTemplateId } from '../../../services/fmc';
import type { Api } from './api';

export type { GatewayView, SimView, GatewayTemplate, GatewayTemplateId, DeviceSetting };

export interface GatewayInput {
  name: string;
  template: GatewayTemplateId;
  host?: string | null;
  portCount?: number;
  cityCode?: string | null;
  imei?: string | null;
  password?: string;
}

export interface SimInput {
  iccid?: string;
  msisdn?: string;
  operator?: SimView['operator'];
  gatewayId?: number | null;
  port?: number | null;
  extension?: string | null;
  userRegistered?: boolean;
  contract?: string;
  ringMode?: SimView['ringMode'];
  ringDelay?: number;
}

export interface SimImportRow {
  index: number;
  line: number;
  values: Record<string, string>;
  errors: Array<{ field: string; message: string }>;
}

export interface SimImportResult {
  dryRun: boolean;
  imported?: number;
  fileErrors: Array<{ field: string; message: string }>;
  summary: { total: number; valid: number; invalid: number };
  rows: SimImportRow[];
}

export const listGateways = async (api: Api) => (await api.get<{ gateways: GatewayView[] }>('/api/gateways')).gateways;
export const getGateway = (api: Api, id: number) => api.get<{ gateway: GatewayView; deviceSettings: DeviceSetting[] }>(`/api/gateways/${id}`);
export const listTemplates = async (api: Api) => (await api.get<{ templates: GatewayTemplate[] }>('/api/gateways/templates')).templates;
export const createGateway = (api: Api, g: GatewayInput) => api.post<{ gateway: GatewayView; password?: string }>('/api/gateways', g);
export const deleteGateway = (api: Api, id: number) => api.delete<void>(`/api/gateways/${id}`);
export const listSims = async (api: Api) => (await api.get<{ sims: SimView[] }>('/api/sims')).sims;
export const createSim = (api: Api, s: SimInput) => api.post<{ sim: SimView }>('/api/sims', s);
export const updateSim = (api: Api, id: number, s: SimInput) => api.patch<{ sim: SimView }>(`/api/sims/${id}`, s);
export const deleteSim = (api: Api, id: number) => api.delete<void>(`/api/sims/${id}`);
export const importSims = (api: Api, csv: string, dryRun: boolean) => api.post<SimImportResult>('/api/sims/import', { csv, dryRun });
