// The branding form's own rules: what it sends, and what it warns about.
import { describe, expect, it } from 'vitest';
import { brandingDraftErrors, brandingPatch, contrastWarning, type BrandingDraft } from '../../ui/src/pages/branding/branding-form';

const inherited: BrandingDraft = { productName: 'Korobka', primaryColor: '#1f4e8c', accentColor: '#0b6b5d', loginText: '', supportUrl: '', footerLinks: [] };

describe('brandingPatch', () => {
  it('sends nothing for fields equal to what the level inherits', () => {
    expect(brandingPatch({ ...inherited }, {}, inherited)).toEqual({});
  });

  it('sends changed fields, and null for a stored field set back to the inherited value', () => {
    const draft = { ...inherited, productName: 'Банк', footerLinks: [{ label: 'Политика', url: 'https://bank.ru' }] };
    expect(brandingPatch(draft, { accentColor: '#123456' }, inherited)).toEqual({
      productName: 'Банк',
      footerLinks: [{ label: 'Политика', url: 'https://bank.ru' }],
      accentColor: null,
    });
  });
});

describe('brandingDraftErrors and contrastWarning', () => {
  it('accepts the defaults', () => {
    expect(brandingDraftErrors(inherited)).toEqual({});
  });

  it('names each bad field', () => {
    const e = brandingDraftErrors({ ...inherited, productName: ' ', primaryColor: '#fd0', accentColor: '#eeeeee', supportUrl: 'javascript:alert(1)', footerLinks: [{ label: '', url: 'ftp://x' }] });
    expect(Object.keys(e).sort()).toEqual(['accentColor', 'footerLinks[0].label', 'footerLinks[0].url', 'primaryColor', 'productName', 'supportUrl']);
  });

  it('warns with the ratio and a darker suggestion that passes', () => {
    const w = contrastWarning('#ffdd00', 'primaryColor')!;
    expect(w.ratio).toBeCloseTo(1.35, 1);
    expect(w.suggestion).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrastWarning(w.suggestion!, 'primaryColor')).toBeNull();
    expect(contrastWarning('#1f4e8c', 'primaryColor')).toBeNull();
  });
});
