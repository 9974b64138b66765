// Branding rules shared by the branding page and the API (pure, no DOM; in
// shared/ because the api must not import ui/ and the ui only types from services/):
// defaults, which text sits on which colour, and size limits.

/** Buttons and the header bar draw white text on the primary colour. */
export const TEXT_ON_PRIMARY = '#ffffff';
/** Links and highlights draw the accent colour on the white page. */
export const PAGE_BACKGROUND = '#ffffff';

export const LOGO_MAX_BYTES = 256 * 1024;
export const FAVICON_MAX_BYTES = 64 * 1024;
export const LOGO_MAX_SIDE = 4096;
export const FAVICON_MAX_SIDE = 512;

export interface FooterLink {
  label: string;
  url: string;
}

/** What an admin sets; every field optional, unset falls back to the level above. */
export interface BrandingSettings {
  productName?: string;
  primaryColor?: string;
  accentColor?: string;
  loginText?: string;
  supportUrl?: string;
  footerLinks?: FooterLink[];
}

/** What GET /api/branding answers: every field resolved. */
export interface EffectiveBranding {
  scope: 'default' | 'appliance' | 'tenant';
  productName: string;
  primaryColor: string;
  accentColor: string;
  textOnPrimary: string;
  loginText: string;
  supportUrl: string;
  footerLinks: FooterLink[];
  logoUrl: string | null;
  faviconUrl: string | null;
}

export const DEFAULT_BRANDING = {
  productName: 'Korobka',
  primaryColor: '#1f4e8c',
  accentColor: '#0b6b5d',
  loginText: '',
  supportUrl: '',
  footerLinks: [] as FooterLink[],
} as const;
