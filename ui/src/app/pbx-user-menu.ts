import { html, css } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { User } from '../data/types';
import { t, type MessageKey } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';
import './pbx-lang-switch';

/** The signed-in user's menu: language and sign out. Escape closes it. */
@customElement('pbx-user-menu')
export class PbxUserMenu extends PbxElement {
  @property({ attribute: false }) user!: User;
  @state() private open = false;

  static override styles = [
    shared,
    css`
      :host {
        position: relative;
        display: inline-block;
      }
      .toggle {
        background: transparent;
        border-color: var(--pbx-on-primary, #fff);
        color: var(--pbx-on-primary, #fff);
      }
      .menu {
        position: absolute;
        inset-inline-end: 0;
        top: calc(100% + 0.4rem);
        background: #fff;
        color: #1b1f24;
        border: 1px solid #c9d3dd;
        border-radius: 8px;
        box-shadow: 0 6px 24px rgb(0 0 0 / 0.15);
        padding: 0.75rem;
        min-width: 15rem;
        z-index: 10;
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      .who {
        font-weight: 600;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKey);
    document.addEventListener('click', this.onOutsideClick);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('click', this.onOutsideClick);
    super.disconnectedCallback();
  }

  private readonly onOutsideClick = (e: MouseEvent) => {
    if (this.open && !e.composedPath().includes(this)) this.open = false;
  };

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.open) {
      this.open = false;
      this.renderRoot.querySelector<HTMLButtonElement>('.toggle')?.focus();
    }
  };

  override render() {
    const name = this.user.displayName || this.user.username;
    return html`<button
        class="toggle"
        type="button"
        aria-haspopup="true"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="user-menu"
        data-testid="user-menu"
        @click=${() => (this.open = !this.open)}
      >
        ${name}
      </button>
      ${this.open
        ? html`<div class="menu" id="user-menu" role="group" aria-label=${t('menu.label')}>
            <div>
              <div class="who">${name}</div>
              <div class="muted">${t(`role.${this.user.role}` as MessageKey)}</div>
            </div>
            <pbx-lang-switch></pbx-lang-switch>
            <button type="button" class="secondary" data-testid="sign-out" @click=${this.signOut}>${t('menu.signOut')}</button>
          </div>`
        : ''}`;
  }

  private signOut() {
    this.open = false;
    this.dispatchEvent(new CustomEvent('pbx-sign-out', { bubbles: true, composed: true }));
  }
}
