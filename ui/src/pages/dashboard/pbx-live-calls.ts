// The dashboard's list of calls in progress, from call-control through the
// api's local channel, refreshed every few seconds; admins, supervisors and
// the employee on a call start, stop, pause and resume its recording here.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import { isApiError, type Api } from '../../data/api';
import { actionsFor, listLiveCalls, recordingAction, type LiveCall, type RecordingAction } from '../../data/live-calls';
import type { Role } from '../../data/types';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { formatTalkTime } from './format';

const REFRESH_MS = 3000;

@customElement('pbx-live-calls')
export class PbxLiveCalls extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() userRole: Role = 'employee';
  @state() private calls: LiveCall[] | undefined = undefined;
  @state() private unavailable = false;
  @state() private error = '';
  @state() private busy = '';
  @state() private now = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    shared,
    css`
      .rec-recording {
        color: #a4161a;
        font-weight: 600;
      }
      .rec-paused {
        color: #b35c00;
        font-weight: 600;
      }
      td.actions button {
        margin-inline-end: 0.3rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private async refresh(): Promise<void> {
    try {
      this.calls = (await listLiveCalls(this.api)).calls;
      this.unavailable = false;
    } catch (e) {
      if (isApiError(e) && (e.code === 'call-control-unavailable' || e.code === 'call-control-timeout')) this.unavailable = true;
      else this.error = formErrorOf(e);
    }
    this.now = Date.now();
  }

  private async act(c: LiveCall, action: RecordingAction): Promise<void> {
    this.busy = c.id;
    this.error = '';
    try {
      const { call } = await recordingAction(this.api, c.id, action);
      this.calls = this.calls?.map((x) => (x.id === call.id ? call : x));
    } catch (e) {
      this.error = formErrorOf(e);
    } finally {
      this.busy = '';
    }
  }

  override render() {
    return html`<h2>${t('liveCalls.title')}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.unavailable ? html`<p class="notice" data-testid="live-calls-unavailable">${t('liveCalls.unavailable')}</p>` : this.renderList()}`;
  }

  private renderList() {
    const calls = this.calls;
    if (calls === undefined) return html`<p class="muted" role="status">${t('app.loading')}</p>`;
    if (calls.length === 0) return html`<p class="muted" data-testid="live-calls-empty">${t('liveCalls.none')}</p>`;
    const canAct = this.userRole !== 'auditor';
    return html`<div class="table-wrap">
      <table data-testid="live-calls">
        <thead>
          <tr>
            <th>${t('liveCalls.caller')}</th><th>${t('liveCalls.callee')}</th><th>${t('liveCalls.talking')}</th><th>${t('liveCalls.recording')}</th>
            ${canAct ? html`<th>${t('liveCalls.actions')}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${calls.map(
            (c) => html`<tr data-call=${c.id}>
              <td>${c.caller}</td>
              <td>${c.callee}</td>
              <td>${formatTalkTime(Math.max(0, Math.round((this.now - Date.parse(c.answeredAt)) / 1000)))}</td>
              <td class="rec-${c.recording.state}" data-testid="recording-state">${t(`liveCalls.state.${c.recording.state}` as MessageKey)}</td>
              ${canAct
                ? html`<td class="actions">
                    ${actionsFor(c).map(
                      (a) => html`<button type="button" data-action=${a} ?disabled=${this.busy === c.id} @click=${() => void this.act(c, a)}>${t(`liveCalls.action.${a}` as MessageKey)}</button>`,
                    )}
                  </td>`
                : nothing}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}
