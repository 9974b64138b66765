import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import '../../components/pbx-one-time-password';
import { isApiError, type Api } from '../../data/api';
import { createUser, deleteUser, listUsers, resetPassword, updateUser } from '../../data/users';
import { ROLES, type Role, type Tenant, type User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { usernameError } from '../tenants/tenant-form';

const roleName = (r: Role) => t(`role.${r}` as MessageKey);

@customElement('pbx-users-page')
export class PbxUsersPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenants: Tenant[] = [];
  /** The superadmin's chosen tenant (null: all). */
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private users: User[] = [];
  @state() private forbidden = false;
  @state() private username = '';
  @state() private displayName = '';
  @state() private newRole: Role = 'employee';
  @state() private touched = false;
  @state() private serverErrors: FieldErrors = {};
  @state() private formError = '';
  @state() private listError = '';
  @state() private shown: { username: string; password: string } | null = null;
  @state() private editingName: { id: number; value: string; error: string } | null = null;

  static override styles = [
    shared,
    css`
      td .row {
        gap: 0.4rem;
      }
      td button {
        padding: 0.2rem 0.6rem;
        min-height: 1.9rem;
      }
      button.small {
        margin-inline-start: 0.4rem;
        font-size: 0.8rem;
        min-height: 1.6rem;
        padding: 0.1rem 0.45rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.users = await listUsers(this.api);
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.listError = formErrorOf(e);
    }
  }

  private grantable(): Role[] {
    if (this.me.role !== 'superadmin') return ROLES.filter((r) => r !== 'superadmin').reverse();
    // Without a chosen tenant a superadmin creates appliance-level users only.
    return this.tenant ? ROLES.filter((r) => r !== 'superadmin').reverse() : ['auditor', 'superadmin'];
  }

  private tenantName(id: number | null): string {
    if (id === null) return t('users.appliance');
    return this.tenants.find((x) => x.id === id)?.name ?? String(id);
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('users.title')}</h1>
      ${this.listError ? html`<p class="error" role="alert">${this.listError}</p>` : nothing}
      ${this.shown
        ? html`<pbx-one-time-password .username=${this.shown.username} .password=${this.shown.password} @pbx-dismiss=${() => (this.shown = null)}></pbx-one-time-password>`
        : nothing}
      <div class="table-wrap">
        <table data-testid="users-table">
          <thead>
            <tr>
              <th>${t('users.username')}</th><th>${t('users.displayName')}</th><th>${t('users.role')}</th>
              ${this.me.role === 'superadmin' ? html`<th>${t('users.tenant')}</th>` : nothing}
              <th>${t('users.status')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th>
            </tr>
          </thead>
          <tbody>${this.users.map((u) => this.renderRow(u))}</tbody>
        </table>
      </div>
      ${this.renderForm()}`;
  }

  private renderRow(u: User) {
    const self = u.id === this.me.id;
    return html`<tr>
      <td>${u.username}</td>
      <td>${this.renderName(u)}</td>
      <td>${this.renderRole(u, self)}</td>
      ${this.me.role === 'superadmin' ? html`<td>${this.tenantName(u.tenantId)}</td>` : nothing}
      <td>${u.disabled ? t('users.disabled') : u.mustChangePassword ? t('users.mustChange') : t('users.active')}</td>
      <td>
        ${self
          ? nothing
          : html`<div class="row">
              <button type="button" class="secondary" @click=${() => this.reset(u)}>${t('users.resetPassword')}</button>
              <button type="button" class="secondary" @click=${() => this.toggle(u)}>${u.disabled ? t('users.enable') : t('users.disable')}</button>
              <button type="button" class="danger" @click=${() => this.removeUser(u)}>${t('common.delete')}</button>
            </div>`}
      </td>
    </tr>`;
  }

  /** The full name, edited in place; the server's error shows beside it. */
  private renderName(u: User) {
    const e = this.editingName;
    if (e?.id !== u.id) {
      return html`<span>${u.displayName}</span>
        <button type="button" class="secondary small" data-testid="rename-${u.username}" aria-label=${t('users.renameOf', { name: u.username })} @click=${() => (this.editingName = { id: u.id, value: u.displayName, error: '' })}>
          ${t('common.edit')}
        </button>`;
    }
    const error = e.value.length > 200 ? t('srv.tooLong') : e.error;
    return html`<form class="row" @submit=${(ev: Event) => this.saveName(ev, u)} novalidate>
      <label class="visually-hidden" for="name-${u.id}">${t('users.displayName')}</label>
      <input id="name-${u.id}" .value=${e.value} aria-invalid=${error ? 'true' : 'false'} aria-describedby="name-${u.id}-error"
        @input=${(ev: Event) => (this.editingName = { ...e, value: (ev.target as HTMLInputElement).value, error: '' })} />
      <button type="submit">${t('common.save')}</button>
      <button type="button" class="secondary" @click=${() => (this.editingName = null)}>${t('common.cancel')}</button>
      <span class="field-error" id="name-${u.id}-error">${error}</span>
    </form>`;
  }

  private async saveName(ev: Event, u: User) {
    ev.preventDefault();
    const e = this.editingName!;
    if (e.value.length > 200) return;
    try {
      await updateUser(this.api, u.id, { displayName: e.value.trim() });
      this.editingName = null;
      await this.load();
    } catch (err) {
      this.editingName = { ...e, error: fieldErrorsOf(err).displayName ?? formErrorOf(err) };
    }
  }

  /** Tenant users' roles change in place; appliance-level users keep theirs (the api refuses the switch). */
  private renderRole(u: User, self: boolean) {
    if (self || u.tenantId === null) return roleName(u.role);
    const roles = ROLES.filter((r) => r !== 'superadmin');
    return html`<label class="visually-hidden" for="role-${u.id}">${t('users.roleOf', { name: u.username })}</label>
      <select id="role-${u.id}" data-testid="role-${u.username}" @change=${(e: Event) => this.changeRole(u, (e.target as HTMLSelectElement).value as Role)}>
        ${roles.map((r) => html`<option value=${r} ?selected=${r === u.role}>${roleName(r)}</option>`)}
      </select>`;
  }

  private changeRole(u: User, role: Role) {
    void this.act(() => updateUser(this.api, u.id, { role }));
  }

  private renderForm() {
    const roles = this.grantable();
    const role = roles.includes(this.newRole) ? this.newRole : roles[0]!;
    const userErr = this.serverErrors.username ?? (this.touched ? usernameError(this.username) : undefined);
    return html`<h2>${t('users.create')}</h2>
      <p class="muted">${this.me.role === 'superadmin' ? (this.tenant ? t('users.createIn', { tenant: this.tenant.name }) : t('users.createAppliance')) : nothing}</p>
      <form @submit=${this.submit} novalidate>
        ${textField({ id: 'username', label: t('users.username'), value: this.username, error: userErr, autocomplete: 'off', onInput: (v) => this.edit('username', v.trim()) })}
        ${textField({ id: 'displayName', label: t('users.displayName'), value: this.displayName, error: this.serverErrors.displayName, onInput: (v) => this.edit('displayName', v) })}
        <div class="field">
          <label for="role">${t('users.role')}</label>
          <select id="role" aria-describedby="role-error" @change=${(e: Event) => (this.newRole = (e.target as HTMLSelectElement).value as Role)}>
            ${roles.map((r) => html`<option value=${r} ?selected=${r === role}>${roleName(r)}</option>`)}
          </select>
          <span class="field-error" id="role-error">${this.serverErrors.role ?? this.serverErrors.tenantId ?? ''}</span>
        </div>
        <div class="error" role="alert">${this.formError}</div>
        <button type="submit">${t('users.submit')}</button>
      </form>`;
  }

  private edit(field: 'username' | 'displayName', v: string) {
    this[field] = v;
    this.touched = true;
    const { [field]: _gone, ...rest } = this.serverErrors;
    this.serverErrors = rest;
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    this.touched = true;
    if (usernameError(this.username)) return;
    const roles = this.grantable();
    const role = roles.includes(this.newRole) ? this.newRole : roles[0]!;
    try {
      const tenantId = this.me.role === 'superadmin' && role !== 'superadmin' ? (this.tenant?.id ?? null) : undefined;
      const r = await createUser(this.api, { username: this.username, displayName: this.displayName || undefined, role, tenantId });
      this.shown = { username: r.user.username, password: r.password };
      this.username = '';
      this.displayName = '';
      this.touched = false;
      await this.load();
    } catch (err) {
      this.serverErrors = fieldErrorsOf(err);
      this.formError = formErrorOf(err);
    }
  }

  private async act(fn: () => Promise<unknown>) {
    this.listError = '';
    try {
      await fn();
      await this.load();
    } catch (e) {
      this.listError = formErrorOf(e);
    }
  }

  private reset(u: User) {
    if (!confirm(t('users.confirmReset', { name: u.username }))) return;
    void this.act(async () => {
      const r = await resetPassword(this.api, u.id);
      this.shown = { username: u.username, password: r.password };
    });
  }

  private toggle(u: User) {
    void this.act(() => updateUser(this.api, u.id, { disabled: !u.disabled }));
  }

  private removeUser(u: User) {
    if (!confirm(t('users.confirmDelete', { name: u.username }))) return;
    void this.act(() => deleteUser(this.api, u.id));
  }
}
