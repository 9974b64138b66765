// GSM gateways and operator FMC trunks, made from a template, each with its
// ports' live state (registered, busy, calls today) and what to set on the
// device; the SIM cards below (pbx-sims-section). Admins write; supervisors look.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { createGateway, deleteGateway, getGateway, listGateways, listTemplates, type DeviceSetting, type GatewayTemplate, type GatewayTemplateId, type GatewayView } from '../../data/fmc';
import type { Tenant, User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { fmcFieldErrors } from './fmc-server-text';
import './pbx-sims-section';

type Port = GatewayView['ports'][number];

function portState(p: Port, mode: GatewayView['config']['mode']) {
  const parts: string[] = [];
  if (mode === 'line') parts.push(p.registration ? t('fmc.state.registered', { source: p.registration.source }) : t('fmc.state.unregistered'));
  if (p.live) parts.push(t(p.live.busy ? 'fmc.state.busy' : 'fmc.state.free'), t('fmc.state.calls', { n: p.live.callsToday }));
  else parts.push(t('fmc.state.noLive'));
  return parts.join(' · ');
}

interface Draft {
  name: string;
  template: GatewayTemplateId;
  host: string;
  portCount: string;
  cityCode: string;
  imei: string;
}

const emptyDraft = (): Draft => ({ name: '', template: 'goip-line', host: '', portCount: '4', cityCode: '', imei: '' });

@customElement('pbx-gateways-page')
export class PbxGatewaysPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private gateways: GatewayView[] = [];
  @state() private templates: GatewayTemplate[] = [];
  @state() private settings: Record<number, DeviceSetting[]> = {};
  @state() private forbidden = false;
  @state() private error = '';
  @state() private notice = '';
  @state() private draft: Draft = emptyDraft();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
      .gateway {
        border: 1px solid var(--border, #ccc);
        border-radius: 0.5rem;
        padding: 0 1rem 1rem;
        margin-bottom: 1rem;
      }
    `,
  ];

  private get canWrite() {
    return this.me.role === 'superadmin' || this.me.role === 'tenant-admin';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      [this.gateways, this.templates] = await Promise.all([listGateways(this.api), listTemplates(this.api)]);
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const needTenant = this.me.role === 'superadmin' && !this.tenant;
    return html`<h1>${t('fmc.title')}</h1>
      <p class="notice">${t('fmc.lawNote')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status" data-testid="gateway-notice">${this.notice}</p>` : nothing}
      <h2>${t('fmc.gateways')}</h2>
      ${this.gateways.length === 0 ? html`<p class="muted" data-testid="gateways-empty">${t('fmc.noGateways')}</p>` : this.gateways.map((g) => this.renderGateway(g))}
      ${this.canWrite ? html`<h2>${t('fmc.create')}</h2>${needTenant ? html`<p class="notice">${t('ext.chooseTenant')}</p>` : nothing}${this.renderForm(needTenant)}` : nothing}
      ${needTenant ? nothing : html`<pbx-sims-section .api=${this.api} ?canWrite=${this.canWrite} @pbx-sims-changed=${() => void this.load()}></pbx-sims-section>`}`;
  }

  private renderGateway(g: GatewayView) {
    const mode = g.config.mode;
    return html`<section class="gateway" data-gateway=${g.name}>
      <h3>${g.name} <small class="muted">${t(`fmc.tpl.${g.config.template}` as MessageKey)} · ${t(`fmc.mode.${mode}` as MessageKey)}${g.status ? ` · ${t(`fmc.reach.${g.status.reachability}` as MessageKey)}` : ''}</small></h3>
      ${g.ports.length
        ? html`<div class="table-wrap"><table data-testid=${`ports-${g.id}`}>
            <thead><tr><th>${t('fmc.port')}</th><th>${mode === 'line' ? t('fmc.portUser') : t('fmc.portDid')}</th><th>${t('fmc.portSim')}</th><th>${t('fmc.portState')}</th></tr></thead>
            <tbody>${g.ports.map(
              (p) => html`<tr data-port=${p.port}>
                <td>${p.port}</td><td>${mode === 'line' ? p.username : `${p.did} / ${p.prefix}`}</td><td>${p.sim?.msisdn ?? '—'}</td>
                <td data-testid=${`port-state-${g.id}-${p.port}`} class=${p.live?.busy ? 'error' : ''}>${portState(p, mode)}</td>
              </tr>`,
            )}</tbody></table></div>`
        : nothing}
      <div class="row">
        <button type="button" class="secondary" @click=${() => this.showSettings(g.id)}>${t('fmc.deviceSettings')}</button>
        ${this.canWrite ? html`<button type="button" class="danger" @click=${() => this.deleteGateway(g)}>${t('common.delete')}</button>` : nothing}
      </div>
      ${this.settings[g.id]
        ? html`<table data-testid=${`device-settings-${g.id}`}><tbody>${this.settings[g.id]!.map((s) => html`<tr><td>${s.section}</td><td>${s.field}</td><td><code>${s.value}</code></td></tr>`)}</tbody></table>`
        : nothing}
    </section>`;
  }

  private renderForm(disabled: boolean) {
    const d = this.draft;
    const tpl = this.templates.find((x) => x.id === d.template);
    const f = (id: keyof Draft, label: MessageKey, hint?: string) =>
      textField({ id, label: t(label), value: d[id], error: this.errors[id], ...(hint ? { hint } : {}), autocomplete: 'off', onInput: (v) => this.edit({ [id]: v }) });
    return html`<form @submit=${this.submit} novalidate data-testid="gateway-form">
      <div class="grid">
        <div class="field">
          <label for="template">${t('fmc.template')}</label>
          <select id="template" @change=${(e: Event) => this.pickTemplate((e.target as HTMLSelectElement).value as GatewayTemplateId)}>
            ${this.templates.map((x) => html`<option value=${x.id} ?selected=${d.template === x.id}>${t(`fmc.tpl.${x.id}` as MessageKey)}</option>`)}
          </select>
        </div>
        ${f('name', 'fmc.name')} ${f('host', 'fmc.host', t('fmc.hostHint'))}
        ${tpl?.mode === 'operator' ? nothing : f('portCount', 'fmc.portCount', t('fmc.portCountHint', { max: tpl?.maxPorts ?? 32 }))}
        ${f('cityCode', 'fmc.cityCode', t('fmc.cityCodeHint'))} ${f('imei', 'fmc.imei')}
      </div>
      <div class="error" role="alert">${this.formError}</div>
      <button type="submit" ?disabled=${disabled}>${t('fmc.create')}</button>
    </form>`;
  }

  private pickTemplate(id: GatewayTemplateId) {
    const tpl = this.templates.find((x) => x.id === id);
    this.edit({ template: id, portCount: String(tpl?.defaultPorts ?? 4) });
  }

  private edit(p: Partial<Draft>) {
    this.draft = { ...this.draft, ...p };
    this.errors = {};
    this.formError = '';
  }

  private async submit(e: Event) {
    e.preventDefault();
    const d = this.draft;
    const operator = this.templates.find((x) => x.id === d.template)?.mode === 'operator';
    try {
      const r = await createGateway(this.api, {
        name: d.name.trim(),
        template: d.template,
        host: d.host.trim() || null,
        ...(operator ? { portCount: 0 } : { portCount: Number(d.portCount) }),
        cityCode: d.cityCode.trim() || null,
        imei: d.imei.trim() || null,
      });
      this.notice = [t('fmc.created', { name: r.gateway.name }), r.password ? t('fmc.passwordOnce', { password: r.password }) : ''].filter(Boolean).join('. ');
      this.draft = emptyDraft();
      await this.load();
      await this.showSettings(r.gateway.id);
    } catch (err) {
      this.errors = fmcFieldErrors(err);
      this.formError = formErrorOf(err);
    }
  }

  private async showSettings(id: number) {
    try {
      const r = await getGateway(this.api, id);
      this.settings = { ...this.settings, [id]: r.deviceSettings };
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }

  private async deleteGateway(g: GatewayView) {
    if (!confirm(t('fmc.confirmDelete', { name: g.name }))) return;
    try {
      await deleteGateway(this.api, g.id);
      await this.load();
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }
}
