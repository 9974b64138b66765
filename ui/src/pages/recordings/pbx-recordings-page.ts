// Recordings: find a call's recording, play it in the browser (the api
// streams decrypted audio with Range, so seeking works), download it, and
// set a legal hold. Every play and download is audited by the api.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import type { Role } from '../../data/types';
import { audioUrl, listRecordings, setLegalHold, type Recording, type RecordingFilters } from '../../data/recordings';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { filterField } from '../../components/filter-field';
import { pager } from '../../components/pager';

const PAGE = 50;
const HOLDERS: readonly Role[] = ['superadmin', 'tenant-admin', 'auditor'];
const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

@customElement('pbx-recordings-page')
export class PbxRecordingsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() userRole: Role = 'employee';
  @state() private filters: RecordingFilters = {};
  @state() private rows: Recording[] = [];
  @state() private total = 0;
  @state() private offset = 0;
  @state() private loaded = false;
  @state() private forbidden = false;
  @state() private error = '';
  @state() private errors: FieldErrors = {};
  @state() private playing: string | null = null;
  @state() private playError = '';

  static override styles = [
    shared,
    css`
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
        gap: 0 1rem;
        align-items: end;
      }
      audio {
        width: min(28rem, 100%);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const r = await listRecordings(this.api, this.filters, this.offset, PAGE);
      this.rows = r.recordings;
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
    return html`<h1>${t('rec.title')}</h1>
      <p class="muted">${t('rec.audited')}</p>
      <form @submit=${this.apply} data-testid="rec-filters">
        ${this.input('since', 'calls.since', 'date')} ${this.input('until', 'calls.until', 'date')} ${this.input('number', 'calls.number')}
        <div class="field"><button type="submit">${t('calls.apply')}</button></div>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.playError ? html`<p class="error" role="alert" data-testid="rec-play-error">${this.playError}</p>` : nothing}
      ${this.loaded ? this.renderTable() : html`<p class="muted" role="status">${t('app.loading')}</p>`}`;
  }

  private input(id: keyof RecordingFilters, label: MessageKey, type = 'text') {
    return filterField({ id, label, type, filters: this.filters, error: this.errors[id], change: (next) => (this.filters = next) });
  }

  private renderTable() {
    if (this.rows.length === 0) return html`<p class="muted" data-testid="rec-empty">${t('rec.none')}</p>`;
    const canHold = HOLDERS.includes(this.userRole);
    return html`<div class="table-wrap">
        <table data-testid="rec-table">
          <thead>
            <tr>
              <th>${t('calls.started')}</th><th>${t('calls.from')}</th><th>${t('calls.to')}</th><th>${t('calls.duration')}</th>
              <th>${t('rec.hold')}</th><th>${t('rec.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.rows.map(
              (r) => html`<tr data-recording=${r.recordingId}>
                <td>${formatDateTime(r.startedAt)}</td>
                <td>${r.caller ?? '—'}</td>
                <td>${r.callee ?? '—'}</td>
                <td>${duration(r.durationMs)}</td>
                <td>
                  ${canHold
                    ? html`<label class="row"><input type="checkbox" .checked=${r.legalHold} @change=${(e: Event) => this.hold(r, (e.target as HTMLInputElement).checked)} />
                        ${t('rec.holdLabel')}</label>`
                    : r.legalHold
                      ? t('rec.onHold')
                      : '—'}
                </td>
                <td>
                  <div class="actions">
                    ${this.playing === r.recordingId
                      ? html`<audio controls autoplay preload="metadata" data-testid="rec-audio" src=${audioUrl(this.api, r.recordingId, 'audio')}
                          @error=${() => (this.playError = t('rec.playFailed'))}></audio>`
                      : html`<button type="button" class="secondary" data-testid="rec-play" @click=${() => this.play(r)}>${t('rec.play')}</button>`}
                    <a href=${audioUrl(this.api, r.recordingId, 'download')} download data-testid="rec-download">${t('rec.download')}</a>
                  </div>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${pager({ offset: this.offset, shown: this.rows.length, total: this.total, pageSize: PAGE, go: (o) => this.go(o) })}`;
  }

  private play(r: Recording) {
    this.playError = '';
    this.playing = r.recordingId;
  }

  private async hold(r: Recording, hold: boolean) {
    try {
      const { recording } = await setLegalHold(this.api, r.recordingId, hold);
      this.rows = this.rows.map((x) => (x.recordingId === r.recordingId ? recording : x));
    } catch (e) {
      this.error = formErrorOf(e);
      await this.load();
    }
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
}
