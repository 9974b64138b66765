// Trunks to the operator and inbound numbers (DIDs). The trunk password is
// write-only: the page only ever says whether one is set.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import { pbxFieldErrors } from '../extensions/pbx-server-text';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { createDid, createTrunk, deleteDid, deleteTrunk, listDids, listTrunks, updateTrunk, type Did, type Trunk, type TrunkInput } from '../../data/trunks';
import type { Tenant, User } from '../../data/types';
import { formatDateTime, t } from '../../i18n';
import type { TrunkSignallingStatus } from '../../../../services/api/routes/trunks/trunk-status';
import { shared } from '../../styles/shared';

interface Draft {
  name: string;
  kind: Trunk['kind'];
  host: string;
  port: string;
  transport: Trunk['transport'];
  username: string;
  password: string;
  addresses: string;
  channelLimit: string;
  outboundCallerId: string;
}

/** The list's trunks carry call-control's signalling status (null: nothing known). */
type ListedTrunk = Trunk & { status?: TrunkSignallingStatus | null };

/** Registration and OPTIONS reachability, the last error and since when; warn-coloured when calls skip the trunk. */
function statusCell(s: TrunkSignallingStatus | null | undefined) {
  if (!s) return html`<span class="muted">${t('trunks.statusNone')}</span>`;
  const parts = [s.registration && t(`trunks.reg.${s.registration}`), s.reachability && t(`trunks.reach.${s.reachability}`)].filter(Boolean).join(' · ');
  return html`<span class=${s.usable ? '' : 'error'} data-testid="trunk-status">${parts || t('trunks.statusNone')}</span>
    ${s.lastError && !s.usable ? html`<br /><small class="muted">${s.lastError}</small>` : nothing}
    <br /><small class="muted">${t('trunks.statusSince', { time: formatDateTime(s.changedAt) })}</small>`;
}

const emptyDraft = (): Draft => ({ name: '', kind: 'register', host: '', port: '5060', transport: 'udp', username: '', password: '', addresses: '', channelLimit: '0', outboundCallerId: '' });

const draftOf = (x: Trunk): Draft => ({
  name: x.name,
  kind: x.kind,
  host: x.host ?? '',
  port: String(x.port),
  transport: x.transport,
  username: x.username ?? '',
  password: '',
  addresses: x.addresses.join(', '),
  channelLimit: String(x.channelLimit),
  outboundCallerId: x.outboundCallerId,
});

function toInput(d: Draft): TrunkInput {
  const base = { name: d.name.trim(), kind: d.kind, port: Number(d.port) || 0, transport: d.transport, channelLimit: Number(d.channelLimit) || 0, outboundCallerId: d.outboundCallerId.trim() };
  if (d.kind === 'ip') return { ...base, addresses: d.addresses.split(/[\s,;]+/).filter(Boolean) };
  return { ...base, host: d.host.trim() || null, username: d.username.trim() || null, ...(d.password ? { password: d.password } : {}) };
}

@customElement('pbx-trunks-page')
export class PbxTrunksPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private trunks: ListedTrunk[] = [];
  @state() private dids: Did[] = [];
  @state() private forbidden = false;
  @state() private error = '';
  @state() private draft: Draft = emptyDraft();
  /** The trunk being edited; null: the form creates one. An empty password keeps the stored one. */
  @state() private editing: Trunk | null = null;
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private did = { number: '', extension: '', trunkId: '' };
  @state() private didErrors: FieldErrors = {};
  @state() private didError = '';

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      [this.trunks, this.dids] = await Promise.all([listTrunks(this.api), listDids(this.api)]);
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const needTenant = this.me.role === 'superadmin' && !this.tenant;
    return html`<h1>${t('trunks.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.trunks.length === 0
        ? html`<p class="muted" data-testid="trunks-empty">${t('trunks.none')}</p>`
        : html`<div class="table-wrap"><table data-testid="trunks-table">
            <thead><tr><th>${t('trunks.name')}</th><th>${t('trunks.kind')}</th><th>${t('trunks.server')}</th><th>${t('trunks.password')}</th><th>${t('trunks.channels')}</th><th>${t('trunks.status')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead>
            <tbody>${this.trunks.map(
              (x) => html`<tr data-trunk=${x.name}>
                <td>${x.name}</td>
                <td>${t(x.kind === 'register' ? 'trunks.kindRegister' : 'trunks.kindIp')}</td>
                <td>${x.kind === 'register' ? `${x.username ?? ''}@${x.host ?? ''}:${x.port} (${x.transport.toUpperCase()})` : x.addresses.join(', ')}</td>
                <td>${x.hasPassword ? t('trunks.passwordSet') : '—'}</td>
                <td>${x.channelLimit || t('trunks.unlimited')}</td>
                <td>${statusCell(x.status)}</td>
                <td><div class="row">
                  <button type="button" class="secondary" data-testid="edit-trunk-${x.id}" @click=${() => this.startEdit(x)}>${t('common.edit')}</button>
                  <button type="button" class="danger" @click=${() => this.act(t('trunks.confirmDelete', { name: x.name }), () => deleteTrunk(this.api, x.id))}>${t('common.delete')}</button>
                </div></td>
              </tr>`,
            )}</tbody>
          </table></div>`}
      <h2>${this.editing ? t('trunks.editTitle', { name: this.editing.name }) : t('trunks.create')}</h2>
      ${needTenant && !this.editing ? html`<p class="notice">${t('ext.chooseTenant')}</p>` : nothing}
      ${this.renderTrunkForm(needTenant && !this.editing)}
      <h2>${t('dids.title')}</h2>
      ${this.renderDids(needTenant)}`;
  }

  private renderTrunkForm(disabled: boolean) {
    const d = this.draft;
    const f = (id: keyof Draft, label: Parameters<typeof t>[0], type = 'text', hint?: string) =>
      textField({ id, label: t(label), type, value: d[id], error: this.errors[id === 'addresses' ? 'addresses' : id] ?? this.errors[`${id}[0]`], hint, autocomplete: type === 'password' ? 'new-password' : 'off', onInput: (v) => this.edit({ [id]: v }) });
    return html`<form @submit=${this.submit} novalidate data-testid="trunk-form">
      <div class="grid">
        ${f('name', 'trunks.name')}
        <div class="field">
          <label for="kind">${t('trunks.kind')}</label>
          <select id="kind" @change=${(e: Event) => this.edit({ kind: (e.target as HTMLSelectElement).value as Trunk['kind'] })}>
            <option value="register" ?selected=${d.kind === 'register'}>${t('trunks.kindRegister')}</option>
            <option value="ip" ?selected=${d.kind === 'ip'}>${t('trunks.kindIp')}</option>
          </select>
        </div>
        ${d.kind === 'register'
          ? html`${f('host', 'trunks.host')} ${f('username', 'trunks.username')}
            ${f('password', 'trunks.password', 'password', t(this.editing?.hasPassword ? 'trunks.passwordKeep' : 'trunks.passwordHint'))}`
          : f('addresses', 'trunks.addresses', 'text', t('trunks.addressesHint'))}
        ${f('port', 'trunks.port')}
        <div class="field">
          <label for="transport">${t('trunks.transport')}</label>
          <select id="transport" @change=${(e: Event) => this.edit({ transport: (e.target as HTMLSelectElement).value as Trunk['transport'] })}>
            ${(['udp', 'tcp', 'tls'] as const).map((x) => html`<option value=${x} ?selected=${d.transport === x}>${x.toUpperCase()}</option>`)}
          </select>
        </div>
        ${f('channelLimit', 'trunks.channels', 'text', t('trunks.channelsHint'))} ${f('outboundCallerId', 'trunks.callerId')}
      </div>
      <div class="error" role="alert">${this.formError}</div>
      <div class="row">
        <button type="submit" ?disabled=${disabled}>${this.editing ? t('common.save') : t('trunks.submit')}</button>
        ${this.editing ? html`<button type="button" class="secondary" @click=${() => this.stopEdit()}>${t('common.cancel')}</button>` : nothing}
      </div>
    </form>`;
  }

  private renderDids(disabled: boolean) {
    return html`${this.dids.length
        ? html`<div class="table-wrap"><table data-testid="dids-table">
            <thead><tr><th>${t('dids.number')}</th><th>${t('dids.destination')}</th><th>${t('dids.trunk')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead>
            <tbody>${this.dids.map(
              (x) => html`<tr>
                <td>${x.number}</td><td>${x.destination?.type === 'extension' ? t('dids.toExtension', { n: x.destination.extension }) : t('dids.toFlow')}</td>
                <td>${this.trunks.find((tr) => tr.id === x.trunkId)?.name ?? '—'}</td>
                <td><button type="button" class="danger" @click=${() => this.act(t('dids.confirmDelete', { n: x.number }), () => deleteDid(this.api, x.id))}>${t('common.delete')}</button></td>
              </tr>`,
            )}</tbody></table></div>`
        : html`<p class="muted">${t('dids.none')}</p>`}
      <form @submit=${this.submitDid} novalidate class="grid" data-testid="did-form">
        ${textField({ id: 'didNumber', label: t('dids.number'), value: this.did.number, error: this.didErrors.number, onInput: (v) => (this.did = { ...this.did, number: v.trim() }) })}
        ${textField({ id: 'didExtension', label: t('dids.extension'), value: this.did.extension, error: this.didErrors['destination.extension'], onInput: (v) => (this.did = { ...this.did, extension: v.trim() }) })}
        <div class="field">
          <label for="didTrunk">${t('dids.trunk')}</label>
          <select id="didTrunk" @change=${(e: Event) => (this.did = { ...this.did, trunkId: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            ${this.trunks.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
          </select>
        </div>
        <div class="field"><button type="submit" ?disabled=${disabled}>${t('dids.submit')}</button><span class="error">${this.didError}</span></div>
      </form>`;
  }

  private edit(p: Partial<Draft>) {
    this.draft = { ...this.draft, ...p };
    this.errors = {};
    this.formError = '';
  }

  private startEdit(x: Trunk) {
    this.editing = x;
    this.draft = draftOf(x);
    this.errors = {};
    this.formError = '';
  }

  private stopEdit() {
    this.editing = null;
    this.draft = emptyDraft();
    this.errors = {};
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    try {
      if (this.editing) await updateTrunk(this.api, this.editing.id, toInput(this.draft));
      else await createTrunk(this.api, toInput(this.draft));
      this.editing = null;
      this.draft = emptyDraft();
      await this.load();
    } catch (err) {
      this.errors = pbxFieldErrors(err);
      this.formError = formErrorOf(err);
    }
  }

  private async submitDid(e: Event) {
    e.preventDefault();
    try {
      await createDid(this.api, { number: this.did.number, trunkId: this.did.trunkId ? Number(this.did.trunkId) : null, destination: { type: 'extension', extension: this.did.extension } });
      this.did = { number: '', extension: '', trunkId: '' };
      this.didErrors = {};
      this.didError = '';
      await this.load();
    } catch (err) {
      this.didErrors = pbxFieldErrors(err);
      this.didError = formErrorOf(err);
    }
  }

  private async act(question: string, fn: () => Promise<unknown>) {
    if (!confirm(question)) return;
    try {
      await fn();
      await this.load();
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }
}
