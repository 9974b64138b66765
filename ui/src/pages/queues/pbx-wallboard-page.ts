// The queue wallboard: per queue, large figures (waiting, longest wait,
// service level, answered, abandoned, average wait and talk), the waiting
// callers in line with their position and wait, and the agents' states.
// It polls /api/queues/:id/live every 2 s: the api reads the store that
// call-control writes as calls move (queue_calls, queue_agents), and the
// live WebSocket (services/api/live) carries system samples and alarms
// only. Waits tick every second between polls from the served waitingMs,
// so the browser's clock does not matter.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { formatWait, listQueues, myQueues, queueLive, type QueueLive } from '../../data/queues';
import { formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { pauseReasonText } from './pbx-queue-agents';

const POLL_MS = 2000;

@customElement('pbx-wallboard-page')
export class PbxWallboardPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private boards: QueueLive[] | null = null;
  @state() private fetchedAt = 0;
  @state() private now = Date.now();
  @state() private stale = false;
  @state() private forbidden = false;
  @state() private error = '';
  private ids: number[] | null = null;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;

  static override styles = [
    shared,
    css`
      .figures {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr));
        gap: 0.75rem;
        margin-bottom: 1rem;
      }
      .figure {
        border: 1px solid var(--pbx-border, #ccd);
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
      }
      .figure .value {
        font-size: 2.25rem;
        font-weight: 600;
        line-height: 1.2;
      }
      .figure .label {
        font-size: 0.9rem;
      }
      section.board {
        margin-bottom: 2rem;
      }
      td.big {
        font-size: 1.25rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.tick = setInterval(() => (this.now = Date.now()), 1000);
  }

  override disconnectedCallback(): void {
    clearTimeout(this.poll);
    clearInterval(this.tick);
    this.poll = undefined;
    super.disconnectedCallback();
  }

  /** Readers see every queue of the tenant; an agent (who may not list them) their own. */
  private async queueIds(): Promise<number[]> {
    try {
      return (await listQueues(this.api)).map((q) => q.id);
    } catch (e) {
      if (isApiError(e) && e.status === 403) return (await myQueues(this.api)).map((q) => q.id);
      throw e;
    }
  }

  private async refresh() {
    try {
      this.ids ??= await this.queueIds();
      const boards = await Promise.all(this.ids.map((id) => queueLive(this.api, id)));
      this.boards = boards;
      this.fetchedAt = Date.now();
      this.now = this.fetchedAt;
      this.stale = false;
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) {
        this.forbidden = true;
        return;
      }
      // A deleted queue (404) is dropped at the next listing; anything else is shown as stale.
      if (isApiError(e) && e.status === 404) this.ids = null;
      else if (this.boards) this.stale = true;
      else this.error = formErrorOf(e);
    }
    if (this.isConnected) this.poll = setTimeout(() => void this.refresh(), POLL_MS);
  }

  private figure(id: string, label: MessageKey, value: string) {
    return html`<div class="figure" data-testid=${id}><div class="value">${value}</div><div class="label">${t(label)}</div></div>`;
  }

  private board(b: QueueLive) {
    const since = this.now - this.fetchedAt;
    const s = b.stats;
    const longest = b.waiting.reduce((m, c) => Math.max(m, c.waitingMs), 0);
    return html`<section class="board" data-queue=${b.queue.id}>
      <h2>${b.queue.name}</h2>
      <div class="figures">
        ${this.figure('wb-waiting', 'queues.wb.waiting', String(b.waiting.length))}
        ${this.figure('wb-longest', 'queues.wb.longest', b.waiting.length ? formatWait(longest + since) : '—')}
        ${this.figure('wb-sl', 'queues.wb.sl', s.serviceLevel === null ? '—' : `${formatNumber(s.serviceLevel, 1)} %`)}
        ${this.figure('wb-answered', 'queues.wb.answered', String(s.answered))}
        ${this.figure('wb-abandoned', 'queues.wb.abandoned', String(s.abandoned))}
        ${this.figure('wb-avg-wait', 'queues.wb.avgWait', s.avgWaitMs === null ? '—' : formatWait(s.avgWaitMs))}
        ${this.figure('wb-avg-handle', 'queues.wb.avgHandle', s.avgHandleMs === null ? '—' : formatWait(s.avgHandleMs))}
      </div>
      ${b.waiting.length === 0
        ? html`<p class="muted" data-testid="wb-no-waiting">${t('queues.wb.noWaiting')}</p>`
        : html`<table data-testid="wb-waiting-callers">
            <thead>
              <tr><th>${t('queues.wb.position')}</th><th>${t('queues.wb.caller')}</th><th>${t('queues.wb.wait')}</th></tr>
            </thead>
            <tbody>
              ${b.waiting.map(
                (c) => html`<tr data-cdr=${c.cdrId}>
                  <td class="big" data-testid="wb-position">${c.position}</td>
                  <td class="big" data-testid="wb-caller">${c.caller || t('queues.wb.unknownCaller')}</td>
                  <td class="big" data-testid="wb-wait">${formatWait(c.waitingMs + since)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <h3>${t('queues.wb.agents')}</h3>
      <table data-testid="wb-agents">
        <tbody>
          ${b.agents.map(
            (a) => html`<tr data-agent=${a.extension}>
              <td>${a.extension}</td>
              <td data-testid="wb-agent-state" data-state=${a.state}>${t(`queues.state.${a.state}` as MessageKey)}${a.pauseReason ? ` (${pauseReasonText(a.pauseReason)})` : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('queues.wallboard')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.stale ? html`<p class="notice" role="status" data-testid="wb-stale">${t('queues.wb.stale')}</p>` : nothing}
      ${this.boards === null
        ? html`<p class="muted">${t('app.loading')}</p>`
        : this.boards.length === 0
          ? html`<p class="muted" data-testid="wb-empty">${t('queues.wallboardEmpty')}</p>`
          : this.boards.map((b) => this.board(b))}`;
  }
}
