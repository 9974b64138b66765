// The SIM cards of a tenant: the list with where each sits and whose it is,
// binding a SIM to an extension (at most one each), and the CSV import with
// a preview of every row's problems before the good rows are written.
import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { importSims, listSims, updateSim, type SimImportResult, type SimView } from '../../data/fmc';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { fmcFieldErrors, fmcFieldName, fmcText } from './fmc-server-text';

@customElement('pbx-sims-section')
export class PbxSimsSection extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ type: Boolean }) canWrite = false;
  @state() private sims: SimView[] = [];
  @state() private bindTo: Record<number, string> = {};
  @state() private rowError: Record<number, string> = {};
  @state() private notice = '';
  @state() private error = '';
  @state() private csv = '';
  @state() private preview: SimImportResult | null = null;

  static override styles = [shared];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    try {
      this.sims = await listSims(this.api);
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }

  override render() {
    return html`<h2>${t('fmc.sims')}</h2>
      ${this.notice ? html`<p class="notice" role="status" data-testid="sims-notice">${this.notice}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.sims.length === 0 ? html`<p class="muted" data-testid="sims-empty">${t('fmc.noSims')}</p>` : this.renderTable()}
      ${this.canWrite ? this.renderImport() : nothing}`;
  }

  private renderTable() {
    return html`<div class="table-wrap"><table data-testid="sims-table">
      <thead><tr><th>${t('fmc.msisdn')}</th><th>${t('fmc.iccid')}</th><th>${t('fmc.operator')}</th><th>${t('fmc.where')}</th><th>${t('fmc.registeredShort')}</th><th>${t('fmc.extension')}</th></tr></thead>
      <tbody>${this.sims.map(
        (s) => html`<tr data-sim=${s.msisdn}>
          <td>${s.msisdn}</td><td><small>${s.iccid}</small></td><td>${t(`fmc.op.${s.operator}` as MessageKey)}</td>
          <td>${s.gatewayName ? `${s.gatewayName}${s.port ? ` · ${s.port}` : ''}` : '—'}</td>
          <td>${t(s.userRegistered ? 'fmc.yes' : 'fmc.no')}</td>
          <td>${this.canWrite ? this.renderBind(s) : (s.extension ?? '—')}</td>
        </tr>`,
      )}</tbody></table></div>`;
  }

  private renderBind(s: SimView) {
    const id = `bind-${s.id}`;
    return html`<div class="row">
        <label class="visually-hidden" for=${id}>${t('fmc.extension')}</label>
        <input id=${id} size="6" data-testid=${`bind-${s.msisdn}`} .value=${this.bindTo[s.id] ?? s.extension ?? ''} @input=${(e: Event) => (this.bindTo = { ...this.bindTo, [s.id]: (e.target as HTMLInputElement).value.trim() })} />
        <button type="button" class="secondary" @click=${() => this.bind(s, this.bindTo[s.id] ?? s.extension ?? '')}>${t('fmc.bind')}</button>
        ${s.extension ? html`<button type="button" class="secondary" @click=${() => this.bind(s, '')}>${t('fmc.unbind')}</button>` : nothing}
      </div>
      <span class="field-error" data-field=${`bind-${s.msisdn}`}>${this.rowError[s.id] ?? ''}</span>`;
  }

  private async bind(s: SimView, extension: string) {
    try {
      const { sim } = await updateSim(this.api, s.id, { extension: extension || null });
      this.rowError = { ...this.rowError, [s.id]: '' };
      this.notice = t('fmc.bound', { msisdn: sim.msisdn, ext: sim.extension ?? '—' });
      await this.load();
    } catch (e) {
      this.rowError = { ...this.rowError, [s.id]: fmcFieldErrors(e).extension ?? formErrorOf(e) };
    }
  }

  private renderImport() {
    const p = this.preview;
    return html`<h3>${t('fmc.import')}</h3>
      <p class="muted">${t('fmc.importHint')}</p>
      <div class="field"><label for="simCsv">${t('fmc.importFile')}</label>
        <input id="simCsv" type="file" accept=".csv,text/csv" @change=${this.readFile} /></div>
      <div class="row">
        <button type="button" class="secondary" ?disabled=${!this.csv} data-testid="sims-preview" @click=${() => this.runImport(true)}>${t('fmc.preview')}</button>
        <button type="button" ?disabled=${!p || p.summary.valid === 0 || p.fileErrors.length > 0} data-testid="sims-import" @click=${() => this.runImport(false)}>${t('fmc.importGo')}</button>
      </div>
      ${p
        ? html`<p data-testid="sims-summary">${t('fmc.importSummary', p.summary)}</p>
            <ul class="error" data-testid="sims-import-errors">
              ${p.fileErrors.map((e) => html`<li>${fmcText(e.message)}</li>`)}
              ${p.rows.filter((r) => r.errors.length).map((r) => html`<li data-line=${r.line}>${t('fmc.line', { n: r.line })}: ${r.errors.map((e) => `${fmcFieldName(e.field)} — ${fmcText(e.message)}`).join('; ')}</li>`)}
            </ul>`
        : nothing}`;
  }

  private async readFile(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    this.csv = file ? await file.text() : '';
    this.preview = null;
  }

  private async runImport(dryRun: boolean) {
    try {
      const r = await importSims(this.api, this.csv, dryRun);
      this.preview = r;
      if (!dryRun) {
        this.notice = t('fmc.imported', { n: r.imported ?? 0 });
        this.dispatchEvent(new CustomEvent('pbx-sims-changed', { bubbles: true, composed: true }));
        await this.load();
      }
    } catch (err) {
      this.error = formErrorOf(err);
    }
  }
}
