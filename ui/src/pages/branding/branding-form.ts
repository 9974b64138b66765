// Live checks of the branding form, mirroring the api's schema and its
// contrast rule (services/api/routes/branding/schema.ts).
import type { FieldErrors } from '../../components/field-errors';
import type { BrandingPatch } from '../../data/branding';
import { t } from '../../i18n';
import { PAGE_BACKGROUND, TEXT_ON_PRIMARY, type BrandingSettings, type FooterLink } from '../../../../shared/branding-rules';
import { contrastOf, isHexColor, MIN_TEXT_CONTRAST, suggestShade } from '../../../../shared/contrast';

export interface BrandingDraft {
  productName: string;
  primaryColor: string;
  accentColor: string;
  loginText: string;
  supportUrl: string;
  footerLinks: FooterLink[];
}

export interface ContrastWarning {
  ratio: number;
  suggestion: string | null;
}

const LINK = /^(https?:\/\/\S+|mailto:\S+)$/i;

function linkOk(v: string): boolean {
  if (!LINK.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}

export function contrastWarning(color: string, which: 'primaryColor' | 'accentColor'): ContrastWarning | null {
  if (!isHexColor(color) || color.length !== 7) return null;
  const against = which === 'primaryColor' ? TEXT_ON_PRIMARY : PAGE_BACKGROUND;
  const ratio = contrastOf(color, against)!;
  return ratio >= MIN_TEXT_CONTRAST ? null : { ratio, suggestion: suggestShade(color, against) };
}

export function brandingDraftErrors(d: BrandingDraft): FieldErrors {
  const e: FieldErrors = {};
  if (!d.productName.trim()) e.productName = t('validation.required');
  else if (d.productName.length > 60) e.productName = t('validation.maxChars', { n: 60 });
  for (const k of ['primaryColor', 'accentColor'] as const) {
    if (!/^#[0-9a-f]{6}$/i.test(d[k])) e[k] = t('srv.color');
    else if (contrastWarning(d[k], k)) e[k] = t('srv.contrast');
  }
  if (d.loginText.length > 500) e.loginText = t('validation.maxChars', { n: 500 });
  if (d.supportUrl && !linkOk(d.supportUrl)) e.supportUrl = t('srv.url');
  d.footerLinks.forEach((l, i) => {
    if (!l.label.trim()) e[`footerLinks[${i}].label`] = t('validation.required');
    if (!linkOk(l.url)) e[`footerLinks[${i}].url`] = t('srv.url');
  });
  return e;
}

const FIELDS = ['productName', 'primaryColor', 'accentColor', 'loginText', 'supportUrl', 'footerLinks'] as const;

/**
 * What to send: a field equal to what the level inherits is not stored
 * (null clears one stored before), so a later change above still reaches it.
 */
export function brandingPatch(d: BrandingDraft, own: BrandingSettings, inherited: BrandingDraft): BrandingPatch {
  const patch: Record<string, unknown> = {};
  for (const k of FIELDS) {
    const same = JSON.stringify(d[k]) === JSON.stringify(inherited[k]);
    if (!same) patch[k] = d[k];
    else if (own[k] !== undefined) patch[k] = null;
  }
  return patch as BrandingPatch;
}

export function draftFrom(effective: Required<Omit<BrandingSettings, never>>): BrandingDraft {
  return {
    productName: effective.productName,
    primaryColor: effective.primaryColor,
    accentColor: effective.accentColor,
    loginText: effective.loginText,
    supportUrl: effective.supportUrl,
    footerLinks: effective.footerLinks.map((l) => ({ ...l })),
  };
}
