import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import '../../components/pbx-chart';
import { formErrorOf } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { getHealth, getSystem, LiveFeed } from '../../data/system';
import type { Health, HealthProcess, Role, SystemInfo, SystemSample } from '../../data/types';
import { formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { formatBytes, formatDuration } from './format';
import './pbx-live-calls';

const processesOf = (h: Health): HealthProcess[] | null => (h.supervisor === null ? null : h.processes);

const SYSTEM_ROLES: readonly Role[] = ['superadmin', 'tenant-admin', 'supervisor', 'auditor'];
const KEEP = 200;

@customElement('pbx-dashboard-page')
export class PbxDashboardPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() userRole: Role = 'employee';
  @state() private system: Omit<SystemInfo, 'history'> | null = null;
  @state() private history: SystemSample[] = [];
  /** undefined: not loaded yet; null: no supervisor runs (the api is on its own). */
  @state() private processes: HealthProcess[] | null | undefined = undefined;
  @state() private live = false;
  @state() private error = '';
  private feed: LiveFeed | null = null;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
        gap: 1rem;
        margin-bottom: 1rem;
      }
      meter {
        width: 100%;
      }
      .value {
        font-size: 1.6rem;
        font-weight: 700;
      }
      .card h2 {
        margin: 0 0 0.4rem;
        font-size: 0.95rem;
        color: #55606b;
      }
      .live {
        font-size: 0.85rem;
      }
      .dot {
        display: inline-block;
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: #8a949e;
        margin-inline-end: 0.3rem;
      }
      .dot.on {
        background: #1e7d32;
      }
      .state-running {
        color: #1e7d32;
      }
      .state-failed,
      .state-backoff {
        color: #a4161a;
      }
    `,
  ];

  private get canSeeSystem(): boolean {
    return SYSTEM_ROLES.includes(this.userRole);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.canSeeSystem) void this.load();
  }

  override disconnectedCallback(): void {
    this.feed?.close();
    this.feed = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      const [system, health] = await Promise.all([getSystem(this.api), getHealth()]);
      this.system = system;
      this.history = system.history.slice(-KEEP);
      this.processes = processesOf(health);
    } catch (e) {
      this.error = formErrorOf(e);
      return;
    }
    if (!this.isConnected) return;
    this.feed = new LiveFeed(
      (m) => {
        this.system = m.system;
        if (m.sample) this.history = [...this.history, m.sample].slice(-KEEP);
        this.processes = m.processes;
      },
      (on) => {
        this.live = on;
        if (on) void getHealth().then((h) => (this.processes = processesOf(h)), () => undefined);
      },
      // Any api call now answers 401, which takes the app back to sign-in.
      () => void getSystem(this.api).catch(() => undefined),
    );
    this.feed.open();
  }

  override render() {
    return html`<h1>${t('dashboard.title')}</h1>
      <div class="grid">
        <div class="card" data-testid="calls-card">
          <h2>${t('dashboard.activeCalls')}</h2>
          ${this.system?.calls.available
            ? html`<div class="value" data-testid="active-calls">${this.system.calls.active}</div>
                <meter min="0" max=${this.system.calls.limit} high=${this.system.calls.limit * 0.9} optimum="0" .value=${this.system.calls.active}
                  aria-label=${t('dashboard.licenceUse')}></meter>
                <div class="muted">${t('dashboard.ofLimit', { limit: this.system.calls.limit, profile: this.system.calls.profile })}</div>`
            : html`<div class="muted">${t('dashboard.notAvailableYet')}</div>`}
        </div>
        <div class="card" data-testid="registrations-card">
          <h2>${t('dashboard.registrations')}</h2>
          ${this.system?.registrations.available
            ? html`<div class="value" data-testid="registrations">${this.system.registrations.count}</div>`
            : html`<div class="muted">${t('dashboard.notAvailableYet')}</div>`}
        </div>
      </div>
      <pbx-live-calls .api=${this.api} userRole=${this.userRole}></pbx-live-calls>
      ${this.canSeeSystem ? this.renderSystem() : html`<p class="notice">${t('dashboard.noSystemAccess')}</p>`}`;
  }

  private renderSystem() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const s = this.system;
    if (!s) return html`<p class="muted" role="status">${t('app.loading')}</p>`;
    return html`<div class="row live" role="status" data-testid="live-state">
        <span class="dot ${this.live ? 'on' : ''}"></span>${this.live ? t('dashboard.live') : t('dashboard.reconnecting')}
      </div>
      <h2>${t('dashboard.system')} · ${s.hostname}</h2>
      <div class="grid">
        <div class="card" data-testid="cpu-card">
          <h2>${t('dashboard.cpu')}</h2>
          <div class="value">${formatNumber(s.cpu.loadPercent, 1)}%</div>
          <div class="muted">${t('dashboard.cores', { n: s.cpu.cores })}</div>
        </div>
        <div class="card">
          <h2>${t('dashboard.memory')}</h2>
          <div class="value">${formatNumber(s.memory.percent, 1)}%</div>
          <div class="muted">${formatBytes(s.memory.usedBytes)} / ${formatBytes(s.memory.totalBytes)}</div>
        </div>
        <div class="card">
          <h2>${t('dashboard.disk')}</h2>
          ${s.disk
            ? html`<div class="value">${formatNumber(s.disk.percent, 1)}%</div>
                <div class="muted">${formatBytes(s.disk.usedBytes)} / ${formatBytes(s.disk.totalBytes)} (${s.disk.mount})</div>`
            : html`<div class="muted">${t('dashboard.unknown')}</div>`}
        </div>
        <div class="card">
          <h2>${t('dashboard.uptime')}</h2>
          <div class="value">${formatDuration(s.uptimeSeconds)}</div>
          <div class="muted">${t('dashboard.apiUptime', { d: formatDuration(s.processUptimeSeconds) })}</div>
        </div>
      </div>
      <div class="card">
        <h2>${t('dashboard.chartTitle')}</h2>
        <pbx-chart
          .label=${t('dashboard.chartTitle')}
          .series=${[
            { label: t('dashboard.cpu'), color: '#1f4e8c', values: this.history.map((h) => h.cpuPercent) },
            { label: t('dashboard.memory'), color: '#b35c00', values: this.history.map((h) => h.memoryPercent) },
          ]}
        ></pbx-chart>
      </div>
      ${this.renderProcesses()}`;
  }

  private renderProcesses() {
    const list = this.processes;
    if (list === undefined) return nothing;
    return html`<h2>${t('dashboard.processes')}</h2>
      ${list === null
        ? html`<p class="notice">${t('dashboard.noSupervisor')}</p>`
        : html`<div class="table-wrap">
            <table>
              <thead>
                <tr><th>${t('dashboard.process')}</th><th>${t('dashboard.state')}</th><th>${t('dashboard.pid')}</th><th>${t('dashboard.restarts')}</th></tr>
              </thead>
              <tbody>
                ${list.map(
                  (p) => html`<tr><td>${p.name}</td><td class="state-${p.state}">${t(`procState.${p.state}` as MessageKey)}</td><td>${p.pid ?? '—'}</td><td>${p.restarts}</td></tr>`,
                )}
              </tbody>
            </table>
          </div>`}`;
  }
}
