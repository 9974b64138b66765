import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import '../../components/pbx-one-time-password';
import { isApiError, type Api } from '../../data/api';
import { createTenant, deleteTenant, listTenants, updateTenant } from '../../data/tenants';
import type { Tenant } from '../../data/types';
import { formatDateTime, t } from '../../i18n';
import { shared } from '../../styles/shared';
import { tenantDraftErrors, type TenantDraft } from './tenant-form';

const empty: TenantDraft = { name: '', sipDomain: '', username: '', displayName: '' };

@customElement('pbx-tenants-page')
export class PbxTenantsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private tenants: Tenant[] = [];
  @state() private forbidden = false;
  @state() private draft: TenantDraft = { ...empty };
  @state() private touched = new Set<string>();
  @state() private serverErrors: FieldErrors = {};
  @state() private formError = '';
  @state() private listError = '';
  @state() private created: { username: string; password: string } | null = null;
  @state() private busy = false;
  /** The tenant being edited in place, with its draft and the server's answers. */
  @state() private editing: { id: number; name: string; sipDomain: string; errors: FieldErrors; formError: string } | null = null;

  static override styles = [shared];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.tenants = await listTenants(this.api);
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.listError = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('tenants.title')}</h1>
      ${this.listError ? html`<p class="error" role="alert">${this.listError}</p>` : nothing}
      <div class="table-wrap">
        <table data-testid="tenants-table">
          <thead>
            <tr><th>${t('tenants.name')}</th><th>${t('tenants.sipDomain')}</th><th>${t('tenants.created')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th></tr>
          </thead>
          <tbody>
            ${this.tenants.map((x) => (this.editing?.id === x.id ? this.renderEditRow(x) : this.renderRow(x)))}
          </tbody>
        </table>
      </div>
      ${this.created
        ? html`<pbx-one-time-password .username=${this.created.username} .password=${this.created.password} @pbx-dismiss=${() => (this.created = null)}></pbx-one-time-password>`
        : nothing}
      ${this.renderForm()}`;
  }

  private renderRow(x: Tenant) {
    return html`<tr>
      <td>${x.name}${x.isDefault ? html` <span class="muted">(${t('tenants.default')})</span>` : nothing}</td>
      <td>${x.sipDomain}</td>
      <td>${formatDateTime(x.createdAt)}</td>
      <td>
        <div class="row">
          <button type="button" class="secondary" data-testid="edit-${x.sipDomain}" @click=${() => (this.editing = { id: x.id, name: x.name, sipDomain: x.sipDomain, errors: {}, formError: '' })}>
            ${t('common.edit')}
          </button>
          ${x.isDefault ? nothing : html`<button type="button" class="danger" @click=${() => this.removeTenant(x)}>${t('common.delete')}</button>`}
        </div>
      </td>
    </tr>`;
  }

  private editErrors(): FieldErrors {
    const e = this.editing!;
    const local = tenantDraftErrors({ name: e.name, sipDomain: e.sipDomain, username: 'abc', displayName: '' });
    return { name: e.errors.name ?? local.name ?? '', sipDomain: e.errors.sipDomain ?? local.sipDomain ?? '' };
  }

  private renderEditRow(x: Tenant) {
    const e = this.editing!;
    const err = this.editErrors();
    const input = (k: 'name' | 'sipDomain', label: string) =>
      html`<label class="visually-hidden" for="edit-${k}">${label}</label>
        <input id="edit-${k}" .value=${e[k]} aria-invalid=${err[k] ? 'true' : 'false'} aria-describedby="edit-${k}-error"
          @input=${(ev: Event) => this.editField(k, (ev.target as HTMLInputElement).value)} />
        <span class="field-error" id="edit-${k}-error">${err[k]}</span>`;
    return html`<tr>
      <td>${input('name', t('tenants.name'))}</td>
      <td>${input('sipDomain', t('tenants.sipDomain'))}</td>
      <td>${formatDateTime(x.createdAt)}</td>
      <td>
        <div class="row">
          <button type="button" @click=${this.saveEdit}>${t('common.save')}</button>
          <button type="button" class="secondary" @click=${() => (this.editing = null)}>${t('common.cancel')}</button>
        </div>
        <span class="error" role="alert">${e.formError}</span>
      </td>
    </tr>`;
  }

  private editField(k: 'name' | 'sipDomain', v: string) {
    const e = this.editing!;
    const { [k]: _gone, ...errors } = e.errors;
    this.editing = { ...e, [k]: k === 'sipDomain' ? v.trim() : v, errors, formError: '' };
  }

  private async saveEdit() {
    const e = this.editing!;
    const err = this.editErrors();
    if (err.name || err.sipDomain) return;
    try {
      await updateTenant(this.api, e.id, { name: e.name.trim(), sipDomain: e.sipDomain });
      this.editing = null;
      await this.load();
      this.dispatchEvent(new CustomEvent('pbx-tenants-changed', { bubbles: true, composed: true }));
    } catch (ex) {
      this.editing = { ...e, errors: fieldErrorsOf(ex), formError: formErrorOf(ex) };
    }
  }

  private renderForm() {
    const local = tenantDraftErrors(this.draft);
    const err = (k: string) => this.serverErrors[k] ?? (this.touched.has(k) ? local[k] : undefined);
    const d = this.draft;
    return html`<h2>${t('tenants.create')}</h2>
      <form @submit=${this.submit} novalidate data-testid="tenant-form">
        ${textField({ id: 'name', label: t('tenants.name'), value: d.name, error: err('name'), onInput: (v) => this.edit('name', 'name', v) })}
        ${textField({ id: 'sipDomain', label: t('tenants.sipDomain'), value: d.sipDomain, error: err('sipDomain'), hint: t('tenants.sipDomainHint'), onInput: (v) => this.edit('sipDomain', 'sipDomain', v.trim()) })}
        ${textField({ id: 'admin.username', label: t('tenants.adminUsername'), value: d.username, error: err('admin.username'), autocomplete: 'off', onInput: (v) => this.edit('username', 'admin.username', v.trim()) })}
        ${textField({ id: 'admin.displayName', label: t('tenants.adminDisplayName'), value: d.displayName, error: err('admin.displayName'), onInput: (v) => this.edit('displayName', 'admin.displayName', v) })}
        <div class="error" role="alert" data-testid="form-error">${this.formError}</div>
        <button type="submit" ?disabled=${this.busy}>${t('tenants.submit')}</button>
      </form>`;
  }

  private edit(prop: keyof TenantDraft, field: string, v: string) {
    this.draft = { ...this.draft, [prop]: v };
    this.touched = new Set([...this.touched, field]);
    const { [field]: _gone, ...rest } = this.serverErrors;
    this.serverErrors = rest;
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    this.touched = new Set(['name', 'sipDomain', 'admin.username', 'admin.displayName']);
    if (Object.keys(tenantDraftErrors(this.draft)).length > 0) return;
    this.busy = true;
    try {
      const d = this.draft;
      const r = await createTenant(this.api, { name: d.name.trim(), sipDomain: d.sipDomain, admin: { username: d.username, displayName: d.displayName || undefined } });
      this.created = { username: r.admin.username, password: r.password };
      this.draft = { ...empty };
      this.touched = new Set();
      await this.load();
      this.dispatchEvent(new CustomEvent('pbx-tenants-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.serverErrors = fieldErrorsOf(err);
      this.formError = formErrorOf(err);
    } finally {
      this.busy = false;
    }
  }

  private async removeTenant(x: Tenant) {
    if (!confirm(t('tenants.confirmDelete', { name: x.name }))) return;
    try {
      await deleteTenant(this.api, x.id);
      await this.load();
      this.dispatchEvent(new CustomEvent('pbx-tenants-changed', { bubbles: true, composed: true }));
    } catch (e) {
      this.listError = formErrorOf(e);
    }
  }
}
