import type { Api } from './api';
import type { Tenant, User } from './types';

export interface NewTenant {
  name: string;
  sipDomain: string;
  admin: { username: string; displayName?: string };
}

export const listTenants = async (api: Api) => (await api.get<{ tenants: Tenant[] }>('/api/tenants')).tenants;
export const createTenant = (api: Api, t: NewTenant) =>
  api.post<{ tenant: Tenant; admin: User; password: string }>('/api/tenants', t);
export const deleteTenant = (api: Api, id: number) => api.delete<void>(`/api/tenants/${id}`);
export const updateTenant = (api: Api, id: number, patch: { name?: string; sipDomain?: string }) =>
  api.patch<{ tenant: Tenant }>(`/api/tenants/${id}`, patch);
