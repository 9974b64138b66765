import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_LOGO } from '../../app/apply-branding';
import { PbxElement } from '../../app/pbx-element';
import '../../app/pbx-lang-switch';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { changePassword } from '../../data/session';
import { t } from '../../i18n';
import type { EffectiveBranding } from '../../../../shared/branding-rules';
import { shared } from '../../styles/shared';
import { loginStyles } from './login-styles';
import { passwordProblemKey } from './password-rules';

/** The forced change of a one-time password, before anything else. */
@customElement('pbx-password-page')
export class PbxPasswordPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) branding!: EffectiveBranding;
  @property() username = '';
  @state() private current = '';
  @state() private next = '';
  @state() private repeat = '';
  @state() private serverErrors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;
  @state() private submitted = false;

  static override styles = [shared, loginStyles];

  private validate(): FieldErrors {
    const e: FieldErrors = {};
    if (!this.current) e.currentPassword = t('validation.required');
    const problem = passwordProblemKey(this.next, this.username);
    if (problem) e.newPassword = t(problem);
    else if (this.next === this.current) e.newPassword = t('srv.passwordSame');
    if (this.repeat !== this.next) e.repeat = t('password.mismatch');
    return e;
  }

  override render() {
    const local = this.validate();
    // Rules show once a field has something in it, or after a submit.
    const show = (k: string, v: string) => (this.submitted || v ? (this.serverErrors[k] ?? local[k]) : this.serverErrors[k]);
    return html`<section class="card" aria-labelledby="title">
      <div class="top"><pbx-lang-switch></pbx-lang-switch></div>
      <div class="brand"><img src=${this.branding.logoUrl ?? DEFAULT_LOGO} alt="" /><span>${this.branding.productName}</span></div>
      <h1 id="title">${t('password.title')}</h1>
      <p>${t('password.intro')}</p>
      <form @submit=${this.submit} novalidate>
        ${textField({ id: 'currentPassword', label: t('password.current'), value: this.current, error: show('currentPassword', this.current), type: 'password', autocomplete: 'current-password', onInput: (v) => this.update1('current', 'currentPassword', v) })}
        ${textField({ id: 'newPassword', label: t('password.new'), value: this.next, error: show('newPassword', this.next), hint: t('password.rules'), type: 'password', autocomplete: 'new-password', onInput: (v) => this.update1('next', 'newPassword', v) })}
        ${textField({ id: 'repeat', label: t('password.repeat'), value: this.repeat, error: show('repeat', this.repeat), type: 'password', autocomplete: 'new-password', onInput: (v) => this.update1('repeat', 'repeat', v) })}
        <div class="error" role="alert">${this.formError}</div>
        <button type="submit" ?disabled=${this.busy}>${t('password.submit')}</button>
      </form>
    </section>`;
  }

  private update1(prop: 'current' | 'next' | 'repeat', field: string, v: string) {
    this[prop] = v;
    const { [field]: _gone, ...rest } = this.serverErrors;
    this.serverErrors = rest;
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    this.submitted = true;
    if (Object.keys(this.validate()).length > 0) return;
    this.busy = true;
    try {
      await changePassword(this.api, this.current, this.next);
      this.dispatchEvent(new CustomEvent('pbx-password-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.serverErrors = fieldErrorsOf(err);
      this.formError = formErrorOf(err);
    } finally {
      this.busy = false;
    }
  }
}
