import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { listAudit, type AuditPage } from '../../data/audit';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

const PAGE = 50;

@customElement('pbx-audit-page')
export class PbxAuditPageElement extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private page: AuditPage = { rows: [], total: 0 };
  @state() private offset = 0;
  @state() private action = '';
  @state() private forbidden = false;
  @state() private error = '';
  @state() private loading = false;
  private debounce: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    shared,
    css`
      td.details {
        font-family: ui-monospace, monospace;
        font-size: 0.8rem;
        word-break: break-all;
        max-width: 22rem;
      }
      .outcome-denied,
      .outcome-failed {
        color: #a4161a;
        font-weight: 600;
      }
      .pager {
        margin: 1rem 0;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    clearTimeout(this.debounce);
    super.disconnectedCallback();
  }

  /** The range shown always matches the rows shown: offset changes with the answer. */
  private async load(offset = this.offset) {
    this.loading = true;
    try {
      this.page = await listAudit(this.api, { limit: PAGE, offset, action: this.action.trim() || undefined });
      this.offset = offset;
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    } finally {
      this.loading = false;
    }
  }

  private go(offset: number) {
    void this.load(Math.max(0, offset));
  }

  private filter(v: string) {
    this.action = v;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.go(0), 300);
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const { rows, total } = this.page;
    const from = total === 0 ? 0 : this.offset + 1;
    const to = Math.min(total, this.offset + rows.length);
    return html`<h1>${t('audit.title')}</h1>
      <div class="field">
        <label for="action">${t('audit.filterAction')}</label>
        <input id="action" .value=${this.action} @input=${(e: Event) => this.filter((e.target as HTMLInputElement).value)} aria-describedby="action-hint" />
        <span class="hint" id="action-hint">${t('audit.filterHint')}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="table-wrap">
        <table data-testid="audit-table" aria-busy=${this.loading ? 'true' : 'false'}>
          <thead>
            <tr><th>${t('audit.at')}</th><th>${t('audit.actor')}</th><th>${t('audit.action')}</th><th>${t('audit.target')}</th><th>${t('audit.outcome')}</th><th>${t('audit.ip')}</th><th>${t('audit.details')}</th></tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) => html`<tr>
                <td>${formatDateTime(r.at)}</td>
                <td>${r.actor}</td>
                <td>${r.action}</td>
                <td>${r.target}</td>
                <td class="outcome-${r.outcome}">${t(`audit.outcome.${r.outcome}` as MessageKey)}</td>
                <td>${r.ip}</td>
                <td class="details">${Object.keys(r.details).length ? JSON.stringify(r.details) : ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="row pager">
        <button type="button" class="secondary" ?disabled=${this.offset === 0} @click=${() => this.go(this.offset - PAGE)} data-testid="audit-prev">${t('audit.prev')}</button>
        <span role="status" data-testid="audit-range">${t('audit.range', { from, to, total })}</span>
        <button type="button" class="secondary" ?disabled=${this.offset + PAGE >= total} @click=${() => this.go(this.offset + PAGE)} data-testid="audit-next">${t('audit.next')}</button>
      </div>`;
  }
}
