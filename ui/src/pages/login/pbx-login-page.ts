import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_LOGO } from '../../app/apply-branding';
import { PbxElement } from '../../app/pbx-element';
import '../../app/pbx-lang-switch';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { login } from '../../data/session';
import { t } from '../../i18n';
import type { EffectiveBranding } from '../../../../shared/branding-rules';
import { shared } from '../../styles/shared';
import { loginStyles } from './login-styles';

@customElement('pbx-login-page')
export class PbxLoginPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) branding!: EffectiveBranding;
  @state() private username = '';
  @state() private password = '';
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;
  @state() private touched = false;

  static override styles = [shared, loginStyles];

  private validate(): FieldErrors {
    const e: FieldErrors = {};
    if (!this.username.trim()) e.username = t('validation.required');
    if (!this.password) e.password = t('validation.required');
    return e;
  }

  override render() {
    const b = this.branding;
    const shown = this.touched ? { ...this.validate(), ...this.errors } : this.errors;
    return html`<section class="card" aria-labelledby="title">
      <div class="top"><pbx-lang-switch></pbx-lang-switch></div>
      <div class="brand">
        <img src=${b.logoUrl ?? DEFAULT_LOGO} alt="" data-testid="login-logo" />
        <span>${b.productName}</span>
      </div>
      <h1 id="title">${t('login.title')}</h1>
      ${b.loginText ? html`<p class="login-text" data-testid="login-text">${b.loginText}</p>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${textField({ id: 'username', label: t('login.username'), value: this.username, error: shown.username, autocomplete: 'username', required: true, onInput: (v) => this.set('username', v) })}
        ${textField({ id: 'password', label: t('login.password'), value: this.password, error: shown.password, type: 'password', autocomplete: 'current-password', required: true, onInput: (v) => this.set('password', v) })}
        <div class="error" role="alert" data-testid="form-error">${this.formError}</div>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t('login.signingIn') : t('login.submit')}</button>
      </form>
      <div class="links">
        ${b.supportUrl ? html`<a href=${b.supportUrl} rel="noopener" target="_blank">${t('footer.support')}</a>` : nothing}
        ${b.footerLinks.map((l) => html`<a href=${l.url} rel="noopener" target="_blank">${l.label}</a>`)}
      </div>
    </section>`;
  }

  private set(field: 'username' | 'password', v: string) {
    this[field] = v;
    const { [field]: _gone, ...rest } = this.errors;
    this.errors = rest;
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    this.touched = true;
    if (Object.keys(this.validate()).length > 0) return;
    this.busy = true;
    this.formError = '';
    try {
      const r = await login(this.api, this.username.trim(), this.password);
      this.api.csrfToken = r.csrfToken;
      this.password = '';
      this.dispatchEvent(new CustomEvent('pbx-signed-in', { detail: r, bubbles: true, composed: true }));
    } catch (err) {
      this.errors = fieldErrorsOf(err);
      this.formError = formErrorOf(err);
    } finally {
      this.busy = false;
    }
  }
}
