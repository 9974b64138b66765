// Applies branding through CSS custom properties on <html>, the title and
// the favicon: done before the login page renders.
import { DEFAULT_BRANDING, TEXT_ON_PRIMARY, type EffectiveBranding } from '../../../shared/branding-rules';

export const DEFAULT_LOGO = '/logo.svg';
export const DEFAULT_FAVICON = '/favicon.svg';

export function fallbackBranding(): EffectiveBranding {
  return { scope: 'default', ...DEFAULT_BRANDING, footerLinks: [], textOnPrimary: TEXT_ON_PRIMARY, logoUrl: null, faviconUrl: null };
}

export function applyBranding(b: EffectiveBranding, doc: Document = document): void {
  const root = doc.documentElement.style;
  root.setProperty('--pbx-primary', b.primaryColor);
  root.setProperty('--pbx-accent', b.accentColor);
  root.setProperty('--pbx-on-primary', b.textOnPrimary);
  doc.title = b.productName;
  let link = doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'icon';
    doc.head.append(link);
  }
  link.href = b.faviconUrl ?? DEFAULT_FAVICON;
}
