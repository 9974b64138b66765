// Data subject requests (152-FZ arts. 14, 21): the data-protection officer
// finds what is held about a person by their number, exports it as a ZIP,
// erases it (crypto-shredding: keys go, recordings stop decrypting) or
// places a legal hold that blocks erasure. Every action needs its grounds
// and who asked; the api audits them. The number never goes into a URL.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { eraseSubject, exportSubject, findSubject, REQUESTER_KINDS, setLegalHold, type RequesterKind, type SubjectFound } from '../../data/contacts';
import type { Tenant, User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { saveFile } from '../extensions/save-file';
import { pdFieldErrors } from '../contacts/pd-server-text';

@customElement('pbx-pd-requests-page')
export class PbxPdRequestsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private number = '';
  @state() private reason = '';
  @state() private requester: RequesterKind = 'subject';
  @state() private busy = false;
  @state() private found: SubjectFound | null = null;
  @state() private errors: FieldErrors = {};
  @state() private error = '';
  @state() private notice = '';
  @state() private forbidden = false;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr));
        gap: 0 1rem;
      }
      .ok {
        color: var(--pbx-ok, #1b6e2a);
      }
    `,
  ];

  private get needsTenant(): boolean {
    return this.me.tenantId === null && !this.tenant;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const head = html`<h1>${t('pdr.title')}</h1>
      <p class="muted">${t('pdr.lead')}</p>`;
    if (this.needsTenant) return html`${head}<p class="notice">${t('contacts.chooseTenant')}</p>`;
    return html`${head}
      <form @submit=${this.find} novalidate class="row" data-testid="pdr-find">
        ${textField({ id: 'number', label: t('pdr.number'), type: 'tel', value: this.number, error: this.errors.number, autocomplete: 'off', onInput: (v) => this.setNumber(v) })}
        <div class="field"><button type="submit" ?disabled=${this.busy}>${this.busy ? t('pdr.finding') : t('pdr.find')}</button></div>
      </form>
      ${this.error ? html`<p class="error" role="alert" data-testid="pdr-error">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="ok" role="status" data-testid="pdr-notice">${this.notice}</p>` : nothing} ${this.found ? this.renderFound(this.found) : nothing}`;
  }

  private renderFound(f: SubjectFound) {
    if (!f.subject && f.contacts.length === 0 && f.cdrs.length === 0 && f.recordings.length === 0)
      return html`<p class="muted" data-testid="pdr-nothing">${t('pdr.nothing')}</p>`;
    return html`<section data-testid="pdr-found">
      ${f.subject ? html`<h2>${t('pdr.subject', { id: f.subject.id })}</h2>` : nothing}
      <p data-testid="pdr-counts">${t('pdr.found', { contacts: f.contacts.length, cdrs: f.cdrs.length, recordings: f.recordings.length })}</p>
      ${f.contacts.length ? html`<ul>${f.contacts.map((c) => html`<li>${c.name}${c.company ? ` (${c.company})` : ''}</li>`)}</ul>` : nothing}
      ${f.subject?.legalHold ? html`<p class="notice" data-testid="pdr-held">${t('pdr.held', { reason: f.subject.legalHold })}</p>` : nothing}
      <div class="grid">
        ${textField({ id: 'reason', label: t('pdr.reason'), value: this.reason, error: this.errors.reason, autocomplete: 'off', onInput: (v) => (this.reason = v) })}
        <div class="field">
          <label for="requester">${t('pdr.requester')}</label>
          <select id="requester" @change=${(e: Event) => (this.requester = (e.target as HTMLSelectElement).value as RequesterKind)}>
            ${REQUESTER_KINDS.map((k) => html`<option value=${k} ?selected=${this.requester === k}>${t(`pdr.requester.${k}` as MessageKey)}</option>`)}
          </select>
        </div>
      </div>
      <div class="row">
        <button type="button" ?disabled=${this.busy} data-testid="pdr-export" @click=${() => void this.exportZip()}>${t('pdr.export')}</button>
        ${f.subject
          ? html`<button type="button" class="secondary" ?disabled=${this.busy} data-testid="pdr-hold" @click=${() => void this.hold(!f.subject!.legalHold)}>
              ${t(f.subject.legalHold ? 'pdr.release' : 'pdr.hold')}
            </button>`
          : nothing}
        <button type="button" class="danger" ?disabled=${this.busy} data-testid="pdr-erase" @click=${() => void this.erase()}>${t('pdr.erase')}</button>
      </div>
    </section>`;
  }

  private setNumber(v: string): void {
    this.number = v;
    // Another number is another subject: nothing shown for the old one may be acted on.
    this.found = null;
    this.notice = '';
  }

  /** The grounds are required for export, erasure and holds; checked here so nothing is sent without them. */
  private grounds(): boolean {
    if (this.reason.trim().length >= 3) return true;
    this.errors = { reason: t('pd.err.reason') };
    return false;
  }

  private async act(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.notice = '';
    this.errors = {};
    try {
      await fn();
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      this.errors = pdFieldErrors(e);
      if (Object.keys(this.errors).length === 0) this.error = formErrorOf(e);
    } finally {
      this.busy = false;
    }
  }

  private find(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.number.trim()) {
      this.errors = { number: t('pd.err.numberEmpty') };
      return Promise.resolve();
    }
    return this.act(async () => {
      this.found = null;
      this.found = await findSubject(this.api, this.number);
    });
  }

  private exportZip(): Promise<void> {
    if (!this.grounds()) return Promise.resolve();
    return this.act(async () => {
      const blob = await exportSubject(this.api, this.number, this.reason.trim(), this.requester);
      const file = `pd-export-${this.found?.subject?.id ?? 'none'}.zip`;
      saveFile(file, blob, 'application/zip');
      this.notice = t('pdr.exported', { file });
    });
  }

  private erase(): Promise<void> {
    if (!this.grounds() || !confirm(t('pdr.confirmErase'))) return Promise.resolve();
    return this.act(async () => {
      const { erased } = await eraseSubject(this.api, this.number, this.reason.trim(), this.requester);
      this.notice = t('pdr.erased', { contacts: Number(erased.contacts ?? 0), recordings: Number(erased.recordings ?? 0) });
      this.found = await findSubject(this.api, this.number);
    });
  }

  private hold(on: boolean): Promise<void> {
    if (on && !this.grounds()) return Promise.resolve();
    return this.act(async () => {
      await setLegalHold(this.api, this.number, on ? this.reason.trim() : null);
      this.notice = t(on ? 'pdr.holdSet' : 'pdr.holdReleased');
      this.found = await findSubject(this.api, this.number);
    });
  }
}
