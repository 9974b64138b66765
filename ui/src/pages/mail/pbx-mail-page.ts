// Mail: the SMTP settings with "send a test message" (the server's own
// refusal shown, e.g. "535 … authentication failed"), missed-call
// notifications and the outbox. The password is write-only: the page only
// says whether one is stored. A superadmin with no tenant chosen edits the
// appliance's settings; with one chosen, that tenant's.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import { pbxFieldErrors } from '../extensions/pbx-server-text';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { addNotice, deleteNotice, getSmtp, listNotices, listOutbox, retryMail, saveSmtp, testSmtp, type MailState, type MailSummary, type MissedCallNotice, type SmtpInput, type SmtpSecurity, type SmtpSettings } from '../../data/mail';
import type { Tenant, User } from '../../data/types';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

interface Draft {
  enabled: boolean;
  host: string;
  port: string;
  security: SmtpSecurity;
  verifyTls: boolean;
  username: string;
  password: string;
  from: string;
  fromName: string;
}

const emptyDraft = (): Draft => ({ enabled: true, host: '', port: '587', security: 'starttls', verifyTls: true, username: '', password: '', from: '', fromName: '' });
const draftOf = (s: SmtpSettings): Draft => ({ ...s, port: String(s.port), password: '' });
const toInput = (d: Draft): SmtpInput => ({
  enabled: d.enabled,
  host: d.host.trim(),
  port: Number(d.port) || 0,
  security: d.security,
  verifyTls: d.verifyTls,
  username: d.username.trim(),
  from: d.from.trim(),
  fromName: d.fromName.trim(),
  ...(d.password ? { password: d.password } : {}),
});

const KINDS = ['missed-call', 'voicemail', 'fax', 'digest'];

@customElement('pbx-mail-page')
export class PbxMailPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private forbidden = false;
  /** The form appears once the stored settings are in, so nothing typed is overwritten by them. */
  @state() private loaded = false;
  @state() private error = '';
  @state() private stored: SmtpSettings | null = null;
  @state() private applianceConfigured = false;
  @state() private draft: Draft = emptyDraft();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private saved = false;
  @state() private testTo = '';
  @state() private testing = false;
  @state() private testResult: { ok: boolean; text: string } | null = null;
  @state() private notices: MissedCallNotice[] = [];
  @state() private notice = { extension: '', email: '' };
  @state() private noticeErrors: FieldErrors = {};
  @state() private noticeError = '';
  @state() private outbox: MailSummary[] = [];
  @state() private counts: Record<MailState, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
      .ok {
        color: var(--pbx-ok, #1b6e2a);
      }
    `,
  ];

  /** The appliance's settings: a superadmin with no tenant chosen. */
  private get appliance(): boolean {
    return this.me.role === 'superadmin' && !this.tenant;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const [s, o] = await Promise.all([getSmtp(this.api, this.appliance), listOutbox(this.api)]);
      this.stored = s.settings;
      this.applianceConfigured = s.applianceConfigured;
      if (!this.loaded) this.draft = s.settings ? draftOf(s.settings) : emptyDraft();
      this.loaded = true;
      this.outbox = o.messages;
      this.counts = o.counts;
      this.notices = this.appliance ? [] : (await listNotices(this.api)).notices;
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    if (!this.loaded) return html`<h1>${t('mail.title')}</h1>${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">${t('app.loading')}</p>`}`;
    return html`<h1>${t('mail.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <h2>${t('mail.smtpTitle')}</h2>
      <p class="muted">${t(this.appliance ? 'mail.scopeAppliance' : 'mail.scopeTenant')}</p>
      ${!this.appliance && !this.stored ? html`<p class="notice" data-testid="smtp-inherits">${t(this.applianceConfigured ? 'mail.inheritsAppliance' : 'mail.inheritsNothing')}</p>` : nothing}
      ${this.renderSmtpForm()} ${this.renderNotices()} ${this.renderOutbox()}`;
  }

  private renderSmtpForm() {
    const d = this.draft;
    const f = (id: 'host' | 'port' | 'username' | 'password' | 'from' | 'fromName', label: MessageKey, type = 'text', hint?: string) =>
      textField({ id, label: t(label), type, value: d[id], error: this.errors[id], hint, autocomplete: type === 'password' ? 'new-password' : 'off', onInput: (v) => this.edit({ [id]: v }) });
    const check = (id: 'enabled' | 'verifyTls', label: MessageKey) =>
      html`<div class="field"><label><input type="checkbox" id=${id} .checked=${d[id]} @change=${(e: Event) => this.edit({ [id]: (e.target as HTMLInputElement).checked })} /> ${t(label)}</label></div>`;
    return html`<form @submit=${this.submit} novalidate data-testid="smtp-form">
        <div class="grid">
          ${f('host', 'mail.host')} ${f('port', 'mail.port')}
          <div class="field">
            <label for="security">${t('mail.security')}</label>
            <select id="security" @change=${(e: Event) => this.edit({ security: (e.target as HTMLSelectElement).value as SmtpSecurity })}>
              ${(['starttls', 'tls', 'none'] as const).map((x) => html`<option value=${x} ?selected=${d.security === x}>${t(`mail.security.${x}`)}</option>`)}
            </select>
            <span class="field-error" data-field="security">${this.errors.security ?? ''}</span>
          </div>
          ${f('username', 'mail.username')} ${f('password', 'mail.password', 'password', t(this.stored?.hasPassword ? 'mail.passwordKeep' : 'mail.passwordHint'))}
          ${f('from', 'mail.from')} ${f('fromName', 'mail.fromName')} ${check('verifyTls', 'mail.verifyTls')} ${check('enabled', 'mail.enabled')}
        </div>
        <div class="error" role="alert">${this.formError}</div>
        ${this.saved ? html`<p class="ok" role="status" data-testid="smtp-saved">${t('mail.saved')}</p>` : nothing}
        <div class="row"><button type="submit" data-testid="smtp-save">${t('mail.save')}</button></div>
      </form>
      <form @submit=${this.sendTest} novalidate class="grid" data-testid="smtp-test-form">
        ${textField({ id: 'testTo', label: t('mail.testTo'), type: 'email', value: this.testTo, error: this.errors.to, onInput: (v) => (this.testTo = v.trim()) })}
        <div class="field">
          <button type="submit" ?disabled=${this.testing} data-testid="smtp-test">${this.testing ? t('mail.testing') : t('mail.test')}</button>
        </div>
      </form>
      ${this.testResult ? html`<p class=${this.testResult.ok ? 'ok' : 'error'} role="status" data-testid="smtp-test-result" data-ok=${String(this.testResult.ok)}>${this.testResult.text}</p>` : nothing}`;
  }

  private renderNotices() {
    if (this.appliance) return html`<h2>${t('mail.noticesTitle')}</h2><p class="notice">${t('mail.noticesNeedTenant')}</p>`;
    return html`<h2>${t('mail.noticesTitle')}</h2>
      <p class="muted">${t('mail.noticesHint')}</p>
      ${this.notices.length
        ? html`<div class="table-wrap"><table data-testid="notices-table">
            <thead><tr><th>${t('mail.noticeExtension')}</th><th>${t('mail.noticeEmail')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead>
            <tbody>${this.notices.map(
              (n) => html`<tr><td>${n.extension}</td><td>${n.email}</td>
                <td><button type="button" class="danger" @click=${() => this.act(() => deleteNotice(this.api, n.id))}>${t('mail.noticeDelete')}</button></td></tr>`,
            )}</tbody></table></div>`
        : html`<p class="muted">${t('mail.noticesNone')}</p>`}
      <form @submit=${this.submitNotice} novalidate class="grid" data-testid="notice-form">
        ${textField({ id: 'noticeExtension', label: t('mail.noticeExtension'), value: this.notice.extension, error: this.noticeErrors.extension, onInput: (v) => (this.notice = { ...this.notice, extension: v.trim() }) })}
        ${textField({ id: 'noticeEmail', label: t('mail.noticeEmail'), type: 'email', value: this.notice.email, error: this.noticeErrors.email, onInput: (v) => (this.notice = { ...this.notice, email: v.trim() }) })}
        <div class="field"><button type="submit">${t('mail.noticeAdd')}</button><span class="error">${this.noticeError}</span></div>
      </form>`;
  }

  private renderOutbox() {
    return html`<h2>${t('mail.outboxTitle')}</h2>
      <p class="muted" data-testid="outbox-counts">${t('mail.outboxCounts', this.counts)}</p>
      ${this.outbox.length
        ? html`<div class="table-wrap"><table data-testid="outbox-table">
            <thead><tr>
              <th>${t('mail.col.created')}</th><th>${t('mail.col.kind')}</th><th>${t('mail.col.to')}</th><th>${t('mail.col.subject')}</th>
              <th>${t('mail.col.state')}</th><th>${t('mail.col.attempts')}</th><th>${t('mail.col.error')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th>
            </tr></thead>
            <tbody>${this.outbox.map(
              (m) => html`<tr data-mail=${m.id} data-state=${m.state}>
                <td>${formatDateTime(m.createdAt)}</td>
                <td>${t(KINDS.includes(m.kind) ? (`mail.kind.${m.kind}` as MessageKey) : 'mail.kind.other')}</td>
                <td>${m.to.join(', ')}</td><td>${m.subject}</td>
                <td class=${m.state === 'failed' ? 'error' : ''}>${t(`mail.state.${m.state}`)}</td>
                <td>${m.attempts}</td><td><small>${m.lastError ?? ''}</small></td>
                <td>${m.state === 'failed' ? html`<button type="button" class="secondary" @click=${() => this.act(() => retryMail(this.api, m.id))}>${t('mail.retry')}</button>` : nothing}</td>
              </tr>`,
            )}</tbody></table></div>`
        : html`<p class="muted">${t('mail.outboxNone')}</p>`}`;
  }

  private edit(p: Partial<Draft>) {
    this.draft = { ...this.draft, ...p };
    this.errors = {};
    this.formError = '';
    this.saved = false;
  }

  private async submit(e: Event) {
    e.preventDefault();
    try {
      const r = await saveSmtp(this.api, this.appliance, toInput(this.draft));
      this.stored = r.settings;
      this.draft = draftOf(r.settings);
      this.saved = true;
    } catch (err) {
      this.errors = pbxFieldErrors(err);
      this.formError = formErrorOf(err);
    }
  }

  /** Tests the form as typed (an empty password: the stored one), so a setting is checked before it is saved. */
  private async sendTest(e: Event) {
    e.preventDefault();
    this.testing = true;
    this.testResult = null;
    try {
      const r = await testSmtp(this.api, this.appliance, this.testTo, toInput(this.draft));
      this.testResult = { ok: true, text: t('mail.testOk', { server: r.server, response: r.response }) };
    } catch (err) {
      if (isApiError(err) && err.code === 'smtp-failed') {
        const d = err.details as { response?: string; command?: string | null } | undefined;
        this.testResult = { ok: false, text: t('mail.testFailed', { response: `${d?.response ?? err.message}${d?.command ? ` (${d.command})` : ''}` }) };
      } else {
        // The form's fields come back as settings.host …; the address as to.
        this.errors = Object.fromEntries(Object.entries(pbxFieldErrors(err)).map(([k, v]) => [k.replace(/^settings\./, ''), v]));
        this.testResult = { ok: false, text: formErrorOf(err) };
      }
    } finally {
      this.testing = false;
    }
  }

  private async submitNotice(e: Event) {
    e.preventDefault();
    try {
      await addNotice(this.api, this.notice.extension, this.notice.email);
      this.notice = { extension: '', email: '' };
      this.noticeErrors = {};
      this.noticeError = '';
      await this.load();
    } catch (err) {
      this.noticeErrors = pbxFieldErrors(err);
      this.noticeError = formErrorOf(err);
    }
  }

  private async act(fn: () => Promise<unknown>) {
    try {
      await fn();
      await this.load();
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }
}
