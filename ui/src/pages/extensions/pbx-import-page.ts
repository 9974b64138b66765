// CSV import of extensions: pick a file, see the preview with the bad rows
// highlighted and their errors beside them, import (all or nothing) with a
// progress bar, then download the password sheet, offered once.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import { pbxText } from './pbx-server-text';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { importStatus, passwordSheet, previewImport, startImport, type ImportJob, type ImportPreview } from '../../data/extensions';
import { formatNumber, t } from '../../i18n';
import { shared } from '../../styles/shared';
import { saveFile } from './save-file';

const POLL_MS = 300;
const SHOWN_ROWS = 500;
/** The api reads JSON bodies up to 1 MiB (middleware/json-body.ts); the file travels inside one. */
// The api takes up to 4 MiB of JSON on the import endpoint; the CSV grows a little when JSON-escaped.
const MAX_FILE_BYTES = 3_000_000;

@customElement('pbx-import-page')
export class PbxImportPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private fileName = '';
  @state() private csv = '';
  @state() private preview: ImportPreview | null = null;
  @state() private job: ImportJob | null = null;
  @state() private passwords: ImportJob['passwords'] = undefined;
  @state() private error = '';
  @state() private busy = false;
  @state() private forbidden = false;

  static override styles = [
    shared,
    css`
      tr.bad {
        background: #fdecec;
      }
      td.errors {
        color: #a4161a;
        font-size: 0.9rem;
      }
      progress {
        width: min(30rem, 100%);
        height: 1.2rem;
      }
      pre {
        background: #fff;
        border: 1px solid #dde3e9;
        padding: 0.5rem;
        overflow-x: auto;
      }
      .ok {
        color: #1e7d32;
        font-weight: 600;
      }
    `,
  ];

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('imp.title')}</h1>
      <p>${t('imp.intro')}</p>
      <pre data-testid="import-example">${t('imp.example')}</pre>
      <div class="field">
        <label for="file">${t('imp.file')}</label>
        <input id="file" type="file" accept=".csv,text/csv,text/plain" @change=${this.pick} />
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="import-error">${this.error}</p>` : nothing}
      ${this.busy && !this.job ? html`<p class="muted" role="status">${t('app.loading')}</p>` : nothing}
      ${this.preview ? this.renderPreview(this.preview) : nothing}
      ${this.job ? this.renderJob(this.job) : nothing}`;
  }

  private renderPreview(p: ImportPreview) {
    const canApply = p.fileErrors.length === 0 && p.summary.invalid === 0 && p.licence.ok && p.summary.valid > 0 && !this.job;
    return html`<h2>${t('imp.preview', { name: this.fileName })}</h2>
      <p data-testid="import-summary">${t('imp.summary', { total: formatNumber(p.summary.total), valid: formatNumber(p.summary.valid), invalid: formatNumber(p.summary.invalid) })}</p>
      <p class=${p.licence.ok ? 'muted' : 'error'} data-testid="import-licence">
        ${t(p.licence.ok ? 'imp.licenceOk' : 'imp.licenceOver', { limit: p.licence.limit, existing: p.licence.existing, adding: p.licence.adding })}
      </p>
      ${p.fileErrors.map((e) => html`<p class="error" data-testid="file-error">${e.field}: ${pbxText(e.message)}</p>`)}
      ${p.rows.length
        ? html`<div class="table-wrap">
            <table data-testid="preview-table">
              <thead>
                <tr><th>${t('imp.line')}</th>${p.columns.map((c) => html`<th>${c}</th>`)}<th>${t('imp.errors')}</th></tr>
              </thead>
              <tbody>
                ${this.shownRows(p).map(
                  (r) => html`<tr class=${r.errors.length ? 'bad' : ''} data-line=${r.line} data-bad=${r.errors.length ? 'true' : 'false'}>
                    <td>${r.line}</td>
                    ${p.columns.map((c) => html`<td>${r.values[c] ?? ''}</td>`)}
                    <td class="errors" data-testid="row-errors">${r.errors.map((e) => html`<div>${e.field}: ${pbxText(e.message)}</div>`)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : nothing}
      ${p.rows.length > SHOWN_ROWS ? html`<p class="muted">${t('imp.moreRows', { n: SHOWN_ROWS })}</p>` : nothing}
      ${p.summary.invalid > 0 || p.fileErrors.length ? html`<p class="warning">${t('imp.fixFirst')}</p>` : nothing}
      <button type="button" data-testid="apply-import" ?disabled=${!canApply || this.busy} @click=${this.apply}>${t('imp.apply', { n: p.summary.valid })}</button>`;
  }

  /** Bad rows first so they are seen in a big file; then the rest up to a limit. */
  private shownRows(p: ImportPreview) {
    const bad = p.rows.filter((r) => r.errors.length);
    const good = p.rows.filter((r) => !r.errors.length);
    return [...bad, ...good].slice(0, SHOWN_ROWS).sort((a, b) => a.index - b.index);
  }

  private renderJob(j: ImportJob) {
    return html`<h2>${t('imp.progress')}</h2>
      <progress max=${j.total} .value=${j.done} aria-label=${t('imp.progress')} data-testid="import-progress"></progress>
      <span>${formatNumber(j.done)} / ${formatNumber(j.total)}</span>
      ${j.state === 'failed' ? html`<p class="error" role="alert">${j.error?.message ?? ''}</p>` : nothing}
      ${j.state === 'done'
        ? html`<p class="ok" role="status" data-testid="import-done">${t('imp.done', { n: j.total })}</p>
            ${this.passwords
              ? html`<p>${t('imp.passwordsOnce')}</p>
                  <button type="button" data-testid="download-passwords" @click=${this.download}>${t('imp.download')}</button>`
              : html`<p class="muted">${t('imp.passwordsGone')}</p>`}`
        : nothing}`;
  }

  private async pick(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.fileName = file.name;
    this.job = null;
    this.passwords = undefined;
    if (file.size > MAX_FILE_BYTES) {
      this.preview = null;
      this.error = t('imp.tooBig', { mb: (file.size / 1_048_576).toFixed(1) });
      return;
    }
    this.csv = await file.text();
    await this.runPreview();
  }

  private async runPreview() {
    this.error = '';
    this.busy = true;
    try {
      this.preview = await previewImport(this.api, this.csv);
    } catch (err) {
      this.preview = null;
      if (isApiError(err) && err.status === 403 && err.code === 'forbidden') this.forbidden = true;
      else this.error = formErrorOf(err);
    } finally {
      this.busy = false;
    }
  }

  private async apply() {
    this.error = '';
    this.busy = true;
    try {
      let job = (await startImport(this.api, this.csv)).job;
      this.job = job;
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        job = await importStatus(this.api, job.id);
        this.job = job;
      }
      if (job.passwords) this.passwords = job.passwords;
    } catch (err) {
      this.error = formErrorOf(err);
      if (isApiError(err) && err.code === 'import-has-errors') await this.runPreview();
    } finally {
      this.busy = false;
    }
  }

  private download() {
    if (this.passwords) saveFile(`sip-passwords-${new Date().toISOString().slice(0, 10)}.csv`, passwordSheet(this.passwords));
  }
}
