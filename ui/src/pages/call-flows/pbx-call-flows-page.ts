// The call flows page (nav.callFlows): ring groups, IVR menus, schedules and holidays,
// announcements, black/white lists, where each inbound number goes and the
// tenant's main destination, and the read-only view with the dry run.
// Admins edit; supervisors and auditors see (a supervisor may flip a
// schedule's day/night switch through the api).
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { getMain, listDids, listFlows, setDidDestination, setMain, type Destination, type DidView, type FlowKind } from '../../data/call-flows';
import { listPrompts, type Prompt } from '../../data/prompts';
import type { Tenant, User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { destinationField, type FlowNames } from './destination-field';
import type { Draft } from './flow-forms';
import './pbx-flow-editor';
import './pbx-flow-notices';
import './pbx-flow-view';

const TABS = ['view', 'numbers', 'ring-group', 'ivr', 'schedule', 'announcement', 'list', 'notices'] as const;
type Tab = (typeof TABS)[number];
const KINDS: FlowKind[] = ['ring-group', 'ivr', 'schedule', 'announcement', 'list'];

@customElement('pbx-call-flows-page')
export class PbxCallFlowsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private tab: Tab = 'view';
  @state() private items: Record<FlowKind, Draft[]> = { 'ring-group': [], ivr: [], schedule: [], announcement: [], list: [] };
  @state() private dids: DidView[] = [];
  @state() private main: Destination | null = null;
  @state() private prompts: Prompt[] = [];
  @state() private numberErrors: Record<string, string> = {};
  @state() private notice = '';
  @state() private forbidden = false;
  @state() private error = '';

  static override styles = [
    shared,
    css`
      .tabs {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        margin-bottom: 1rem;
      }
      .tabs button[aria-selected='true'] {
        font-weight: bold;
        text-decoration: underline;
      }
    `,
  ];

  private get canWrite(): boolean {
    return this.me.role === 'superadmin' || this.me.role === 'tenant-admin';
  }

  private get needTenant(): boolean {
    return this.me.tenantId === null && !this.tenant;
  }

  private get names(): FlowNames {
    const n = (k: FlowKind) => this.items[k].map((o) => ({ id: o.id as number, name: String(o.name) }));
    return { 'ring-group': n('ring-group'), ivr: n('ivr'), schedule: n('schedule'), announcement: n('announcement') };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private loadedFor: number | null | undefined;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('tenant') && this.loadedFor !== undefined && (this.tenant?.id ?? null) !== this.loadedFor) void this.load();
  }

  private async load() {
    this.loadedFor = this.tenant?.id ?? null;
    if (this.needTenant) return;
    try {
      const lists = await Promise.all(KINDS.map((k) => listFlows<Draft>(this.api, k)));
      this.items = Object.fromEntries(KINDS.map((k, i) => [k, lists[i]!])) as Record<FlowKind, Draft[]>;
      this.main = await getMain(this.api);
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
      return;
    }
    // The pickers' prompts; a role that may not read them sees ids only.
    this.prompts = await listPrompts(this.api).then(
      (r) => r.prompts,
      () => [],
    );
    // Numbers are read with the trunks permission: admins only.
    this.dids = this.canWrite ? await listDids(this.api).catch(() => []) : [];
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('flows.title')}</h1>
      ${this.needTenant ? html`<p class="notice">${t('routes.chooseTenant')}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="tabs" role="tablist">${TABS.map(
        (x) => html`<button type="button" role="tab" class="secondary" data-testid="tab-${x}" aria-selected=${this.tab === x ? 'true' : 'false'} @click=${() => (this.tab = x)}>${t(`flows.tab.${x}` as MessageKey)}</button>`,
      )}</div>
      ${this.needTenant ? nothing : this.renderTab()}`;
  }

  private renderTab() {
    if (this.tab === 'view') return html`<pbx-flow-view .api=${this.api} .numbers=${this.dids.map((d) => d.number)}></pbx-flow-view>`;
    if (this.tab === 'numbers') return this.renderNumbers();
    if (this.tab === 'notices') return html`<pbx-flow-notices .api=${this.api} .dids=${this.dids} .prompts=${this.prompts} ?readOnly=${!this.canWrite}></pbx-flow-notices>`;
    return html`<pbx-flow-editor .api=${this.api} .kind=${this.tab} .items=${this.items[this.tab]} .names=${this.names} .prompts=${this.prompts} ?readOnly=${!this.canWrite}
      @pbx-flows-changed=${() => void this.load()} @pbx-prompt-added=${(e: CustomEvent<Prompt>) => (this.prompts = [e.detail, ...this.prompts.filter((p) => p.id !== e.detail.id)])}></pbx-flow-editor>`;
  }

  private renderNumbers() {
    const ro = !this.canWrite;
    return html`<p class="muted">${t('flows.numbers.intro')}</p>
      ${destinationField({ id: 'main', label: t('flows.numbers.main'), value: this.main, names: this.names, error: this.numberErrors.main, disabled: ro, onChange: (d) => void this.saveMain(d) })}
      ${this.dids.length
        ? html`<table data-testid="numbers-table"><thead><tr><th>${t('dids.number')}</th><th>${t('dids.destination')}</th></tr></thead><tbody>${this.dids.map(
            (d) => html`<tr><td>${d.number}</td><td>${destinationField({
              id: `did-${d.id}`,
              label: t('dids.destination'),
              value: d.destination,
              names: this.names,
              allowMain: true,
              disabled: ro,
              error: this.numberErrors[`did-${d.id}`],
              onChange: (v) => (this.dids = this.dids.map((x) => (x.id === d.id ? { ...x, destination: v } : x))),
            })}${ro ? nothing : html`<button type="button" data-testid="save-did-${d.id}" @click=${() => void this.saveDid(d)}>${t('common.save')}</button>`}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted">${t('dids.none')}</p>`}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}`;
  }

  private async saveMain(d: Destination | null) {
    this.main = d;
    // A destination still being typed (an empty extension) is saved when complete.
    if (d && ((d.type === 'extension' && !/^\d{2,6}$/.test(d.extension)) || (d.type === 'external' && d.number.length < 3))) return;
    try {
      this.main = await setMain(this.api, d);
      this.numberErrors = {};
      this.notice = t('flows.numbers.mainSaved');
    } catch (err) {
      this.numberErrors = { main: isApiError(err) ? (err.fields.destination ?? err.message) : formErrorOf(err) };
    }
  }

  private async saveDid(d: DidView) {
    try {
      await setDidDestination(this.api, d.id, d.destination);
      this.numberErrors = {};
      this.notice = t('flows.numbers.saved', { n: d.number });
    } catch (err) {
      this.numberErrors = { [`did-${d.id}`]: isApiError(err) ? Object.values(err.fields).join('; ') || err.message : formErrorOf(err) };
    }
  }
}
