// The objects of one call-flow kind: a list, and the form of the one being
// edited or created. Saving sends the whole object; the api's problems
// (shape 400, call flow 422: missing objects, loops) appear beside their
// fields and nothing is saved; a delete of something still used is refused
// with who uses it.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import { isApiError, type Api } from '../../data/api';
import { deleteFlow, importCalendar, saveFlow, type FlowKind } from '../../data/call-flows';
import type { Prompt } from '../../data/prompts';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import type { FlowNames } from './destination-field';
import { bodyOf, draftOf, emptyDraft, renderForm, type Draft } from './flow-forms';

@customElement('pbx-flow-editor')
export class PbxFlowEditor extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() kind: FlowKind = 'ring-group';
  @property({ attribute: false }) items: Draft[] = [];
  @property({ attribute: false }) names!: FlowNames;
  @property({ attribute: false }) prompts: Prompt[] = [];
  @property({ type: Boolean }) readOnly = false;
  @state() private draft: Draft | null = null;
  @state() private editing: number | undefined;
  @state() private errors: FieldErrors = {};
  @state() private error = '';
  @state() private saved = '';
  @state() private csv = '';

  static override styles = [
    shared,
    css`
      .option,
      .branch {
        border-left: 3px solid var(--border, #ccc);
        padding-left: 0.75rem;
        margin: 0.5rem 0;
        align-items: flex-end;
        gap: 0.5rem;
      }
      textarea {
        font-family: monospace;
        min-height: 4.5rem;
      }
    `,
  ];

  override render() {
    const k = this.kind;
    return html`<section data-testid="editor-${k}">
      ${this.items.length
        ? html`<ul class="items">${this.items.map(
            (o) => html`<li>
              <button type="button" class="link" data-testid="edit-${k}-${o.name}" @click=${() => this.edit(o)}>${o.name}</button>
              ${this.readOnly ? nothing : html`<button type="button" class="danger" data-testid="delete-${k}-${o.name}" @click=${() => this.removeItem(o)}>${t('common.delete')}</button>`}
            </li>`,
          )}</ul>`
        : html`<p class="muted">${t('flows.none')}</p>`}
      ${this.readOnly ? nothing : html`<button type="button" data-testid="new-${k}" @click=${() => this.start(emptyDraft(k))}>${t(`flows.new.${k}` as MessageKey)}</button>`}
      ${this.saved ? html`<p class="notice" role="status" data-testid="saved">${this.saved}</p>` : nothing}
      ${!this.draft && this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.draft ? this.renderDraft(this.draft) : nothing}
    </section>`;
  }

  private renderDraft(d: Draft) {
    return html`<form @submit=${this.submit} novalidate data-testid="flow-form">
      <h3>${this.editing ? d.name : t(`flows.new.${this.kind}` as MessageKey)}</h3>
      <fieldset ?disabled=${this.readOnly}>
        ${renderForm(this.kind, {
          draft: d,
          errors: this.errors,
          names: this.names,
          readOnly: this.readOnly,
          set: (p) => this.patch(p),
          api: this.api,
          prompts: this.prompts,
          promptAdded: (p) => this.dispatchEvent(new CustomEvent<Prompt>('pbx-prompt-added', { detail: p, bubbles: true, composed: true })),
        })}
      </fieldset>
      ${this.kind === 'schedule' && !this.readOnly ? this.renderCalendar() : nothing}
      <div class="error" role="alert" data-testid="form-error">${this.error}</div>
      ${this.readOnly ? nothing : html`<div class="row"><button type="submit" data-testid="save-flow">${t('common.save')}</button>
        <button type="button" class="secondary" @click=${() => (this.draft = null)}>${t('common.cancel')}</button></div>`}
    </form>`;
  }

  /** The production calendar CSV (data.gov.ru): its holidays are added to the list above, to review and save. */
  private renderCalendar() {
    return html`<details data-testid="calendar-import"><summary>${t('flows.sch.calendar')}</summary>
      <p class="hint">${t('flows.sch.calendarHint')}</p>
      <input type="file" accept=".csv,text/csv" aria-label=${t('flows.sch.calendarFile')} @change=${async (e: Event) => {
        const f = (e.target as HTMLInputElement).files?.[0];
        if (f) this.csv = await f.text();
      }} />
      <textarea id="flow-calendar" aria-label=${t('flows.sch.calendar')} .value=${this.csv} @input=${(e: Event) => (this.csv = (e.target as HTMLTextAreaElement).value)}></textarea>
      <button type="button" class="secondary" data-testid="calendar-apply" @click=${() => void this.applyCalendar()}>${t('flows.sch.calendarApply')}</button>
    </details>`;
  }

  private async applyCalendar() {
    try {
      const r = await importCalendar(this.api, this.csv);
      const lines = r.holidays.map((h) => `${h.from}${h.to ? `..${h.to}` : ''} ${h.name}`);
      const cur = String(this.draft?.holidaysText ?? '').trim();
      this.patch({ holidaysText: [cur, ...lines].filter(Boolean).join('\n') });
      this.saved = t('flows.sch.calendarDone', { n: r.holidays.length, years: r.years.join(', ') });
    } catch (err) {
      this.errors = fieldErrorsOf(err);
      this.error = isApiError(err) ? err.message : formErrorOf(err);
    }
  }

  private start(d: Draft, id?: number) {
    this.draft = d;
    this.editing = id;
    this.errors = {};
    this.error = '';
    this.saved = '';
  }

  private edit(o: Draft) {
    this.start(draftOf(this.kind, o), o.id as number);
  }

  private patch(p: Draft) {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...p };
    this.errors = {};
    this.error = '';
  }

  private changed() {
    this.dispatchEvent(new CustomEvent('pbx-flows-changed', { bubbles: true, composed: true }));
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.draft) return;
    try {
      const stored = await saveFlow<Draft>(this.api, this.kind, bodyOf(this.kind, this.draft), this.editing);
      this.draft = null;
      this.saved = t('flows.saved', { name: String(stored.name) });
      this.changed();
    } catch (err) {
      this.errors = fieldErrorsOf(err);
      this.error = isApiError(err) && (err.code === 'call-flow-invalid' || err.code === 'validation-failed') ? t(`flows.error.${err.code}` as MessageKey) : formErrorOf(err);
    }
  }

  private async removeItem(o: Draft) {
    if (!confirm(t('flows.confirmDelete', { name: String(o.name) }))) return;
    try {
      await deleteFlow(this.api, this.kind, o.id as number);
      this.error = '';
      this.changed();
    } catch (err) {
      this.error = isApiError(err) && err.code === 'in-use' ? t('flows.inUse', { who: ((err.details?.referrers as string[] | undefined) ?? []).join(', ') }) : formErrorOf(err);
    }
  }
}
