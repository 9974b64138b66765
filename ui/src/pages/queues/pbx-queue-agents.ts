// One queue's agents with their state and the buttons an agent or a
// supervisor uses: log in / log out (dynamic members only: a static one is
// always logged in), pause with a reason / unpause. Used by the queues page
// (any agent of the queue) and by the agent's own view (their own lines).
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { setAgent, type Agent } from '../../data/queues';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

/** A pause reason as shown: the phone's feature code (*47) stores `phone`. */
export const pauseReasonText = (r: string): string => (r === 'phone' ? t('queues.reasonPhone') : r);

@customElement('pbx-queue-agents')
export class PbxQueueAgents extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ type: Number }) queueId = 0;
  @property({ attribute: false }) agents: Agent[] = [];
  /** False for a reader (auditor): states only, no buttons. */
  @property({ type: Boolean }) canAct = false;
  @state() private reasons: Record<string, string> = {};
  @state() private error = '';
  @state() private busy = '';

  static override styles = [
    shared,
    css`
      td.actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
      }
      input.reason {
        width: 10rem;
      }
    `,
  ];

  private async change(a: Agent, change: { loggedIn?: boolean; paused?: boolean; reason?: string }) {
    this.busy = a.extension;
    this.error = '';
    try {
      const next = await setAgent(this.api, this.queueId, a.extension, change);
      this.agents = this.agents.map((x) => (x.extension === next.extension ? next : x));
      this.dispatchEvent(new CustomEvent('pbx-agent-changed', { detail: next, bubbles: true, composed: true }));
    } catch (e) {
      this.error = formErrorOf(e);
    } finally {
      this.busy = '';
    }
  }

  private actions(a: Agent) {
    const busy = this.busy === a.extension;
    const loggedIn = a.state !== 'logged-out';
    const reason = this.reasons[a.extension] ?? '';
    return html`<td class="actions">
      ${a.mode === 'dynamic'
        ? loggedIn
          ? html`<button data-action="log-out" ?disabled=${busy} @click=${() => this.change(a, { loggedIn: false })}>${t('queues.logOut')}</button>`
          : html`<button data-action="log-in" ?disabled=${busy} @click=${() => this.change(a, { loggedIn: true })}>${t('queues.logIn')}</button>`
        : nothing}
      ${loggedIn && a.state !== 'paused' && !a.pauseReason
        ? html`<input class="reason" id="reason-${a.extension}" aria-label=${t('queues.reason')} placeholder=${t('queues.reasonPlaceholder')} maxlength="64" .value=${reason}
              @input=${(e: Event) => (this.reasons = { ...this.reasons, [a.extension]: (e.target as HTMLInputElement).value })} />
            <button data-action="pause" ?disabled=${busy} @click=${() => this.change(a, { paused: true, reason: reason.trim() })}>${t('queues.pause')}</button>`
        : nothing}
      ${loggedIn && (a.state === 'paused' || a.pauseReason)
        ? html`<button data-action="unpause" ?disabled=${busy} @click=${() => this.change(a, { paused: false, reason: '' })}>${t('queues.unpause')}</button>`
        : nothing}
    </td>`;
  }

  override render() {
    return html`${this.error ? html`<p class="error" role="alert" data-testid="agent-error">${this.error}</p>` : nothing}
      <table data-testid="queue-agents">
        <thead>
          <tr>
            <th>${t('queues.col.extension')}</th>
            <th>${t('queues.col.state')}</th>
            <th>${t('queues.col.reason')}</th>
            <th>${t('queues.col.calls')}</th>
            <th>${t('queues.col.missed')}</th>
            ${this.canAct ? html`<th>${t('queues.col.actions')}</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${this.agents.map(
            (a) => html`<tr data-agent=${a.extension}>
              <td>${a.extension}</td>
              <td data-testid="agent-state" data-state=${a.state}>${t(`queues.state.${a.state}` as MessageKey)}</td>
              <td data-testid="agent-reason">${pauseReasonText(a.pauseReason)}</td>
              <td>${a.calls}</td>
              <td>${a.missed}</td>
              ${this.canAct ? this.actions(a) : nothing}
            </tr>`,
          )}
        </tbody>
      </table>`;
  }
}
