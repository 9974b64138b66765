// Extensions of the chosen tenant: search, paging, create (the SIP password
// is shown once), reset password, DND, delete. Supervisors only read.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import { pbxFieldErrors } from './pbx-server-text';
import '../../components/pbx-no-access';
import '../../components/pbx-phone-settings';
import { isApiError, type Api } from '../../data/api';
import { createExtension, deleteExtension, listExtensions, listRegistrations, phoneSettings, resetSipPassword, updateExtension, type Extension, type PhoneSettings, type Registration } from '../../data/extensions';
import type { Tenant, User } from '../../data/types';
import { t } from '../../i18n';
import { shared } from '../../styles/shared';
import { pager } from '../../components/pager';
import { draftOf, draftToInput, emptyDraft, extensionFields, numberError, permissionName, type ExtensionDraft } from './extension-form';
import { listUsers } from '../../data/users';

const PAGE = 50;

@customElement('pbx-extensions-page')
export class PbxExtensionsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private rows: Extension[] = [];
  @state() private total = 0;
  @state() private offset = 0;
  @state() private q = '';
  @state() private loaded = false;
  @state() private forbidden = false;
  @state() private listError = '';
  @state() private draft: ExtensionDraft = emptyDraft();
  /** The extension being edited; null: the form creates a new one. */
  @state() private editing: Extension | null = null;
  @state() private users: User[] = [];
  /** Live registrations by `tenantId:extension`. */
  @state() private online = new Map<string, Registration[]>();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private shown: { settings: PhoneSettings; password: string } | null = null;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
      fieldset {
        border: 1px solid #dde3e9;
        border-radius: 8px;
        margin: 0.5rem 0 1rem;
      }
      .check {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        margin-bottom: 1rem;
      }
      td button {
        padding: 0.2rem 0.6rem;
        min-height: 1.9rem;
      }
      .toolbar {
        display: flex;
        gap: 1rem;
        align-items: end;
        flex-wrap: wrap;
        margin-bottom: 0.75rem;
      }
    `,
  ];

  private get writer(): boolean {
    return this.me.role === 'superadmin' || this.me.role === 'tenant-admin';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    // Users to link an extension to (their own calls); admins may list them.
    if (this.writer) listUsers(this.api).then((u) => (this.users = u.filter((x) => x.tenantId !== null)), () => undefined);
  }

  private async load() {
    try {
      const r = await listExtensions(this.api, this.q, this.offset, PAGE);
      this.rows = r.extensions;
      this.total = r.total;
      void this.loadRegistrations();
      this.listError = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.listError = formErrorOf(e);
    }
    this.loaded = true;
  }

  /** Who is registered now; an employee may not ask, and then the column stays out. */
  private async loadRegistrations() {
    if (this.me.role === 'employee') return;
    try {
      const map = new Map<string, Registration[]>();
      for (const r of await listRegistrations(this.api)) map.set(`${r.tenantId}:${r.extension}`, [...(map.get(`${r.tenantId}:${r.extension}`) ?? []), r]);
      this.online = map;
    } catch {
      this.online = new Map();
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('ext.title')}</h1>
      ${this.listError ? html`<p class="error" role="alert">${this.listError}</p>` : nothing}
      ${this.shown
        ? html`<pbx-phone-settings .settings=${this.shown.settings} .password=${this.shown.password} @pbx-dismiss=${() => (this.shown = null)}></pbx-phone-settings>`
        : nothing}
      <div class="toolbar">
        <div class="field">
          <label for="search">${t('ext.search')}</label>
          <input id="search" type="search" .value=${this.q} @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)} />
        </div>
        ${this.writer ? html`<a href="/import">${t('nav.import')}</a>` : nothing}
      </div>
      ${this.loaded ? this.renderTable() : html`<p class="muted" role="status">${t('app.loading')}</p>`}
      ${this.writer ? this.renderForm() : nothing}`;
  }

  private renderTable() {
    if (this.rows.length === 0) return html`<p class="muted" data-testid="ext-empty">${t('ext.none')}</p>`;
    return html`<div class="table-wrap">
        <table data-testid="extensions-table">
          <thead>
            <tr>
              <th>${t('ext.number')}</th><th>${t('ext.displayName')}</th><th>${t('ext.sipUsername')}</th><th>${t('ext.permission')}</th>
              <th>${t('ext.status')}</th><th>${t('ext.forwarding')}</th><th>${t('ext.dnd')}</th>${this.writer ? html`<th><span class="visually-hidden">${t('common.actions')}</span></th>` : nothing}
            </tr>
          </thead>
          <tbody>${this.rows.map((x) => this.renderRow(x))}</tbody>
        </table>
      </div>
      ${pager({ offset: this.offset, shown: this.rows.length, total: this.total, pageSize: PAGE, go: (o) => this.go(o), rangeId: 'ext-range' })}`;
  }

  private renderRow(x: Extension) {
    const fwd = [
      x.forward.always && `${t('ext.fwdAlwaysShort')} → ${x.forward.always}`,
      x.forward.busy && `${t('ext.fwdBusyShort')} → ${x.forward.busy}`,
      x.forward.noAnswer && `${t('ext.fwdNoAnswerShort', { s: x.forward.noAnswerSeconds })} → ${x.forward.noAnswer}`,
      x.forward.unreachable && `${t('ext.fwdUnreachableShort')} → ${x.forward.unreachable}`,
    ].filter(Boolean);
    return html`<tr data-ext=${x.extension}>
      <td>${x.extension}</td>
      <td>${x.displayName}</td>
      <td>${x.sipUsername}</td>
      <td>${permissionName(x.outboundPermission)}</td>
      <td data-testid="status-${x.extension}">${this.renderStatus(x)}</td>
      <td>${fwd.length ? fwd.map((s) => html`<div>${s}</div>`) : '—'}</td>
      <td>${this.writer
        ? html`<input type="checkbox" aria-label=${t('ext.dndOf', { n: x.extension })} .checked=${x.dnd} @change=${() => this.act(() => updateExtension(this.api, x.id, { dnd: !x.dnd }))} />`
        : x.dnd ? t('ext.yes') : t('ext.no')}</td>
      ${this.writer
        ? html`<td><div class="row">
            <button type="button" class="secondary" data-testid="edit-${x.extension}" @click=${() => this.startEdit(x)}>${t('common.edit')}</button>
            <button type="button" class="secondary" @click=${() => this.reset(x)}>${t('ext.resetPassword')}</button>
            <button type="button" class="secondary" data-testid="settings-${x.extension}" @click=${() => this.showSettings(x)}>${t('phone.show')}</button>
            <button type="button" class="danger" @click=${() => this.removeExtension(x)}>${t('common.delete')}</button>
          </div></td>`
        : nothing}
    </tr>`;
  }

  private renderStatus(x: Extension) {
    const regs = this.online.get(`${x.tenantId}:${x.extension}`) ?? [];
    if (regs.length === 0) return html`<span class="muted">${t('ext.offline')}</span>`;
    return regs.map((r) => html`<div title=${r.contact}>${t('ext.online')} · ${r.source.address}${r.userAgent ? html`<br /><small>${r.userAgent}</small>` : nothing}</div>`);
  }

  private renderForm() {
    const needTenant = this.me.role === 'superadmin' && !this.tenant;
    const ed = this.editing;
    return html`<h2 id="extension-form-title">${ed ? t('ext.editTitle', { n: ed.extension }) : t('ext.create')}</h2>
      ${needTenant && !ed ? html`<p class="notice">${t('ext.chooseTenant')}</p>` : nothing}
      <form @submit=${this.submit} novalidate data-testid="extension-form" aria-labelledby="extension-form-title">
        ${extensionFields(this.draft, this.errors, (p) => this.edit(p), this.users, ed !== null)}
        <div class="error" role="alert" data-testid="form-error">${this.formError}</div>
        <div class="row">
          <button type="submit" ?disabled=${needTenant && !ed}>${ed ? t('common.save') : t('ext.submit')}</button>
          ${ed ? html`<button type="button" class="secondary" @click=${() => this.stopEdit()}>${t('common.cancel')}</button>` : nothing}
        </div>
      </form>`;
  }

  private edit(p: Partial<ExtensionDraft>) {
    this.draft = { ...this.draft, ...p };
    this.errors = {};
    this.formError = '';
  }

  private search(q: string) {
    this.q = q;
    this.offset = 0;
    void this.load();
  }

  private go(offset: number) {
    this.offset = offset;
    void this.load();
  }

  private startEdit(x: Extension) {
    this.editing = x;
    this.draft = draftOf(x);
    this.errors = {};
    this.formError = '';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#displayName')?.focus());
  }

  private stopEdit() {
    this.editing = null;
    this.draft = emptyDraft();
    this.errors = {};
    this.formError = '';
  }

  private async saveEdit(x: Extension) {
    const { extension: _n, sipUsername: _u, ...patch } = draftToInput(this.draft);
    try {
      await updateExtension(this.api, x.id, patch);
      this.stopEdit();
      await this.load();
    } catch (err) {
      this.errors = pbxFieldErrors(err);
      this.formError = formErrorOf(err);
    }
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (this.editing) return this.saveEdit(this.editing);
    if (!this.draft.extension) this.errors = { extension: t('validation.required') };
    if (!this.draft.extension || numberError(this.draft.extension)) return;
    try {
      const r = await createExtension(this.api, draftToInput(this.draft));
      this.shown = { settings: r.settings, password: r.password };
      this.draft = emptyDraft();
      await this.load();
    } catch (err) {
      this.errors = pbxFieldErrors(err);
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

  private reset(x: Extension) {
    if (!confirm(t('ext.confirmReset', { n: x.extension }))) return;
    void this.act(async () => {
      const r = await resetSipPassword(this.api, x.id);
      this.shown = { settings: r.settings, password: r.password };
    });
  }

  private showSettings(x: Extension) {
    void this.act(async () => {
      this.shown = { settings: await phoneSettings(this.api, x.id), password: '' };
    });
  }

  private removeExtension(x: Extension) {
    if (!confirm(t('ext.confirmDelete', { n: x.extension }))) return;
    void this.act(() => deleteExtension(this.api, x.id));
  }
}
