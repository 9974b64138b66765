// "Test a number": what the dial plan would do with a dialled string for
// one extension (POST /api/dialplan/test), without placing a call.
import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { testNumber, type DryRunResult } from '../../data/dialplan';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { routeFieldErrors, routeText } from './route-server-text';

@customElement('pbx-dial-test')
export class PbxDialTest extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private number = '';
  @state() private extension = '';
  @state() private result: DryRunResult | null = null;
  @state() private errors: FieldErrors = {};
  @state() private error = '';

  static override styles = [shared];

  override render() {
    return html`<form @submit=${this.submit} novalidate class="row" data-testid="dial-test-form">
        ${textField({ id: 'testNumber', label: t('routes.testNumber'), value: this.number, error: this.errors.number, hint: t('routes.testNumberHint'), onInput: (v) => (this.number = v) })}
        ${textField({ id: 'testExtension', label: t('routes.testExtension'), value: this.extension, error: this.errors.extension, hint: t('routes.testExtensionHint'), onInput: (v) => (this.extension = v.trim()) })}
        <div class="field"><button type="submit">${t('routes.testSubmit')}</button></div>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.result ? this.renderResult(this.result) : nothing}`;
  }

  private renderResult(r: DryRunResult) {
    const n = r.normalised;
    return html`<dl data-testid="dial-test-result" data-outcome=${r.outcome}>
      <dt>${t('routes.resultOutcome')}</dt>
      <dd data-testid="dial-test-outcome">${t(`routes.outcome.${r.outcome}` as MessageKey)}</dd>
      ${n ? html`<dt>${t('routes.resultNumber')}</dt><dd>${n.number} (${t(`routes.class.${n.class}` as MessageKey)})</dd>` : nothing}
      ${r.permission
        ? html`<dt>${t('routes.resultPermission')}</dt>
            <dd>${r.permission.allowed
              ? t('routes.permissionAllowed', { ext: r.permission.extension, level: t(`ext.perm.${r.permission.level}` as MessageKey) })
              : t('routes.permissionRefused', { ext: r.permission.extension, level: t(`ext.perm.${r.permission.level}` as MessageKey), required: t(`ext.perm.${r.permission.required ?? 'international'}` as MessageKey) })}</dd>`
        : nothing}
      ${r.refusal ? html`<dt>${t('routes.resultRefusal')}</dt><dd class="error">${routeText(r.refusal.message)} (SIP ${r.refusal.sipStatus})</dd>` : nothing}
      ${r.route
        ? html`<dt>${t('routes.resultRoute')}</dt>
            <dd data-testid="dial-test-route">${r.route.id === 'emergency-fallback' ? t('routes.emergencyFallback') : r.route.name || r.route.id}</dd>
            <dt>${t('routes.resultTrunks')}</dt>
            <dd><ol data-testid="dial-test-trunks">${r.route.trunks.map(
              (x) => html`<li>${x.name ?? x.ref}${x.enabled ? '' : ` (${t('routes.trunkOff')})`} → ${x.dialNumber}</li>`,
            )}</ol></dd>`
        : nothing}
    </dl>`;
  }

  private async submit(e: Event) {
    e.preventDefault();
    try {
      this.result = await testNumber(this.api, this.number, this.extension || undefined);
      this.errors = {};
      this.error = '';
    } catch (err) {
      this.result = null;
      this.errors = routeFieldErrors(err);
      this.error = formErrorOf(err);
    }
  }
}
