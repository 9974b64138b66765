import { html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../app/pbx-element';
import { t } from '../i18n';
import { shared } from '../styles/shared';
import { copySecret } from './copy-secret';

/** A generated password, shown once, with a copy button. */
@customElement('pbx-one-time-password')
export class PbxOneTimePassword extends PbxElement {
  @property() password = '';
  @property() username = '';
  @state() private copied = false;

  static override styles = [
    shared,
    css`
      code {
        font-size: 1.15rem;
        padding: 0.3rem 0.6rem;
        background: #fff;
        border: 1px dashed #8a949e;
        border-radius: 6px;
        user-select: all;
      }
      section {
        border: 2px solid var(--pbx-accent, #0b6b5d);
        border-radius: 10px;
        padding: 1rem;
        background: #f2faf8;
        margin: 1rem 0;
      }
    `,
  ];

  override render() {
    return html`<section role="status" aria-live="polite" data-testid="one-time-password">
      <p><strong>${t('otp.title', { user: this.username })}</strong></p>
      <p>${t('otp.once')}</p>
      <div class="row">
        <code data-testid="password-value">${this.password}</code>
        <button type="button" class="secondary" @click=${this.copy} data-testid="copy-password">${this.copied ? t('otp.copied') : t('otp.copy')}</button>
        <button type="button" @click=${this.done}>${t('otp.done')}</button>
      </div>
    </section>`;
  }

  private async copy() {
    this.copied = await copySecret(this.password, this.renderRoot.querySelector('code'));
  }

  private done() {
    this.dispatchEvent(new CustomEvent('pbx-dismiss', { bubbles: true, composed: true }));
  }
}
