// The licence: state badge and its plain message, profile and limits, usage
// as bars, dates, the activation request to download and the licence file
// to upload (PUT /api/license); a refusal shows its reason translated.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { extensionUsage } from '../../data/extensions';
import { getSystem } from '../../data/system';
import { ACTIVATION_REQUEST_URL, getLicenceDetails, installLicence, type LicenceDetails, type SelftestSummary } from '../../data/licence';
import type { Role } from '../../data/types';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

const STATE_KEY: Record<string, MessageKey> = {
  valid: 'lic.state.valid',
  'expiring-soon': 'lic.state.expiring-soon',
  'expired-grace': 'lic.state.expired-grace',
  'restored-grace': 'lic.state.restored-grace',
  invalid: 'lic.state.invalid',
  unlicensed: 'lic.state.unlicensed',
};

export function refusalText(reason: string | undefined, fallback: string): string {
  const key = `lic.reason.${reason ?? ''}` as MessageKey;
  const text = t(key);
  return text === key ? fallback : text;
}

/** The plain message in the UI's language; the server's English one is the title. */
function stateMessage(l: LicenceDetails): string {
  switch (l.state) {
    case 'valid':
      return t('lic.msg.valid', { profile: l.profile });
    case 'expiring-soon':
      return t('lic.msg.expiring-soon', { n: l.daysLeft ?? 0 });
    case 'expired-grace':
      return t('lic.msg.expired-grace', { until: l.graceEnds ? formatDateTime(l.graceEnds) : '—' });
    case 'restored-grace':
      return t('lic.msg.restored-grace', { until: l.graceEnds ? formatDateTime(l.graceEnds) : '—' });
    case 'unlicensed':
      return t('lic.msg.unlicensed', { calls: l.limits.concurrentCalls, ext: l.limits.extensions });
    default:
      return refusalText(l.reason ?? undefined, l.message);
  }
}

/** Standard profiles, smallest first (a custom licence is not compared). */
const PROFILE_ORDER: readonly string[] = ['eval', 'S', 'M', 'L', 'XL'];

@customElement('pbx-licence-page')
export class PbxLicencePage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() userRole: Role = 'employee';
  @state() private licence: LicenceDetails | null = null;
  @state() private usage: { extensions: number; tenants: number } | null = null;
  /** Calls in progress as call-control reports them; null while it does not answer. */
  @state() private calls: { active: number; limit: number } | null = null;
  @state() private forbidden = false;
  @state() private error = '';
  @state() private uploadError = '';
  @state() private installed = false;

  static override styles = [
    shared,
    css`
      .badge {
        display: inline-block;
        padding: 0.25rem 0.8rem;
        border-radius: 999px;
        font-weight: 700;
        color: #fff;
      }
      .badge[data-alarm='none'] {
        background: #1e7d32;
      }
      .badge[data-alarm='warning'] {
        background: #8a5300;
      }
      .badge[data-alarm='critical'] {
        background: #a4161a;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.3rem 1rem;
      }
      dt {
        color: #55606b;
      }
      dd {
        margin: 0;
      }
      .bar {
        display: grid;
        grid-template-columns: 12rem 1fr max-content;
        gap: 0.75rem;
        align-items: center;
        margin: 0.4rem 0;
      }
      meter {
        width: 100%;
        height: 1.1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.licence = await getLicenceDetails(this.api);
      this.usage = await extensionUsage(this.api).catch(() => null);
      const sys = await getSystem(this.api).catch(() => null);
      this.calls = sys?.calls.available ? { active: sys.calls.active, limit: sys.calls.limit } : null;
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const l = this.licence;
    return html`<h1>${t('lic.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${l ? this.renderLicence(l) : html`<p class="muted" role="status">${t('app.loading')}</p>`}
      ${this.userRole === 'superadmin' ? this.renderActions() : nothing}`;
  }

  private renderLicence(l: LicenceDetails) {
    const state = STATE_KEY[l.state] ? t(STATE_KEY[l.state]!) : l.state;
    return html`<section class="card" data-testid="licence-state" data-state=${l.state}>
        <p><span class="badge" data-alarm=${l.alarm} data-testid="licence-badge">${state}</span></p>
        <p data-testid="licence-message" title=${l.message}>${stateMessage(l)}</p>
        <dl>
          <dt>${t('lic.profile')}</dt><dd data-testid="licence-profile">${l.profile}</dd>
          ${l.licence
            ? html`<dt>${t('lic.customer')}</dt><dd>${l.licence.customer}</dd>
                <dt>${t('lic.id')}</dt><dd>${l.licence.id}</dd>
                <dt>${t('lic.issued')}</dt><dd>${formatDateTime(l.licence.issued)}</dd>
                <dt>${t('lic.expires')}</dt><dd>${formatDateTime(l.licence.expires)}${l.daysLeft !== null ? ` (${t('lic.daysLeft', { n: l.daysLeft })})` : ''}</dd>`
            : nothing}
          ${l.graceEnds ? html`<dt>${t('lic.graceEnds')}</dt><dd>${formatDateTime(l.graceEnds)}</dd>` : nothing}
        </dl>
      </section>
      <h2>${t('lic.usage')}</h2>
      ${this.bar('lic.extensions', this.usage?.extensions, l.limits.extensions, 'usage-extensions')}
      ${this.bar('lic.tenants', this.usage?.tenants ?? l.usage?.tenants, l.limits.tenants, 'usage-tenants')}
      ${this.calls
        ? this.bar('lic.calls', this.calls.active, l.limits.concurrentCalls, 'usage-calls')
        : html`<div class="bar" data-testid="usage-calls">
            <span>${t('lic.calls')}</span><span class="muted">${t('lic.callsUnknown')}</span>
            <span>${t('lic.limit', { n: formatNumber(l.limits.concurrentCalls) })}</span>
          </div>`}
      ${this.renderSelftest(l.selftest ?? null, l.profile)}`;
  }

  /** The last `korobka selftest`: what this hardware carries, and whether that covers the licence. */
  private renderSelftest(s: SelftestSummary | null, licensed: string) {
    if (!s) return html`<h2>${t('st.title')}</h2><p class="muted" data-testid="selftest-never">${t('st.never')}</p>`;
    const below = PROFILE_ORDER.includes(licensed) && PROFILE_ORDER.indexOf(s.profile ?? '') < PROFILE_ORDER.indexOf(licensed);
    return html`<h2>${t('st.title')}</h2>
      <section class="card" data-testid="selftest" data-mode=${s.mode}>
        <dl>
          <dt>${t('st.ranAt')}</dt><dd data-testid="selftest-ran">${formatDateTime(s.ranAt)} (${t(s.mode === 'quick' ? 'st.mode.quick' : 'st.mode.full')})</dd>
          <dt>${t('st.machine')}</dt><dd>${t('st.machineValue', { cpus: s.machine.cpus, mem: s.machine.memGiB, model: s.machine.model })}</dd>
          <dt>${t('st.setup')}</dt><dd data-testid="selftest-setup">${t('st.setupValue', { n: formatNumber(s.callsPerSecond, 1) })}</dd>
          <dt>${t('st.held')}</dt><dd data-testid="selftest-held">${formatNumber(s.heldCalls)}</dd>
          <dt>${t('st.conversion')}</dt><dd data-testid="selftest-conversion">${t('st.conversionValue', { n: formatNumber(s.audioSecondsPerSecond, 1) })}</dd>
          <dt>${t('st.profile')}</dt><dd data-testid="selftest-profile">${s.profile ?? t('st.profileNone')}</dd>
        </dl>
        <p class="muted">${t('st.margin')}</p>
        ${s.mode === 'quick' ? html`<p class="muted" data-testid="selftest-quick">${t('st.quickNote')}</p>` : nothing}
        ${below ? html`<p class="error" role="alert" data-testid="selftest-below">${t('st.belowLicence', { profile: licensed })}</p>` : nothing}
      </section>`;
  }

  private bar(label: MessageKey, used: number | undefined, limit: number, id: string) {
    return html`<div class="bar" data-testid=${id}>
      <span>${t(label)}</span>
      ${used === undefined ? html`<span class="muted">—</span>` : html`<meter min="0" max=${limit} high=${limit * 0.9} optimum="0" .value=${used}></meter>`}
      <span>${t('lic.usedOf', { used: used === undefined ? '—' : formatNumber(used), limit: formatNumber(limit) })}</span>
      ${used !== undefined && used > limit ? html`<span class="error" role="alert" data-testid="${id}-over">${t('lic.over', { limit: formatNumber(limit) })}</span>` : nothing}
    </div>`;
  }

  private renderActions() {
    return html`<h2>${t('lic.activate')}</h2>
      <p>${t('lic.activateSteps')}</p>
      <p><a href=${ACTIVATION_REQUEST_URL} download="korobka-activation-request.txt" data-testid="activation-request">${t('lic.downloadRequest')}</a></p>
      <div class="field">
        <label for="licenceFile">${t('lic.upload')}</label>
        <input id="licenceFile" type="file" accept=".lic,.txt,text/plain" aria-describedby="licenceFile-error" @change=${this.upload} />
        <span class="field-error" id="licenceFile-error" role="alert" data-testid="licence-upload-error">${this.uploadError}</span>
      </div>
      ${this.installed ? html`<p class="notice" role="status" data-testid="licence-installed">${t('lic.installed')}</p>` : nothing}`;
  }

  private async upload(e: Event) {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.uploadError = '';
    this.installed = false;
    try {
      this.licence = await installLicence(this.api, await file.text());
      this.installed = true;
      this.dispatchEvent(new CustomEvent('pbx-licence-changed', { bubbles: true, composed: true }));
    } catch (err) {
      if (isApiError(err) && err.code === 'licence-invalid') this.uploadError = refusalText((err.details as { reason?: string } | undefined)?.reason, err.message);
      else if (isApiError(err) && err.code === 'validation-failed') this.uploadError = t('lic.reason.empty');
      else this.uploadError = formErrorOf(err);
    } finally {
      input.value = '';
    }
  }
}
