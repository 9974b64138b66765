// Voicemail in the browser: the boxes the user may hear (an employee only
// their own extension's box, the api decides), each with its messages —
// play (the api decrypts and streams the WAV; playing marks the message
// heard, as listening by phone does, which turns the phone's
// message-waiting lamp off), download, delete. Every play and download is
// audited by the api.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { formErrorOf } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { deleteMessage, listBoxes, listMessages, markRead, type VoicemailBox, type VoicemailMessage } from '../../data/voicemail';
import { formatDateTime, t } from '../../i18n';
import { shared } from '../../styles/shared';

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

@customElement('pbx-voicemail-page')
export class PbxVoicemailPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @state() private boxes: Array<{ box: VoicemailBox; messages: VoicemailMessage[] }> = [];
  @state() private loaded = false;
  @state() private forbidden = false;
  @state() private error = '';
  @state() private playing: number | null = null;

  static override styles = [
    shared,
    css`
      audio {
        width: min(28rem, 100%);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
      }
      section {
        margin-block: 1.5rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const { boxes } = await listBoxes(this.api);
      this.boxes = await Promise.all(boxes.map(async (b) => ({ box: b, messages: (await listMessages(this.api, b.id)).messages })));
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      this.error = formErrorOf(e);
    }
    this.loaded = true;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('vm.title')}</h1>
      <p class="muted">${t('vm.audited')}</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="vm-error">${this.error}</p>` : nothing}
      ${!this.loaded
        ? html`<p class="muted" role="status">${t('app.loading')}</p>`
        : this.boxes.length === 0
          ? html`<p class="muted" data-testid="vm-no-boxes">${t('vm.none')}</p>`
          : this.boxes.map((b) => this.renderBox(b.box, b.messages))}`;
  }

  private renderBox(box: VoicemailBox, messages: VoicemailMessage[]) {
    return html`<section data-box=${box.number}>
      <h2>${t('vm.box', { number: box.number })}${box.name ? ` — ${box.name}` : ''}</h2>
      <p class="muted" data-testid="vm-counts">${t('vm.counts', { new: String(box.messages.new), saved: String(box.messages.saved) })}</p>
      ${messages.length === 0
        ? html`<p class="muted">${t('vm.empty')}</p>`
        : html`<div class="table-wrap">
            <table>
              <thead>
                <tr><th>${t('vm.received')}</th><th>${t('vm.caller')}</th><th>${t('vm.duration')}</th><th>${t('vm.state')}</th><th>${t('vm.actions')}</th></tr>
              </thead>
              <tbody>
                ${messages.map(
                  (m) => html`<tr data-message=${m.id}>
                    <td>${formatDateTime(m.receivedAt)}</td>
                    <td>${m.caller || '—'}</td>
                    <td>${duration(m.durationMs)}</td>
                    <td data-testid="vm-folder">${m.folder === 'new' ? t('vm.new') : t('vm.saved')}</td>
                    <td>
                      <div class="actions">
                        ${this.playing === m.id
                          ? html`<audio controls autoplay preload="metadata" data-testid="vm-audio" src=${m.audioUrl} @error=${() => (this.error = t('vm.playFailed'))}></audio>`
                          : html`<button type="button" class="secondary" data-testid="vm-play" @click=${() => this.play(m)}>${t('vm.play')}</button>`}
                        <a href=${m.downloadUrl} download data-testid="vm-download">${t('vm.download')}</a>
                        <button type="button" class="secondary" data-testid="vm-delete" @click=${() => this.deleteOne(m)}>${t('vm.delete')}</button>
                      </div>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    </section>`;
  }

  private async play(m: VoicemailMessage) {
    this.error = '';
    this.playing = m.id;
    if (m.folder !== 'new') return;
    try {
      await markRead(this.api, m.id);
      const playing = this.playing;
      await this.load();
      this.playing = playing;
    } catch (e) {
      this.error = formErrorOf(e);
    }
  }

  private async deleteOne(m: VoicemailMessage) {
    if (!confirm(t('vm.deleteConfirm', { caller: m.caller || '—' }))) return;
    try {
      await deleteMessage(this.api, m.id);
      if (this.playing === m.id) this.playing = null;
    } catch (e) {
      this.error = formErrorOf(e);
    }
    await this.load();
  }
}
