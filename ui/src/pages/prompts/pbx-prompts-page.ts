// Prompts and music on hold: the list with durations and a player, an
// upload form with progress, a text-to-speech form, rename and delete.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { createTts, deletePrompt, listPrompts, renamePrompt, uploadPrompt, type Prompt, type PromptLimits } from '../../data/prompts';
import type { Tenant, User } from '../../data/types';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { audioError, formatDuration } from './prompt-format';

type Language = Prompt['language'];

@customElement('pbx-prompts-page')
export class PbxPromptsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private prompts: Prompt[] = [];
  @state() private limits: PromptLimits = { maxBytes: 10 * 1024 * 1024, maxSeconds: 600, ttsMaxChars: 1000 };
  @state() private forbidden = false;
  @state() private error = '';
  @state() private notice = '';
  @state() private playing: number | null = null;
  @state() private up = { name: '', language: 'ru' as Language, kind: 'upload' as 'upload' | 'moh' };
  @state() private file: File | null = null;
  @state() private progress: number | null = null;
  @state() private upErrors: FieldErrors = {};
  @state() private tts = { name: '', language: 'ru' as Language, text: '' };
  @state() private ttsErrors: FieldErrors = {};
  @state() private speaking = false;

  static override styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
      textarea {
        width: 100%;
        min-height: 5rem;
        font: inherit;
      }
      audio {
        width: 100%;
        min-width: 16rem;
      }
      progress {
        width: 100%;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const r = await listPrompts(this.api);
      this.prompts = r.prompts;
      this.limits = r.limits;
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  private get canWrite(): boolean {
    return this.me.role === 'superadmin' || this.me.role === 'tenant-admin';
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    const needTenant = this.me.role === 'superadmin' && !this.tenant;
    return html`<h1>${t('prompts.title')}</h1>
      <p class="muted">${t('prompts.intro')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status" data-testid="prompts-notice">${this.notice}</p>` : nothing}
      ${this.renderList()}
      ${this.canWrite
        ? html`${needTenant ? html`<p class="notice">${t('ext.chooseTenant')}</p>` : nothing}
            <h2>${t('prompts.upload')}</h2>
            ${this.renderUpload(needTenant)}
            <h2>${t('prompts.tts')}</h2>
            ${this.renderTts(needTenant)}`
        : nothing}`;
  }

  private renderList() {
    if (this.prompts.length === 0) return html`<p class="muted" data-testid="prompts-empty">${t('prompts.none')}</p>`;
    return html`<div class="table-wrap"><table data-testid="prompts-table">
      <thead><tr><th>${t('prompts.name')}</th><th>${t('prompts.kind')}</th><th>${t('prompts.language')}</th><th>${t('prompts.duration')}</th><th>${t('prompts.size')}</th><th>${t('prompts.created')}</th><th><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead>
      <tbody>${this.prompts.map(
        (p) => html`<tr data-prompt=${p.name}>
            <td>${p.name}${p.text ? html`<br /><small class="muted">${p.text.length > 80 ? p.text.slice(0, 80) + '…' : p.text}</small>` : nothing}</td>
            <td>${t(`prompts.kind.${p.kind}` as MessageKey)}</td>
            <td>${t(`prompts.lang.${p.language}` as MessageKey)}</td>
            <td data-testid="prompt-duration">${formatDuration(p.durationMs)}</td>
            <td>${t('prompts.kb', { n: formatNumber(p.sizeBytes / 1024, 0) })}</td>
            <td>${formatDateTime(p.createdAt)}</td>
            <td><div class="row">
              <button type="button" class="secondary" data-testid="listen-${p.id}" @click=${() => (this.playing = this.playing === p.id ? null : p.id)}>${t('prompts.listen')}</button>
              ${this.canWrite
                ? html`<button type="button" class="secondary" @click=${() => this.rename(p)}>${t('prompts.rename')}</button>
                    <button type="button" class="danger" data-testid="delete-${p.id}" @click=${() => this.confirmDelete(p)}>${t('common.delete')}</button>`
                : nothing}
            </div></td>
          </tr>
          ${this.playing === p.id
            ? html`<tr><td colspan="7"><audio controls autoplay preload="metadata" data-testid="prompt-player" src=${p.previewUrl} aria-label=${`${t('prompts.listen')}: ${p.name}`}></audio></td></tr>`
            : nothing}`,
      )}</tbody>
    </table></div>`;
  }

  private langSelect(id: string, value: Language, set: (l: Language) => void) {
    return html`<div class="field">
      <label for=${id}>${t('prompts.language')}</label>
      <select id=${id} @change=${(e: Event) => set((e.target as HTMLSelectElement).value as Language)}>
        <option value="ru" ?selected=${value === 'ru'}>${t('prompts.lang.ru')}</option>
        <option value="en" ?selected=${value === 'en'}>${t('prompts.lang.en')}</option>
      </select>
    </div>`;
  }

  private renderUpload(disabled: boolean) {
    const busy = this.progress !== null;
    return html`<form @submit=${this.submitUpload} novalidate data-testid="upload-form">
      <div class="grid">
        ${textField({ id: 'uploadName', label: t('prompts.name'), value: this.up.name, maxlength: 64, error: this.upErrors.name, onInput: (v) => (this.up = { ...this.up, name: v }) })}
        <div class="field">
          <label for="uploadKind">${t('prompts.uploadKind')}</label>
          <select id="uploadKind" @change=${(e: Event) => (this.up = { ...this.up, kind: (e.target as HTMLSelectElement).value as 'upload' | 'moh' })}>
            <option value="upload" ?selected=${this.up.kind === 'upload'}>${t('prompts.kind.upload')}</option>
            <option value="moh" ?selected=${this.up.kind === 'moh'}>${t('prompts.kind.moh')}</option>
          </select>
        </div>
        ${this.langSelect('uploadLanguage', this.up.language, (language) => (this.up = { ...this.up, language }))}
      </div>
      <div class="field">
        <label for="uploadFile">${t('prompts.file')}</label>
        <input id="uploadFile" type="file" accept="audio/wav,audio/x-wav,audio/mpeg,audio/ogg,.wav,.mp3,.ogg,.oga,.opus" aria-describedby="uploadFile-hint uploadFile-error"
          @change=${(e: Event) => (this.file = (e.target as HTMLInputElement).files?.[0] ?? null)} />
        <span class="hint" id="uploadFile-hint">${t('prompts.fileHint', { mb: formatNumber(this.limits.maxBytes / 1024 / 1024, 0), min: formatNumber(this.limits.maxSeconds / 60, 0) })}</span>
        <span class="field-error" id="uploadFile-error" data-field="uploadFile" role="alert">${this.upErrors.data ?? ''}</span>
      </div>
      ${busy
        ? html`<p role="status"><progress data-testid="upload-progress" max="1" value=${this.progress!}></progress><br />${this.progress! < 1 ? t('prompts.uploading', { pct: Math.round(this.progress! * 100) }) : t('prompts.decoding')}</p>`
        : nothing}
      <button type="submit" ?disabled=${disabled || busy}>${t('prompts.upload')}</button>
    </form>`;
  }

  private renderTts(disabled: boolean) {
    return html`<form @submit=${this.submitTts} novalidate data-testid="tts-form">
      <div class="grid">
        ${textField({ id: 'ttsName', label: t('prompts.name'), value: this.tts.name, maxlength: 64, error: this.ttsErrors.name, onInput: (v) => (this.tts = { ...this.tts, name: v }) })}
        ${this.langSelect('ttsLanguage', this.tts.language, (language) => (this.tts = { ...this.tts, language }))}
      </div>
      <div class="field">
        <label for="ttsText">${t('prompts.text')}</label>
        <textarea id="ttsText" maxlength=${this.limits.ttsMaxChars} aria-describedby="ttsText-hint ttsText-error" .value=${this.tts.text}
          @input=${(e: Event) => (this.tts = { ...this.tts, text: (e.target as HTMLTextAreaElement).value })}></textarea>
        <span class="hint" id="ttsText-hint">${t('prompts.ttsHint', { n: formatNumber(this.limits.ttsMaxChars, 0) })}</span>
        <span class="field-error" id="ttsText-error" data-field="ttsText" role="alert">${this.ttsErrors.text ?? ''}</span>
      </div>
      ${this.speaking ? html`<p role="status">${t('prompts.speaking')}</p>` : nothing}
      <button type="submit" ?disabled=${disabled || this.speaking}>${t('prompts.speak')}</button>
    </form>`;
  }

  private async submitUpload(e: Event) {
    e.preventDefault();
    const errors: FieldErrors = {};
    if (!this.up.name.trim()) errors.name = t('prompts.errName');
    if (!this.file) errors.data = t('prompts.errFile');
    else if (this.file.size > this.limits.maxBytes) errors.data = t('prompts.errFileTooLarge', { mb: formatNumber(this.limits.maxBytes / 1024 / 1024, 0) });
    this.upErrors = errors;
    this.notice = '';
    if (Object.keys(errors).length || !this.file) return;
    this.progress = 0;
    try {
      const p = await uploadPrompt(this.api, { ...this.up, name: this.up.name.trim(), file: this.file }, (share) => (this.progress = share));
      this.notice = t('prompts.uploaded', { name: p.name, duration: formatDuration(p.durationMs) });
      this.up = { ...this.up, name: '' };
      this.file = null;
      this.renderRoot.querySelector<HTMLInputElement>('#uploadFile')!.value = '';
      await this.load();
    } catch (err) {
      const fields = fieldErrorsOf(err);
      this.upErrors = { name: fields.name ?? '', data: fields.data ? audioError(err) : '' };
      if (!fields.name && !fields.data) this.upErrors = { data: audioError(err) };
    } finally {
      this.progress = null;
    }
  }

  private async submitTts(e: Event) {
    e.preventDefault();
    const errors: FieldErrors = {};
    if (!this.tts.name.trim()) errors.name = t('prompts.errName');
    if (!this.tts.text.trim()) errors.text = t('prompts.errText');
    this.ttsErrors = errors;
    this.notice = '';
    if (Object.keys(errors).length) return;
    this.speaking = true;
    try {
      const { prompt } = await createTts(this.api, { ...this.tts, name: this.tts.name.trim() });
      this.notice = t('prompts.spoken', { name: prompt.name, duration: formatDuration(prompt.durationMs) });
      this.tts = { ...this.tts, name: '', text: '' };
      await this.load();
    } catch (err) {
      const fields = fieldErrorsOf(err);
      this.ttsErrors = Object.keys(fields).length ? fields : { text: formErrorOf(err) };
    } finally {
      this.speaking = false;
    }
  }

  private async rename(p: Prompt) {
    const name = prompt(t('prompts.renamePrompt', { name: p.name }), p.name)?.trim();
    if (!name || name === p.name) return;
    try {
      await renamePrompt(this.api, p.id, name);
      this.error = '';
      await this.load();
    } catch (err) {
      this.error = formErrorOf(err);
    }
  }

  private async confirmDelete(p: Prompt) {
    if (!confirm(t('prompts.confirmDelete', { name: p.name }))) return;
    try {
      await deletePrompt(this.api, p.id);
      this.error = '';
      if (this.playing === p.id) this.playing = null;
      await this.load();
    } catch (err) {
      const uses = isApiError(err) && err.code === 'prompt-in-use' ? (err.details?.uses as { type: string; name: string }[] | undefined) : undefined;
      this.error = uses?.length ? t('prompts.inUse', { list: uses.map((u) => u.name).join(', ') }) : formErrorOf(err);
    }
  }
}
