// The queues page: the tenant's queues (name, strategy, agents), a form to create
// or edit one (strategy, timeouts, wrap-up, announcements, overflow, the
// agents), delete, and each queue's agents with log-in/log-out and pause
// with a reason. Admins edit; a supervisor works the agents; an auditor reads.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { listFlows } from '../../data/call-flows';
import { listPrompts, type Prompt } from '../../data/prompts';
import { deleteQueue, listAgents, listQueues, saveQueue, type Agent, type Queue } from '../../data/queues';
import type { Tenant, User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import type { FlowNames, Named } from '../call-flows/destination-field';
import { draftOfQueue, emptyQueueDraft, inputOfDraft, type QueueDraft } from './queue-draft';
import { queueForm } from './queue-form';
import { queueFieldErrors } from './queue-server-text';
import './pbx-queue-agents';

const EDITORS = ['superadmin', 'tenant-admin'];
const AGENT_ACTORS = ['superadmin', 'tenant-admin', 'supervisor'];
const noNames = (): FlowNames => ({ 'ring-group': [], ivr: [], schedule: [], announcement: [] });

@customElement('pbx-queues-page')
export class PbxQueuesPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private queues: Queue[] | null = null;
  @state() private forbidden = false;
  @state() private error = '';
  @state() private notice = '';
  /** null: no form; 0: a new queue; else the queue being edited. */
  @state() private editing: number | null = null;
  @state() private draft: QueueDraft = emptyQueueDraft();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private saving = false;
  @state() private prompts: Prompt[] = [];
  @state() private names: FlowNames = noNames();
  @state() private agentsOf: { queue: Queue; agents: Agent[] } | null = null;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
        gap: 0 1rem;
      }
      td.actions {
        display: flex;
        gap: 0.5rem;
      }
      form,
      section.agents {
        margin: 1rem 0;
      }
    `,
  ];

  private get canEdit(): boolean {
    return EDITORS.includes(this.me.role);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.queues = await listQueues(this.api);
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  /** What the form's selects offer: prompts and the call flows an overflow may go to. */
  private async loadChoices() {
    const named = async (kind: keyof FlowNames): Promise<Named[]> => (await listFlows<Named>(this.api, kind)).map((x) => ({ id: x.id, name: x.name }));
    try {
      const [prompts, rg, ivr, schedule, announcement] = await Promise.all([
        listPrompts(this.api),
        named('ring-group'),
        named('ivr'),
        named('schedule'),
        named('announcement'),
      ]);
      this.prompts = prompts.prompts;
      this.names = { 'ring-group': rg, ivr, schedule, announcement };
    } catch (e) {
      this.formError = formErrorOf(e);
    }
  }

  private open(q: Queue | null) {
    this.editing = q?.id ?? 0;
    this.draft = q ? draftOfQueue(q) : emptyQueueDraft();
    this.errors = {};
    this.formError = '';
    this.notice = '';
    void this.loadChoices();
  }

  private async save(e: Event) {
    e.preventDefault();
    this.saving = true;
    this.errors = {};
    this.formError = '';
    try {
      await saveQueue(this.api, inputOfDraft(this.draft), this.editing || undefined);
      this.editing = null;
      this.notice = t('queues.saved');
      await this.load();
    } catch (err) {
      this.errors = queueFieldErrors(err);
      this.formError = formErrorOf(err);
    } finally {
      this.saving = false;
    }
  }

  private async removeQueue(q: Queue) {
    if (!confirm(t('queues.confirmDelete', { name: q.name }))) return;
    try {
      await deleteQueue(this.api, q.id);
      this.notice = t('queues.deleted');
      if (this.agentsOf?.queue.id === q.id) this.agentsOf = null;
      await this.load();
    } catch (err) {
      this.error = formErrorOf(err);
    }
  }

  private async showAgents(q: Queue) {
    try {
      this.agentsOf = { queue: q, agents: await listAgents(this.api, q.id) };
    } catch (err) {
      this.error = formErrorOf(err);
    }
  }

  private renderForm() {
    return html`<form data-testid="queue-form" @submit=${this.save} novalidate>
      <h2>${this.editing ? this.draft.name : t('queues.new')}</h2>
      ${this.formError ? html`<p class="error" role="alert" data-testid="queue-form-error">${this.formError}</p>` : nothing}
      ${queueForm({ draft: this.draft, errors: this.errors, prompts: this.prompts, names: this.names, onChange: (d) => (this.draft = d) })}
      <p>
        <button type="submit" class="primary" data-testid="queue-save" ?disabled=${this.saving}>${t(this.editing ? 'queues.save' : 'queues.create')}</button>
        <button type="button" @click=${() => (this.editing = null)}>${t('queues.cancel')}</button>
      </p>
    </form>`;
  }

  private renderList(queues: Queue[]) {
    if (queues.length === 0) return html`<p class="muted" data-testid="queues-empty">${t('queues.empty')}</p>`;
    return html`<table data-testid="queues-table">
      <thead>
        <tr><th>${t('queues.col.name')}</th><th>${t('queues.col.strategy')}</th><th>${t('queues.col.members')}</th><th>${t('queues.col.actions')}</th></tr>
      </thead>
      <tbody>
        ${queues.map(
          (q) => html`<tr data-queue=${q.id}>
            <td>${q.name}</td>
            <td>${t(`queues.strategy.${q.strategy}` as MessageKey)}</td>
            <td>${q.members.length}</td>
            <td class="actions">
              <button data-action="agents" @click=${() => this.showAgents(q)}>${t('queues.agentsOpen')}</button>
              ${this.canEdit
                ? html`<button data-action="edit" @click=${() => this.open(q)}>${t('queues.edit')}</button>
                    <button data-action="delete" @click=${() => this.removeQueue(q)}>${t('queues.delete')}</button>`
                : nothing}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const a = this.agentsOf;
    return html`<h1>${t('queues.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status" data-testid="queues-notice">${this.notice}</p>` : nothing}
      ${this.canEdit && this.editing === null ? html`<p><button class="primary" data-testid="queue-new" @click=${() => this.open(null)}>${t('queues.new')}</button></p>` : nothing}
      ${this.editing !== null ? this.renderForm() : nothing}
      ${this.queues === null ? html`<p class="muted">${t('app.loading')}</p>` : this.renderList(this.queues)}
      ${a
        ? html`<section class="agents" data-testid="queue-agents-panel" data-queue=${a.queue.id}>
            <h2>${t('queues.agents.title', { name: a.queue.name })}</h2>
            <pbx-queue-agents .api=${this.api} queueId=${a.queue.id} .agents=${a.agents} ?canAct=${AGENT_ACTORS.includes(this.me.role)}></pbx-queue-agents>
            <button @click=${() => (this.agentsOf = null)}>${t('queues.agents.close')}</button>
          </section>`
        : nothing}`;
  }
}
