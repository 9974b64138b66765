import type { Api } from './api';
import type { Me, User } from './types';

export interface LoginResult {
  user: User;
  csrfToken: string;
  mustChangePassword: boolean;
}

export const login = (api: Api, username: string, password: string) =>
  api.post<LoginResult>('/api/auth/login', { username, password });
export const me = (api: Api) => api.get<Me>('/api/auth/me');
export const logout = (api: Api) => api.post<void>('/api/auth/logout');
export const changePassword = (api: Api, currentPassword: string, newPassword: string) =>
  api.post<void>('/api/auth/password', { currentPassword, newPassword });
