import type { Api } from './api';
import type { Role, User } from './types';

export interface NewUser {
  username: string;
  displayName?: string;
  role: Role;
  tenantId?: number | null;
}

export const listUsers = async (api: Api) => (await api.get<{ users: User[] }>('/api/users')).users;
export const createUser = (api: Api, u: NewUser) => api.post<{ user: User; password: string }>('/api/users', u);
export const updateUser = (api: Api, id: number, patch: { displayName?: string; role?: Role; disabled?: boolean }) =>
  api.patch<{ user: User }>(`/api/users/${id}`, patch);
export const resetPassword = (api: Api, id: number) => api.post<{ password: string }>(`/api/users/${id}/reset-password`);
export const deleteUser = (api: Api, id: number) => api.delete<void>(`/api/users/${id}`);
