import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Api } from '../data/api';
import { activeAlarms, type Alarm } from '../data/alarms';
import { t } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';

/**
 * Active alarms (disk full, quota, failed conversions…) in the header, beside
 * the licence: a count coloured by the worst severity, the messages on hover
 * and for screen readers. Nothing is shown while all is well.
 */
@customElement('pbx-alarms-indicator')
export class PbxAlarmsIndicator extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private alarms: Alarm[] = [];
  @state() private total = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    shared,
    css`
      span {
        display: inline-block;
        padding: 0.2rem 0.6rem;
        border-radius: 999px;
        font-size: 0.85rem;
        border: 2px solid #b36b00;
        background: #fff6e0;
        color: #1b1f24;
      }
      .critical {
        border-color: #a4161a;
        background: #fdecec;
        color: #7a0d10;
        font-weight: 600;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 30_000);
  }

  override disconnectedCallback(): void {
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private refresh(): void {
    activeAlarms(this.api).then(
      (r) => {
        this.alarms = r.alarms;
        this.total = r.total;
      },
      () => undefined,
    );
  }

  override render() {
    if (this.total === 0) return nothing;
    const critical = this.alarms.some((a) => a.severity === 'critical');
    const list = this.alarms.map((a) => a.message).join('\n');
    return html`<span class=${critical ? 'critical' : ''} role="status" title=${list} aria-label=${`${t('alarms.count', { n: this.total })}: ${list}`}
      data-testid="alarms-indicator">${t('alarms.count', { n: this.total })}</span>`;
  }
}
