import type { Alarm } from '../../../services/store';
import type { Api } from './api';

export type { Alarm };

export const activeAlarms = (api: Api) => api.get<{ alarms: Alarm[]; total: number }>('/api/alarms?active=true&limit=5');
