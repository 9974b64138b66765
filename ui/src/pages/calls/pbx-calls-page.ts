// Call history: filters, paging, and the CSV export with progress. A
// forwarded or transferred call has a marker that opens its hops (call-hops.ts).
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { DIRECTIONS, DISPOSITIONS, HOP_FILTER, exportCdrs, listCdrs, type Cdr, type CdrFilters } from '../../data/cdrs';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { filterField } from '../../components/filter-field';
import { pager } from '../../components/pager';
import { saveFile } from '../extensions/save-file';
import { answeredBy, hopsDetail, hopsMarker } from './call-hops';

const PAGE = 50;
const COLUMNS = 6;
const duration = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

@customElement('pbx-calls-page')
export class PbxCallsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private filters: CdrFilters = {};
  @state() private rows: Cdr[] = [];
  @state() private total = 0;
  @state() private offset = 0;
  @state() private loaded = false;
  @state() private forbidden = false;
  @state() private error = '';
  @state() private errors: FieldErrors = {};
  @state() private exporting: { done: number; total: number } | null = null;
  /** Call ids whose forwards and transfers are shown. */
  @state() private open = new Set<string>();

  static override styles = [
    shared,
    css`
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
        gap: 0 1rem;
        align-items: end;
      }
      progress {
        width: min(20rem, 100%);
      }
      button.hops {
        margin-inline-start: 0.4rem;
        padding: 0 0.3rem;
        min-height: 0;
        background: none;
        color: inherit;
        border: 1px solid currentColor;
      }
      tr.hops-detail ol {
        margin: 0.25rem 0 0;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const r = await listCdrs(this.api, this.filters, this.offset, PAGE);
      this.rows = r.cdrs;
      this.open = new Set();
      this.total = r.total;
      this.error = '';
      this.errors = {};
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      this.errors = fieldErrorsOf(e);
      this.error = formErrorOf(e);
    }
    this.loaded = true;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('calls.title')}</h1>
      <form @submit=${this.apply} data-testid="calls-filters">
        ${this.input('since', 'calls.since', 'date')} ${this.input('until', 'calls.until', 'date')} ${this.input('number', 'calls.number')}
        ${this.input('extension', 'calls.extension')} ${this.select('direction', 'calls.direction', DIRECTIONS, 'calls.dir.')}
        ${this.select('disposition', 'calls.disposition', DISPOSITIONS, 'calls.disp.')}
        ${this.select('forwarded', 'calls.filterForwarded', HOP_FILTER, 'calls.hops.')}
        ${this.select('transferred', 'calls.filterTransferred', HOP_FILTER, 'calls.hops.')}
        <div class="field"><button type="submit">${t('calls.apply')}</button></div>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="row">
        <button type="button" class="secondary" data-testid="export-csv" ?disabled=${this.exporting !== null} @click=${this.export}>
          ${t('calls.export')}
        </button>
        ${
          this.exporting
            ? html`<progress max=${this.exporting.total || 1} .value=${this.exporting.done} aria-label=${t('calls.export')}></progress>
                <span>${formatNumber(this.exporting.done)} / ${formatNumber(this.exporting.total)}</span>`
            : nothing
        }
      </p>
      ${this.loaded ? this.renderTable() : html`<p class="muted" role="status">${t('app.loading')}</p>`}`;
  }

  private input(id: keyof CdrFilters, label: MessageKey, type = 'text') {
    return filterField({ id, label, type, filters: this.filters, error: this.errors[id], change: (next) => (this.filters = next) });
  }

  private select(id: keyof CdrFilters, label: MessageKey, values: readonly string[], prefix: string) {
    return html`<div class="field">
      <label for=${id}>${t(label)}</label>
      <select id=${id} @change=${(e: Event) => (this.filters = { ...this.filters, [id]: (e.target as HTMLSelectElement).value })}>
        <option value="">${t('calls.any')}</option>
        ${values.map((v) => html`<option value=${v} ?selected=${this.filters[id] === v}>${t(`${prefix}${v}` as MessageKey)}</option>`)}
      </select>
    </div>`;
  }

  private renderTable() {
    if (this.rows.length === 0) return html`<p class="muted" data-testid="calls-empty">${t('calls.none')}</p>`;
    return html`<div class="table-wrap">
        <table data-testid="calls-table">
          <thead>
            <tr>
              <th>${t('calls.started')}</th>
              <th>${t('calls.direction')}</th>
              <th>${t('calls.from')}</th>
              <th>${t('calls.to')}</th>
              <th>${t('calls.disposition')}</th>
              <th>${t('calls.duration')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.rows.map(
              (c) =>
                html`<tr>
                    <td>${formatDateTime(c.startedAt)}</td>
                    <td>${t(`calls.dir.${c.direction}` as MessageKey)}</td>
                    <td>${c.caller}</td>
                    <td>${c.callee}${answeredBy(c)}${hopsMarker(c, this.open.has(c.callId), () => this.toggle(c.callId))}</td>
                    <td>${c.disposition ? t(`calls.disp.${c.disposition}` as MessageKey) : t('calls.inProgress')}</td>
                    <td>${duration(c.billableSeconds)}</td>
                  </tr>
                  ${this.open.has(c.callId) ? hopsDetail(c, COLUMNS) : nothing}`,
            )}
          </tbody>
        </table>
      </div>
      ${pager({ offset: this.offset, shown: this.rows.length, total: this.total, pageSize: PAGE, go: (o) => this.go(o) })}`;
  }

  private toggle(callId: string) {
    const next = new Set(this.open);
    if (!next.delete(callId)) next.add(callId);
    this.open = next;
  }

  private apply(e: Event) {
    e.preventDefault();
    this.offset = 0;
    void this.load();
  }

  private go(offset: number) {
    this.offset = offset;
    void this.load();
  }

  private async export() {
    this.exporting = { done: 0, total: this.total };
    try {
      const blob = await exportCdrs(this.api, this.filters, (done, total) => (this.exporting = { done, total }));
      saveFile(`calls-${new Date().toISOString().slice(0, 10)}.csv`, blob);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.exporting = null;
    }
  }
}
