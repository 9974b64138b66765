import type { BrandingSettings, EffectiveBranding } from '../../../shared/branding-rules';
import type { Api } from './api';

export interface BrandingEdit {
  scope: { tenantId: number | null };
  settings: BrandingSettings;
  effective: EffectiveBranding;
  /** What this level falls back to: the appliance for a tenant, the defaults for the appliance. */
  inherited: EffectiveBranding;
  logo: { type: string; bytes: number } | null;
  favicon: { type: string; bytes: number } | null;
}

export const getBranding = (api: Api, domain?: string) =>
  api.get<EffectiveBranding>('/api/branding' + (domain ? `?domain=${encodeURIComponent(domain)}` : ''));
export const getBrandingEdit = (api: Api) => api.get<BrandingEdit>('/api/branding/edit');
/** Given fields replace, null clears back to the inherited value. */
export type BrandingPatch = { [K in keyof BrandingSettings]?: BrandingSettings[K] | null };

export const saveBranding = (api: Api, s: BrandingPatch) => api.put<BrandingEdit>('/api/branding', s);
export const resetBranding = (api: Api) => api.delete<void>('/api/branding');

export async function uploadImage(api: Api, kind: 'logo' | 'favicon', file: File): Promise<BrandingEdit> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return api.put<BrandingEdit>(`/api/branding/${kind}`, { data: btoa(bin) });
}
