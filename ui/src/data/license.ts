import type { Api } from './api';

export type LicenceState = 'valid' | 'expiring-soon' | 'expired-grace' | 'restored-grace' | 'invalid' | 'unlicensed';

/** What GET /api/license answers, as far as the header reads it. */
export interface LicenceSummary {
  state: LicenceState;
  alarm: 'none' | 'warning' | 'critical';
  profile: string;
  limits: { concurrentCalls: number; extensions: number } & Record<string, unknown>;
  daysLeft: number | null;
  graceEnds: string | null;
}

export const getLicence = (api: Api) => api.get<LicenceSummary>('/api/license');
