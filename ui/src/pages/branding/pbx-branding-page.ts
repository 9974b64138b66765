import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_LOGO } from '../../app/apply-branding';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { getBrandingEdit, resetBranding, saveBranding, uploadImage, type BrandingEdit } from '../../data/branding';
import type { Tenant } from '../../data/types';
import { formatNumber, t } from '../../i18n';
import { FAVICON_MAX_BYTES, LOGO_MAX_BYTES } from '../../../../shared/branding-rules';
import { shared } from '../../styles/shared';
import { brandingDraftErrors, brandingPatch, contrastWarning, draftFrom, type BrandingDraft } from './branding-form';
import { brandingStyles } from './branding-styles';

@customElement('pbx-branding-page')
export class PbxBrandingPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private edit: BrandingEdit | null = null;
  @state() private draft: BrandingDraft | null = null;
  @state() private serverErrors: FieldErrors = {};
  @state() private formError = '';
  @state() private saved = '';
  @state() private forbidden = false;
  @state() private busy = false;

  static override styles = [shared, brandingStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.show(await getBrandingEdit(this.api));
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.formError = formErrorOf(e);
    }
  }

  private show(edit: BrandingEdit) {
    this.edit = edit;
    this.draft = draftFrom(edit.effective);
  }

  private changed() {
    this.dispatchEvent(new CustomEvent('pbx-branding-changed', { bubbles: true, composed: true }));
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    if (!this.draft || !this.edit) {
      return html`<h1>${t('branding.title')}</h1>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : html`<p class="muted" role="status">${t('app.loading')}</p>`}`;
    }
    const d = this.draft;
    const local = brandingDraftErrors(d);
    const err = (k: string) => this.serverErrors[k] ?? local[k];
    return html`<h1>${t('branding.title')}</h1>
      <p class="muted" data-testid="branding-scope">${this.tenant ? t('branding.scopeTenant', { name: this.tenant.name }) : t('branding.scopeAppliance')}</p>
      <div class="layout">
        <form @submit=${this.submit} novalidate data-testid="branding-form">
          ${textField({ id: 'productName', label: t('branding.productName'), value: d.productName, error: err('productName'), maxlength: 60, onInput: (v) => this.set({ productName: v }, 'productName') })}
          ${this.colorField('primaryColor', t('branding.primaryColor'), t('branding.primaryHint'))}
          ${this.colorField('accentColor', t('branding.accentColor'), t('branding.accentHint'))}
          <div class="field">
            <label for="loginText">${t('branding.loginText')}</label>
            <textarea id="loginText" rows="3" maxlength="500" .value=${d.loginText} aria-describedby="loginText-error"
              @input=${(e: Event) => this.set({ loginText: (e.target as HTMLTextAreaElement).value }, 'loginText')}></textarea>
            <span class="field-error" id="loginText-error">${err('loginText') ?? ''}</span>
          </div>
          ${textField({ id: 'supportUrl', label: t('branding.supportUrl'), value: d.supportUrl, error: err('supportUrl'), hint: t('branding.urlHint'), onInput: (v) => this.set({ supportUrl: v.trim() }, 'supportUrl') })}
          ${this.renderLinks(err)}
          <div class="error" role="alert" data-testid="form-error">${this.formError}</div>
          <div class="row">
            <button type="submit" ?disabled=${this.busy} data-testid="branding-save">${t('common.save')}</button>
            <button type="button" class="danger" @click=${this.reset}>${t('branding.reset')}</button>
            <span role="status" data-testid="branding-saved">${this.saved}</span>
          </div>
        </form>
        <div>${this.renderPreview()} ${this.renderImages()}</div>
      </div>`;
  }

  private colorField(k: 'primaryColor' | 'accentColor', label: string, hint: string) {
    const d = this.draft!;
    const warn = contrastWarning(d[k], k);
    const error = this.serverErrors[k] ?? (!/^#[0-9a-f]{6}$/i.test(d[k]) ? t('srv.color') : undefined);
    return html`<div class="field">
      <label for=${k}>${label}</label>
      <div class="row">
        <input type="color" .value=${/^#[0-9a-f]{6}$/i.test(d[k]) ? d[k] : '#000000'} aria-label=${label}
          @input=${(e: Event) => this.set({ [k]: (e.target as HTMLInputElement).value }, k)} />
        <input id=${k} class="hex" .value=${d[k]} maxlength="7" aria-invalid=${error || warn ? 'true' : 'false'} aria-describedby="${k}-hint ${k}-error ${k}-warning"
          @input=${(e: Event) => this.set({ [k]: (e.target as HTMLInputElement).value.trim() }, k)} />
      </div>
      <span class="hint" id="${k}-hint">${hint}</span>
      <span class="field-error" id="${k}-error">${error ?? ''}</span>
      <div id="${k}-warning" aria-live="polite">
        ${warn
          ? html`<div class="warning" data-testid="${k}-warning">
              ${t('branding.contrastWarning', { ratio: formatNumber(warn.ratio, 2) })}
              ${warn.suggestion
                ? html`<button type="button" class="secondary" data-testid="${k}-suggestion" @click=${() => this.set({ [k]: warn.suggestion! }, k)}>
                    ${t('branding.useSuggestion', { color: warn.suggestion })}
                  </button>`
                : nothing}
            </div>`
          : nothing}
      </div>
    </div>`;
  }

  private renderLinks(err: (k: string) => string | undefined) {
    const links = this.draft!.footerLinks;
    return html`<fieldset>
      <legend>${t('branding.footerLinks')}</legend>
      ${links.map(
        (l, i) => html`<div class="link-row">
          ${textField({ id: `footerLinks[${i}].label`, label: t('branding.linkLabel'), value: l.label, error: err(`footerLinks[${i}].label`), onInput: (v) => this.setLink(i, { label: v }) })}
          ${textField({ id: `footerLinks[${i}].url`, label: t('branding.linkUrl'), value: l.url, error: err(`footerLinks[${i}].url`), onInput: (v) => this.setLink(i, { url: v.trim() }) })}
          <button type="button" class="secondary" @click=${() => this.set({ footerLinks: links.filter((_, j) => j !== i) }, 'footerLinks')}>${t('common.remove')}</button>
        </div>`,
      )}
      ${links.length < 5
        ? html`<button type="button" class="secondary" @click=${() => this.set({ footerLinks: [...links, { label: '', url: 'https://' }] }, 'footerLinks')}>${t('branding.addLink')}</button>`
        : nothing}
    </fieldset>`;
  }

  private renderPreview() {
    const d = this.draft!;
    const style = `--pbx-primary:${d.primaryColor};--pbx-accent:${d.accentColor}`;
    return html`<section class="preview card" style=${style} aria-label=${t('branding.preview')}>
      <h2>${t('branding.preview')}</h2>
      <div class="bar"><img src=${this.edit!.effective.logoUrl ?? DEFAULT_LOGO} alt="" data-testid="preview-logo" /><strong>${d.productName}</strong></div>
      <p><button type="button" tabindex="-1">${t('branding.sampleButton')}</button> <a href="#" tabindex="-1" @click=${(e: Event) => e.preventDefault()}>${t('branding.sampleLink')}</a></p>
    </section>`;
  }

  private renderImages() {
    const e = this.edit!;
    const kb = (n: number) => formatNumber(Math.max(0.1, n / 1024), n < 10 * 1024 ? 1 : 0);
    return html`<section class="card images">
      <h2>${t('branding.images')}</h2>
      <div class="field">
        <label for="logo">${t('branding.logo')}</label>
        <input id="logo" type="file" accept="image/png,image/svg+xml,.png,.svg" aria-describedby="logo-hint logo-error" @change=${(ev: Event) => this.upload('logo', ev)} />
        <span class="hint" id="logo-hint">${t('branding.imageHint', { kb: kb(LOGO_MAX_BYTES) })} ${e.logo ? t('branding.current', { type: e.logo.type.toUpperCase(), kb: kb(e.logo.bytes) }) : ''}</span>
        <span class="field-error" id="logo-error" data-testid="logo-error">${this.serverErrors.logo ?? ''}</span>
      </div>
      <div class="field">
        <label for="favicon">${t('branding.favicon')}</label>
        <input id="favicon" type="file" accept="image/png,image/svg+xml,.png,.svg" aria-describedby="favicon-hint favicon-error" @change=${(ev: Event) => this.upload('favicon', ev)} />
        <span class="hint" id="favicon-hint">${t('branding.imageHint', { kb: kb(FAVICON_MAX_BYTES) })} ${e.favicon ? t('branding.current', { type: e.favicon.type.toUpperCase(), kb: kb(e.favicon.bytes) }) : ''}</span>
        <span class="field-error" id="favicon-error" data-testid="favicon-error">${this.serverErrors.favicon ?? ''}</span>
      </div>
    </section>`;
  }

  private set(patch: Partial<BrandingDraft>, field: string) {
    this.draft = { ...this.draft!, ...patch };
    this.saved = '';
    this.formError = '';
    this.serverErrors = Object.fromEntries(Object.entries(this.serverErrors).filter(([k]) => k !== field && !k.startsWith(field + '[')));
  }

  private setLink(i: number, patch: Partial<{ label: string; url: string }>) {
    const links = this.draft!.footerLinks.map((l, j) => (j === i ? { ...l, ...patch } : l));
    this.set({ footerLinks: links }, `footerLinks[${i}]`);
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (Object.keys(brandingDraftErrors(this.draft!)).length > 0) {
      this.formError = t('error.validation-failed');
      return;
    }
    this.busy = true;
    try {
      const d = { ...this.draft!, productName: this.draft!.productName.trim() };
      const e = this.edit!;
      this.show(await saveBranding(this.api, brandingPatch(d, e.settings, draftFrom(e.inherited))));
      this.saved = t('branding.saved');
      this.changed();
    } catch (err) {
      this.serverErrors = fieldErrorsOf(err);
      this.formError = formErrorOf(err);
    } finally {
      this.busy = false;
    }
  }

  private async upload(kind: 'logo' | 'favicon', ev: Event) {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const { [kind]: _gone, ...rest } = this.serverErrors;
    this.serverErrors = rest;
    const limit = kind === 'logo' ? LOGO_MAX_BYTES : FAVICON_MAX_BYTES;
    if (file.size > limit) {
      this.serverErrors = { ...this.serverErrors, [kind]: t('branding.tooLarge', { kb: formatNumber(limit / 1024, 0) }) };
      input.value = '';
      return;
    }
    try {
      // Only the images change: unsaved edits in the form stay as typed.
      this.edit = await uploadImage(this.api, kind, file);
      this.saved = t('branding.saved');
      this.changed();
    } catch (err) {
      this.serverErrors = { ...this.serverErrors, [kind]: imageError(err) };
    } finally {
      input.value = '';
    }
  }

  private async reset() {
    if (!confirm(t('branding.confirmReset'))) return;
    try {
      await resetBranding(this.api);
      await this.load();
      this.saved = t('branding.resetDone');
      this.changed();
    } catch (err) {
      this.formError = formErrorOf(err);
    }
  }
}

function imageError(err: unknown): string {
  if (isApiError(err) && err.code.startsWith('image-')) {
    const key = `error.${err.code}` as const;
    const reason = err.message.includes(': ') ? err.message.slice(err.message.indexOf(': ') + 2) : '';
    return reason ? `${t(key as 'error.image-broken')} (${reason})` : t(key as 'error.image-broken');
  }
  return formErrorOf(err);
}
