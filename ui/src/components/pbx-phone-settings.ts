import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../app/pbx-element';
import { t } from '../i18n';
import { shared } from '../styles/shared';
import { copySecret } from './copy-secret';
import type { PhoneSettings } from '../data/extensions';

/**
 * What to type into a phone: server and port per transport, SIP domain and
 * realm, user name and — right after create or reset only — the SIP password.
 * It is not the user's sign-in password and is never changed by the phone.
 */
@customElement('pbx-phone-settings')
export class PbxPhoneSettings extends PbxElement {
  @property({ attribute: false }) settings: PhoneSettings | null = null;
  @property() password = '';
  @state() private copied = false;

  static override styles = [
    shared,
    css`
      section {
        border: 2px solid var(--pbx-accent, #0b6b5d);
        border-radius: 10px;
        padding: 1rem;
        background: #f2faf8;
        margin: 1rem 0;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.3rem 1rem;
        margin: 0.5rem 0 1rem;
      }
      dt {
        color: #4a5560;
      }
      dd {
        margin: 0;
      }
      code {
        font-size: 1.05rem;
        padding: 0.15rem 0.45rem;
        background: #fff;
        border: 1px dashed #8a949e;
        border-radius: 6px;
        user-select: all;
      }
    `,
  ];

  override render() {
    const s = this.settings;
    if (!s) return nothing;
    return html`<section role="status" aria-live="polite" data-testid="phone-settings">
      <p><strong>${t('phone.title', { n: s.extension })}</strong></p>
      <dl>
        ${s.servers.map(
          (x) => html`<dt>${t('phone.server', { transport: x.transport.toUpperCase() })}</dt>
            <dd><code data-testid="phone-server-${x.transport}">${x.host}:${x.port}</code></dd>`,
        )}
        <dt>${t('phone.domain')}</dt>
        <dd><code data-testid="phone-domain">${s.domain}</code></dd>
        <dt>${t('phone.username')}</dt>
        <dd><code data-testid="phone-username">${s.username}</code></dd>
        ${this.password
          ? html`<dt>${t('phone.password')}</dt>
              <dd>
                <code data-testid="password-value">${this.password}</code>
                <button type="button" class="secondary" @click=${this.copy} data-testid="copy-password">${this.copied ? t('otp.copied') : t('otp.copy')}</button>
              </dd>`
          : nothing}
      </dl>
      <p>${this.password ? t('phone.passwordOnce') : t('phone.noPassword')}</p>
      <button type="button" @click=${this.done}>${t('phone.done')}</button>
    </section>`;
  }

  private async copy() {
    this.copied = await copySecret(this.password, this.renderRoot.querySelector('[data-testid="password-value"]'));
  }

  private done() {
    this.dispatchEvent(new CustomEvent('pbx-dismiss', { bubbles: true, composed: true }));
  }
}
