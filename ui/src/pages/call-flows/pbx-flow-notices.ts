// The recording notice tab of the call-flows page (issue 11 item 7): "this
// call is recorded" on an inbound number, an outbound route or a queue,
// with the prompt that says it and, on a route, whether the called party
// hears it too. The choices come from the organisation's own numbers,
// routes, queues and prompts; the api checks them again and its refusals
// are shown beside their fields.
import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { listNotices, setNotice, type DidView, type RecordingNoticeView } from '../../data/call-flows';
import { getDialPlan } from '../../data/dialplan';
import type { Prompt } from '../../data/prompts';
import { listQueues } from '../../data/queues';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

type Scope = RecordingNoticeView['scope'];
const SCOPES: Scope[] = ['did', 'route', 'queue'];

@customElement('pbx-flow-notices')
export class PbxFlowNotices extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) dids: DidView[] = [];
  @property({ attribute: false }) prompts: Prompt[] = [];
  @property({ type: Boolean }) readOnly = false;
  @state() private notices: RecordingNoticeView[] = [];
  @state() private routes: Array<{ id: string; name: string }> = [];
  @state() private queues: Array<{ id: number; name: string }> = [];
  @state() private draft: { scope: Scope; ref: string; prompt: string; enabled: boolean; toCalled: boolean } = { scope: 'did', ref: '', prompt: '', enabled: true, toCalled: false };
  @state() private errors: FieldErrors = {};
  @state() private status = '';
  @state() private error = '';

  static override styles = [shared];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.notices = await listNotices(this.api);
      // Routes and queues are read with their own permissions: a role without them picks from none.
      this.routes = await getDialPlan(this.api).then(
        (d) => d.routes.map((r) => ({ id: r.id, name: r.name })),
        () => [],
      );
      this.queues = await listQueues(this.api).then(
        (qs) => qs.map((q) => ({ id: q.id, name: q.name })),
        () => [],
      );
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }

  private refs(scope: Scope): Array<{ value: string; text: string }> {
    if (scope === 'did') return this.dids.map((d) => ({ value: d.number, text: d.number }));
    if (scope === 'route') return this.routes.map((r) => ({ value: r.id, text: r.name ? `${r.name} (${r.id})` : r.id }));
    return this.queues.map((q) => ({ value: String(q.id), text: q.name }));
  }

  private refText(n: { scope: Scope; ref: string }): string {
    return this.refs(n.scope).find((r) => r.value === n.ref)?.text ?? n.ref;
  }

  private promptName(id: number | null): string {
    return id === null ? '—' : (this.prompts.find((p) => p.id === id)?.name ?? `#${id}`);
  }

  override render() {
    const d = this.draft;
    const ro = this.readOnly;
    const refs = this.refs(d.scope);
    return html`<p class="muted">${t('flows.notices.intro')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notices.length
        ? html`<table data-testid="notices-table"><thead><tr><th>${t('flows.notices.scope')}</th><th>${t('flows.notices.ref')}</th><th>${t('flows.notices.prompt')}</th><th></th><th></th></tr></thead><tbody>${this.notices.map(
            (n) => html`<tr data-testid="notice-${n.scope}-${n.ref}">
              <td>${t(`flows.notices.scope.${n.scope}` as MessageKey)}</td><td>${this.refText(n)}</td><td>${this.promptName(n.prompt)}</td>
              <td>${n.enabled ? t('flows.notices.on') : t('flows.notices.off')}${n.scope === 'route' && n.toCalled ? html`, ${t('flows.notices.alsoCalled')}` : nothing}</td>
              <td>${ro ? nothing : html`<button type="button" class="secondary" data-testid="remove-notice-${n.scope}-${n.ref}" @click=${() => void this.removeNotice(n)}>${t('flows.notices.remove')}</button>`}</td>
            </tr>`,
          )}</tbody></table>`
        : html`<p class="muted" data-testid="notices-none">${t('flows.notices.none')}</p>`}
      ${ro
        ? nothing
        : html`<form data-testid="notice-form" @submit=${(e: Event) => {
            e.preventDefault();
            void this.save();
          }}>
            <div class="field"><label for="notice-scope">${t('flows.notices.scope')}</label>
              <select id="notice-scope" @change=${(e: Event) => (this.draft = { ...d, scope: (e.target as HTMLSelectElement).value as Scope, ref: '' })}>${SCOPES.map(
                (s) => html`<option value=${s} ?selected=${s === d.scope}>${t(`flows.notices.scope.${s}` as MessageKey)}</option>`,
              )}</select></div>
            <div class="field"><label for="notice-ref">${t('flows.notices.ref')}</label>
              <select id="notice-ref" @change=${(e: Event) => (this.draft = { ...d, ref: (e.target as HTMLSelectElement).value })}>
                <option value="" ?selected=${d.ref === ''}>—</option>${refs.map((r) => html`<option value=${r.value} ?selected=${r.value === d.ref}>${r.text}</option>`)}
              </select><span class="field-error" data-field="notice-ref">${this.errors.ref ?? ''}</span></div>
            <div class="field"><label for="notice-prompt">${t('flows.notices.prompt')}</label>
              <select id="notice-prompt" @change=${(e: Event) => (this.draft = { ...d, prompt: (e.target as HTMLSelectElement).value })}>
                <option value="" ?selected=${d.prompt === ''}>—</option>${this.prompts.map((p) => html`<option value=${String(p.id)} ?selected=${String(p.id) === d.prompt}>${p.name}</option>`)}
              </select><span class="field-error" data-field="notice-prompt">${this.errors['notice.prompt'] ?? ''}</span></div>
            <div class="field"><label><input type="checkbox" id="notice-enabled" .checked=${d.enabled} @change=${(e: Event) => (this.draft = { ...d, enabled: (e.target as HTMLInputElement).checked })} /> ${t('flows.notices.enabled')}</label></div>
            ${d.scope === 'route'
              ? html`<div class="field"><label><input type="checkbox" id="notice-to-called" .checked=${d.toCalled} @change=${(e: Event) => (this.draft = { ...d, toCalled: (e.target as HTMLInputElement).checked })} /> ${t('flows.notices.toCalled')}</label></div>`
              : nothing}
            <button type="submit" data-testid="save-notice">${t('flows.notices.save')}</button>
          </form>`}
      ${this.status ? html`<p class="notice" role="status" data-testid="notice-status">${this.status}</p>` : nothing}`;
  }

  private async save() {
    const d = this.draft;
    const problems: FieldErrors = {};
    if (!d.ref) problems.ref = t('flows.notices.chooseRef');
    if (!d.prompt) problems['notice.prompt'] = t('flows.notices.choosePrompt');
    this.errors = problems;
    if (Object.keys(problems).length) return;
    try {
      await setNotice(this.api, d.scope, d.ref, { enabled: d.enabled, prompt: Number(d.prompt), toCalled: d.scope === 'route' && d.toCalled });
      this.status = t('flows.notices.saved', { ref: this.refText(d) });
      this.error = '';
      this.notices = await listNotices(this.api);
    } catch (e) {
      this.errors = fieldErrorsOf(e);
      this.error = formErrorOf(e);
    }
  }

  private async removeNotice(n: RecordingNoticeView) {
    try {
      await setNotice(this.api, n.scope, n.ref, null);
      this.status = t('flows.notices.removed', { ref: this.refText(n) });
      this.notices = await listNotices(this.api);
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }
}
