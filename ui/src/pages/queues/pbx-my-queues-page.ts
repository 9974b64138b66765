// The agent's own view: the queues one of the signed-in user's extensions
// is a member of, with their state; they log in, log out and pause with a
// reason here as they would by feature code on the phone.
import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { myQueues, type MyQueue } from '../../data/queues';
import { t } from '../../i18n';
import { shared } from '../../styles/shared';
import './pbx-queue-agents';

@customElement('pbx-my-queues-page')
export class PbxMyQueuesPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private queues: MyQueue[] | null = null;
  @state() private forbidden = false;
  @state() private error = '';

  static override styles = [shared];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.queues = await myQueues(this.api);
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('queues.myTitle')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.queues === null
        ? html`<p class="muted">${t('app.loading')}</p>`
        : this.queues.length === 0
          ? html`<p class="muted" data-testid="my-queues-empty">${t('queues.myEmpty')}</p>`
          : this.queues.map(
              (q) => html`<section data-queue=${q.id}>
                <h2>${q.name}</h2>
                <pbx-queue-agents .api=${this.api} queueId=${q.id} .agents=${q.agents} canAct></pbx-queue-agents>
              </section>`,
            )}`;
  }
}
