import type { DryRunResult } from '../../../services/api/routes/dialplan/dry-run';
import type { NumberingConfig } from '../../../services/dialplan/normalise';
import type { OutboundRoute } from '../../../services/dialplan/outbound-router';
import type { Api } from './api';

export type { DryRunResult, NumberingConfig, OutboundRoute };

/** A route as the page sends it: a new one has no id yet (the api gives it one). */
export type RouteInput = Omit<OutboundRoute, 'id'> & { id?: string };

export interface DialPlanView {
  tenantId: number;
  numbering: NumberingConfig;
  routes: OutboundRoute[];
}

export const getDialPlan = (api: Api) => api.get<DialPlanView>('/api/dialplan');
export const saveRoutes = async (api: Api, routes: RouteInput[]) => (await api.put<{ routes: OutboundRoute[] }>('/api/dialplan/routes', { routes })).routes;
export const saveNumbering = async (api: Api, numbering: NumberingConfig) => (await api.put<{ numbering: NumberingConfig }>('/api/dialplan/numbering', numbering)).numbering;
export const testNumber = async (api: Api, number: string, extension?: string) =>
  (await api.post<{ result: DryRunResult }>('/api/dialplan/test', { number, ...(extension ? { extension } : {}) })).result;
