// Contacts: the tenant's customers and partners from the personal-data
// store — search by a number in any spelling, its last digits or the start
// of a name (the api's blind indexes), add, edit, delete, and a CSV import
// that names every bad row. Employees only look; every answer the page gets
// is audited by the api (contact ids, never the search text).
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { createContact, deleteContact, importContactsCsv, listContacts, updateContact, type Contact, type ContactImportProblem, type ContactInput, type ContactList } from '../../data/contacts';
import type { Tenant, User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { pdFieldErrors, pdText } from './pd-server-text';

const PAGE = 50;
const SEARCH_DELAY_MS = 300;
const WRITERS = ['superadmin', 'tenant-admin', 'supervisor'];

interface Draft {
  name: string;
  company: string;
  numbers: string;
  emails: string;
  notes: string;
}

const emptyDraft = (): Draft => ({ name: '', company: '', numbers: '', emails: '', notes: '' });
const draftOf = (c: Contact): Draft => ({
  name: c.name,
  company: c.company,
  numbers: c.numbers.map((n) => n.number).join('\n'),
  emails: c.emails.join('\n'),
  notes: c.notes,
});
const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const inputOf = (d: Draft): ContactInput => ({
  kind: 'person',
  name: d.name.trim(),
  company: d.company.trim(),
  numbers: lines(d.numbers).map((number) => ({ number })),
  emails: lines(d.emails),
  notes: d.notes,
});

@customElement('pbx-contacts-page')
export class PbxContactsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private forbidden = false;
  @state() private loaded = false;
  @state() private error = '';
  @state() private notice = '';
  @state() private q = '';
  @state() private offset = 0;
  @state() private list: ContactList = { contacts: [], total: 0 };
  /** null: no form open; '' a new contact; otherwise the contact being edited. */
  @state() private editing: string | null = null;
  @state() private draft: Draft = emptyDraft();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private importing = false;
  @state() private importResult: { imported: number; failed: number; errors: ContactImportProblem[] } | null = null;
  @state() private importError = '';
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** Answers to an older search are dropped: typing fast must not show stale rows. */
  private generation = 0;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
        gap: 0 1rem;
      }
      textarea {
        width: 100%;
        min-height: 4.5rem;
        font: inherit;
      }
      td.numbers,
      td.emails {
        white-space: pre-line;
      }
      .ok {
        color: var(--pbx-ok, #1b6e2a);
      }
    `,
  ];

  private get canWrite(): boolean {
    return WRITERS.includes(this.me.role);
  }

  private get needsTenant(): boolean {
    return this.me.tenantId === null && !this.tenant;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.needsTenant) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.searchTimer) clearTimeout(this.searchTimer);
  }

  private async load(): Promise<void> {
    const gen = ++this.generation;
    try {
      const list = await listContacts(this.api, this.q, PAGE, this.offset);
      if (gen !== this.generation) return;
      this.list = list;
      this.loaded = true;
      this.error = '';
    } catch (e) {
      if (gen !== this.generation) return;
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else if (isApiError(e) && e.code === 'validation-failed' && e.fields.q) this.error = pdText(e.fields.q);
      else this.error = formErrorOf(e);
      this.loaded = true;
    }
  }

  private onSearch(v: string): void {
    this.q = v;
    this.offset = 0;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.load(), SEARCH_DELAY_MS);
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const head = html`<h1>${t('contacts.title')}</h1>
      <p class="muted">${t('contacts.lead')}</p>`;
    if (this.needsTenant) return html`${head}<p class="notice" data-testid="contacts-choose-tenant">${t('contacts.chooseTenant')}</p>`;
    return html`${head} ${this.notice ? html`<p class="ok" role="status" data-testid="contacts-notice">${this.notice}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert" data-testid="contacts-error">${this.error}</p>` : nothing}
      ${this.canWrite ? nothing : html`<p class="muted">${t('contacts.readOnly')}</p>`}
      <div class="row">
        ${textField({ id: 'q', label: t('contacts.search'), type: 'search', value: this.q, hint: t('contacts.searchHint'), autocomplete: 'off', onInput: (v) => this.onSearch(v) })}
        ${this.canWrite && this.editing === null ? html`<button type="button" data-testid="contact-new" @click=${() => this.open(null)}>${t('contacts.new')}</button>` : nothing}
      </div>
      ${this.editing !== null ? this.renderForm() : nothing} ${this.renderTable()} ${this.canWrite ? this.renderImport() : nothing}`;
  }

  private renderTable() {
    if (!this.loaded) return html`<p class="muted">${t('app.loading')}</p>`;
    const { contacts, total, search } = this.list;
    if (contacts.length === 0)
      return html`<p class="muted" data-testid="contacts-empty">${t(this.q.trim() ? 'contacts.nothingFound' : 'contacts.empty')}</p>`;
    const by = search ? ` · ${t(`contacts.searchBy.${search}` as MessageKey)}` : '';
    return html`<p class="muted" data-testid="contacts-total">${t('contacts.total', { n: total })}${by}</p>
      <table data-testid="contacts-table">
        <thead>
          <tr>
            <th>${t('contacts.col.name')}</th>
            <th>${t('contacts.col.company')}</th>
            <th>${t('contacts.col.numbers')}</th>
            <th>${t('contacts.col.emails')}</th>
            ${this.canWrite ? html`<th>${t('contacts.col.actions')}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${contacts.map(
            (c) => html`<tr data-contact=${c.id}>
              <td>${c.name}</td>
              <td>${c.company}</td>
              <td class="numbers">${c.numbers.map((n) => n.number).join('\n')}</td>
              <td class="emails">${c.emails.join('\n')}</td>
              ${this.canWrite
                ? html`<td>
                    <button type="button" class="secondary" data-action="edit" @click=${() => this.open(c)}>${t('contacts.edit')}</button>
                    <button type="button" class="danger" data-action="delete" @click=${() => void this.removeContact(c)}>${t('contacts.delete')}</button>
                  </td>`
                : nothing}
            </tr>`,
          )}
        </tbody>
      </table>
      ${search ? nothing : this.renderPager(total)}`;
  }

  private renderPager(total: number) {
    if (total <= PAGE) return nothing;
    const go = (offset: number) => {
      this.offset = offset;
      void this.load();
    };
    return html`<div class="row">
      <button type="button" class="secondary" ?disabled=${this.offset === 0} @click=${() => go(Math.max(0, this.offset - PAGE))}>${t('contacts.prev')}</button>
      <button type="button" class="secondary" ?disabled=${this.offset + PAGE >= total} @click=${() => go(this.offset + PAGE)}>${t('contacts.next')}</button>
    </div>`;
  }

  private renderForm() {
    const d = this.draft;
    const area = (id: 'numbers' | 'emails' | 'notes', label: MessageKey, hint?: MessageKey) =>
      html`<div class="field">
        <label for=${id}>${t(label)}</label>
        <textarea id=${id} .value=${d[id]} aria-describedby="${id}-error" @input=${(e: Event) => this.edit({ [id]: (e.target as HTMLTextAreaElement).value })}></textarea>
        ${hint ? html`<span class="hint">${t(hint)}</span>` : nothing}
        <span class="field-error" id="${id}-error" data-field=${id}>${this.errors[id] ?? ''}</span>
      </div>`;
    return html`<form @submit=${this.submit} novalidate data-testid="contact-form">
      <h2>${this.editing ? t('contacts.editTitle', { name: d.name }) : t('contacts.new')}</h2>
      <div class="grid">
        ${textField({ id: 'name', label: t('contacts.name'), value: d.name, error: this.errors.name, required: true, autocomplete: 'off', onInput: (v) => this.edit({ name: v }) })}
        ${textField({ id: 'company', label: t('contacts.company'), value: d.company, error: this.errors.company, autocomplete: 'off', onInput: (v) => this.edit({ company: v }) })}
        ${area('numbers', 'contacts.numbers', 'contacts.numbersHint')} ${area('emails', 'contacts.emails', 'contacts.emailsHint')} ${area('notes', 'contacts.notes')}
      </div>
      <div class="error" role="alert">${this.formError}</div>
      <div class="row">
        <button type="submit" data-testid="contact-save">${t('contacts.save')}</button>
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>${t('contacts.cancel')}</button>
      </div>
    </form>`;
  }

  private renderImport() {
    const r = this.importResult;
    return html`<h2>${t('contacts.importTitle')}</h2>
      <p class="muted">${t('contacts.importHint')}</p>
      <div class="field">
        <label for="csv">${t('contacts.importFile')}</label>
        <input id="csv" type="file" accept=".csv,text/csv" ?disabled=${this.importing} @change=${this.importFile} />
      </div>
      ${this.importing ? html`<p class="muted">${t('contacts.importing')}</p>` : nothing}
      ${this.importError ? html`<p class="error" role="alert" data-testid="import-error">${this.importError}</p>` : nothing}
      ${r
        ? html`<p class="ok" role="status" data-testid="import-result">${t('contacts.importDone', { imported: r.imported, failed: r.failed })}</p>
            <ul data-testid="import-problems">
              ${r.errors.map((p) => html`<li data-line=${p.line}>${t('contacts.importRow', { line: p.line, field: p.field, message: pdText(p.message) })}</li>`)}
            </ul>`
        : nothing}`;
  }

  private open(c: Contact | null): void {
    this.editing = c ? c.id : '';
    this.draft = c ? draftOf(c) : emptyDraft();
    this.errors = {};
    this.formError = '';
    this.notice = '';
  }

  private edit(patch: Partial<Draft>): void {
    this.draft = { ...this.draft, ...patch };
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    this.errors = {};
    this.formError = '';
    if (!this.draft.name.trim()) {
      this.errors = { name: t('pd.err.required') };
      return;
    }
    try {
      const input = inputOf(this.draft);
      const { contact } = this.editing ? await updateContact(this.api, this.editing, input) : await createContact(this.api, input);
      this.notice = t(this.editing ? 'contacts.updated' : 'contacts.created', { name: contact.name });
      this.editing = null;
      await this.load();
    } catch (err) {
      this.errors = pdFieldErrors(err);
      this.formError = Object.keys(this.errors).length ? '' : formErrorOf(err);
    }
  }

  private async removeContact(c: Contact): Promise<void> {
    if (!confirm(t('contacts.confirmDelete', { name: c.name }))) return;
    try {
      await deleteContact(this.api, c.id);
      this.notice = t('contacts.deleted', { name: c.name });
      await this.load();
    } catch (err) {
      this.error = formErrorOf(err);
    }
  }

  private async importFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.importing = true;
    this.importResult = null;
    this.importError = '';
    try {
      const r = await importContactsCsv(this.api, await file.text());
      this.importResult = r;
      await this.load();
    } catch (err) {
      const f = isApiError(err) ? err.fields.csv : undefined;
      this.importError = f ? pdText(f) : formErrorOf(err);
    } finally {
      this.importing = false;
      input.value = '';
    }
  }
}
