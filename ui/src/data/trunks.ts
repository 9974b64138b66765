import type { Did, Trunk } from '../../../services/store';
import type { Api } from './api';

export type { Did, Trunk };

export interface TrunkInput {
  name: string;
  kind: Trunk['kind'];
  host?: string | null;
  port?: number;
  transport?: Trunk['transport'];
  username?: string | null;
  /** Write-only; omit to keep the stored one. */
  password?: string;
  registerExpiry?: number;
  addresses?: string[];
  optionsInterval?: number;
  channelLimit?: number;
  outboundCallerId?: string;
}

export const listTrunks = async (api: Api) => (await api.get<{ trunks: Trunk[] }>('/api/trunks')).trunks;
export const createTrunk = (api: Api, t: TrunkInput) => api.post<{ trunk: Trunk }>('/api/trunks', t);
export const updateTrunk = (api: Api, id: number, t: Partial<TrunkInput>) => api.patch<{ trunk: Trunk }>(`/api/trunks/${id}`, t);
export const deleteTrunk = (api: Api, id: number) => api.delete<void>(`/api/trunks/${id}`);
export const listDids = async (api: Api) => (await api.get<{ dids: Did[] }>('/api/dids')).dids;
export const createDid = (api: Api, d: { number: string; trunkId: number | null; destination: Did['destination'] }) => api.post<{ did: Did }>('/api/dids', d);
export const deleteDid = (api: Api, id: number) => api.delete<void>(`/api/dids/${id}`);
