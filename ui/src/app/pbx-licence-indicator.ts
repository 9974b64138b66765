import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Api } from '../data/api';
import { getLicence, type LicenceSummary } from '../data/license';
import { formatDateTime, t } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';

/**
 * The licence state in the header, coloured by its alarm level; the first
 * occupant of the header's indicator slot (call-capacity alarms join later).
 */
@customElement('pbx-licence-indicator')
export class PbxLicenceIndicator extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private licence: LicenceSummary | null = null;

  static override styles = [
    shared,
    css`
      span {
        display: inline-block;
        padding: 0.2rem 0.6rem;
        border-radius: 999px;
        font-size: 0.85rem;
        background: #fff;
        color: #1b1f24;
        border: 2px solid #1e7d32;
      }
      .warning {
        border-color: #b36b00;
        background: #fff6e0;
      }
      .critical {
        border-color: #a4161a;
        background: #fdecec;
        color: #7a0d10;
        font-weight: 600;
      }
    `,
  ];

  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.refresh();
    // Expiry and grace change by the day; a few minutes is fresh enough.
    this.timer = setInterval(() => this.refresh(), 5 * 60_000);
  }

  override disconnectedCallback(): void {
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private refresh(): void {
    // Someone without `license.read` gets 403: the indicator stays empty.
    getLicence(this.api).then(
      (l) => (this.licence = l),
      () => undefined,
    );
  }

  private text(l: LicenceSummary): string {
    switch (l.state) {
      case 'valid':
        return t('licence.valid', { profile: l.profile });
      case 'expiring-soon':
        return t('licence.expiringSoon', { days: l.daysLeft ?? 0 });
      case 'expired-grace':
        return t('licence.grace', { until: l.graceEnds ? formatDateTime(l.graceEnds) : '—' });
      case 'restored-grace':
        return t('licence.restoredGrace', { until: l.graceEnds ? formatDateTime(l.graceEnds) : '—' });
      case 'invalid':
        return t('licence.invalid');
      case 'unlicensed':
        return t('licence.unlicensed', { calls: l.limits.concurrentCalls });
    }
  }

  override render() {
    const l = this.licence;
    if (!l) return nothing;
    return html`<span class=${l.alarm} role="status" data-testid="licence-indicator" data-state=${l.state}>${this.text(l)}</span>`;
  }
}
