// The licence page's calls; the header's summary type lives in license.ts.
import type { Api } from './api';
import type { LicenceSummary } from './license';

export interface LicenceDetails extends LicenceSummary {
  reason: string | null;
  message: string;
  limits: LicenceSummary['limits'] & { tenants: number; features: readonly string[] };
  licence: { id: string; customer: string; issued: string; notBefore: string; expires: string; maintenanceUntil: string | null } | null;
  fingerprint: { matched: number; of: number; needed: number; missing: string[] } | null;
  usage?: { tenants: number };
  /** The last `korobka selftest`; null before the first. */
  selftest?: SelftestSummary | null;
}

export interface SelftestSummary {
  ranAt: string;
  mode: 'quick' | 'full';
  /** Largest profile honoured with the 1.5× margin; null: not even eval. */
  profile: string | null;
  callsPerSecond: number;
  heldCalls: number;
  audioSecondsPerSecond: number;
  machine: { cpus: number; model: string; memGiB: number };
}

export const getLicenceDetails = (api: Api) => api.get<LicenceDetails>('/api/license');
export const installLicence = (api: Api, licence: string) => api.put<LicenceDetails>('/api/license', { licence });
export const ACTIVATION_REQUEST_URL = '/api/license/request';
