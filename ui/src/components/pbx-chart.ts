import { html, css, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { PbxElement } from '../app/pbx-element';
import { shared } from '../styles/shared';

export interface Series {
  label: string;
  color: string;
  values: number[];
}

const W = 600;
const H = 160;

/** A small inline-SVG line chart of percentages (0–100) over time. */
@customElement('pbx-chart')
export class PbxChart extends PbxElement {
  @property({ attribute: false }) series: Series[] = [];
  @property() label = '';

  static override styles = [
    shared,
    css`
      svg {
        width: 100%;
        height: auto;
        display: block;
      }
      .legend {
        display: flex;
        gap: 1rem;
        font-size: 0.85rem;
      }
      .swatch {
        display: inline-block;
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 2px;
        margin-inline-end: 0.3rem;
        vertical-align: -1px;
      }
    `,
  ];

  private path(values: number[], n: number): string {
    const step = n > 1 ? W / (n - 1) : W;
    const offset = n - values.length;
    return values
      .map((v, i) => `${i === 0 ? 'M' : 'L'}${((offset + i) * step).toFixed(1)},${(H - (Math.min(100, Math.max(0, v)) / 100) * H).toFixed(1)}`)
      .join(' ');
  }

  override render() {
    const n = Math.max(2, ...this.series.map((s) => s.values.length));
    const grid = [25, 50, 75].map((p) => svg`<line x1="0" x2=${W} y1=${H - (p / 100) * H} y2=${H - (p / 100) * H} stroke="#e1e6eb" stroke-width="1" />`);
    return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.label} preserveAspectRatio="none" data-testid="chart">
        <rect x="0" y="0" width=${W} height=${H} fill="#fafbfc" stroke="#dde3e9" />
        ${grid}
        ${this.series.map((s) => svg`<path d=${this.path(s.values, n)} fill="none" stroke=${s.color} stroke-width="2" vector-effect="non-scaling-stroke" />`)}
      </svg>
      <div class="legend">
        ${this.series.map((s) => html`<span><span class="swatch" style="background:${s.color}"></span>${s.label}</span>`)}
      </div>`;
  }
}
