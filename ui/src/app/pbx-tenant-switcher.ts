import { html, css } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Tenant } from '../data/types';
import { t } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';

/** A superadmin's choice of tenant; "all tenants" acts on the appliance. */
@customElement('pbx-tenant-switcher')
export class PbxTenantSwitcher extends PbxElement {
  @property({ attribute: false }) tenants: Tenant[] = [];
  @property({ type: Number }) selected: number | null = null;

  static override styles = [
    shared,
    css`
      label {
        color: var(--pbx-on-primary, #fff);
        font-weight: 400;
        margin-inline-end: 0.4rem;
      }
      select {
        min-height: 2rem;
        padding: 0.2rem 0.4rem;
        max-width: 14rem;
      }
    `,
  ];

  override render() {
    return html`<label for="tenant">${t('tenantSwitcher.label')}</label>
      <select id="tenant" data-testid="tenant-switcher" @change=${this.changed}>
        <option value="" ?selected=${this.selected === null}>${t('tenantSwitcher.all')}</option>
        ${this.tenants.map((x) => html`<option value=${x.id} ?selected=${this.selected === x.id}>${x.name} (${x.sipDomain})</option>`)}
      </select>`;
  }

  private changed(e: Event) {
    const v = (e.target as HTMLSelectElement).value;
    this.dispatchEvent(new CustomEvent<number | null>('pbx-tenant-changed', { detail: v ? Number(v) : null, bubbles: true, composed: true }));
  }
}
