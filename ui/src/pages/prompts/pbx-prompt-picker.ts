// The prompt picker of every form that plays something to a caller (IVR
// greeting, invalid-key and timeout prompts, announcements): a choice among
// the tenant's prompts with a player to preview the chosen one, and two
// inline forms that make a new prompt without leaving the form — upload a
// file, or have the box speak a text — after which the new prompt is
// chosen. The list belongs to the page (several pickers share it); a new
// prompt is handed up through `onCreated`. The api's error for the field
// (`prompt: prompt 7 does not exist`) shows beside it.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { fieldErrorsOf, formErrorOf } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { createTts, uploadPrompt, type Prompt } from '../../data/prompts';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';
import { audioError, formatDuration } from './prompt-format';

type Language = Prompt['language'];
type Mode = 'none' | 'upload' | 'tts';

@customElement('pbx-prompt-picker')
export class PbxPromptPicker extends PbxElement {
  @property({ attribute: false }) api!: Api;
  /** Prefix of the ids inside (`flow-prompt` → `#flow-prompt-select`). */
  @property() fieldId = 'prompt';
  @property() label = '';
  /** The chosen prompt's id as text, '' for none. */
  @property() value = '';
  @property({ attribute: false }) prompts: Prompt[] = [];
  @property() error = '';
  /** Offer "no prompt" (an IVR's optional prompts); an announcement needs one. */
  @property({ type: Boolean }) optional = false;
  @property({ type: Boolean }) disabled = false;
  @property({ attribute: false }) onChange: (value: string) => void = () => {};
  @property({ attribute: false }) onCreated: (p: Prompt) => void = () => {};
  @state() private mode: Mode = 'none';
  @state() private playing = false;
  @state() private name = '';
  @state() private language: Language = 'ru';
  @state() private text = '';
  @state() private file: File | null = null;
  @state() private progress: number | null = null;
  @state() private busy = false;
  @state() private errors: { name?: string; data?: string; text?: string } = {};

  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      .inline {
        border-left: 3px solid var(--border, #ccc);
        padding-left: 0.75rem;
        margin: 0.5rem 0;
      }
      textarea {
        width: 100%;
        min-height: 4rem;
        font: inherit;
      }
      audio {
        width: 100%;
        max-width: 28rem;
      }
    `,
  ];

  private get chosen(): Prompt | undefined {
    return this.prompts.find((p) => String(p.id) === this.value);
  }

  override render() {
    const id = this.fieldId;
    const p = this.chosen;
    const unknown = this.value !== '' && !p;
    return html`<div class="field" data-testid=${id}>
      <label for="${id}-select">${this.label}</label>
      <div class="row">
        <select
          id="${id}-select"
          ?disabled=${this.disabled}
          aria-invalid=${this.error ? 'true' : 'false'}
          aria-describedby="${id}-error"
          @change=${(e: Event) => this.choose((e.target as HTMLSelectElement).value)}
        >
          ${this.optional || this.value === '' ? html`<option value="" ?selected=${this.value === ''}>${t(this.optional ? 'promptPicker.none' : 'promptPicker.choose')}</option>` : nothing}
          ${unknown ? html`<option value=${this.value} selected>#${this.value}</option>` : nothing}
          ${this.prompts.map((x) => html`<option value=${String(x.id)} ?selected=${String(x.id) === this.value}>${this.optionText(x)}</option>`)}
        </select>
        <button
          type="button"
          class="secondary"
          data-testid="${id}-listen"
          ?disabled=${!p}
          aria-pressed=${this.playing ? 'true' : 'false'}
          @click=${() => (this.playing = !this.playing)}
        >
          ${t(this.playing ? 'promptPicker.stop' : 'prompts.listen')}
        </button>
        ${
          this.disabled
            ? nothing
            : html`<button
                  type="button"
                  class="secondary"
                  data-testid="${id}-new-upload"
                  aria-expanded=${this.mode === 'upload' ? 'true' : 'false'}
                  @click=${() => this.open('upload')}
                >
                  ${t('promptPicker.upload')}
                </button>
                <button
                  type="button"
                  class="secondary"
                  data-testid="${id}-new-tts"
                  aria-expanded=${this.mode === 'tts' ? 'true' : 'false'}
                  @click=${() => this.open('tts')}
                >
                  ${t('promptPicker.tts')}
                </button>`
        }
      </div>
      ${
        this.playing && p
          ? html`<audio
              controls
              autoplay
              preload="metadata"
              data-testid="${id}-player"
              src=${p.previewUrl}
              aria-label=${`${t('prompts.listen')}: ${p.name}`}
            ></audio>`
          : nothing
      }
      <span class="field-error" id="${id}-error" data-field=${id}>${this.error}</span>
      ${this.mode === 'none' ? nothing : this.renderInline(id)}
    </div>`;
  }

  /** One line per prompt: its name, kind and length. */
  private optionText(p: Prompt): string {
    return `${p.name} (${t(`prompts.kind.${p.kind}` as MessageKey)}, ${formatDuration(p.durationMs)})`;
  }

  private renderInline(id: string) {
    const upload = this.mode === 'upload';
    return html`<div class="inline" data-testid="${id}-inline" @keydown=${this.keepEnter}>
      <div class="row">
        <div class="field">
          <label for="${id}-new-name">${t('prompts.name')}</label>
          <input
            id="${id}-new-name"
            maxlength="64"
            .value=${this.name}
            aria-invalid=${this.errors.name ? 'true' : 'false'}
            @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
          />
          <span class="field-error" data-field="${id}-new-name">${this.errors.name ?? ''}</span>
        </div>
        <div class="field">
          <label for="${id}-new-language">${t('prompts.language')}</label>
          <select id="${id}-new-language" @change=${(e: Event) => (this.language = (e.target as HTMLSelectElement).value as Language)}>
            <option value="ru" ?selected=${this.language === 'ru'}>${t('prompts.lang.ru')}</option>
            <option value="en" ?selected=${this.language === 'en'}>${t('prompts.lang.en')}</option>
          </select>
        </div>
      </div>
      ${
        upload
          ? html`<div class="field">
              <label for="${id}-new-file">${t('prompts.file')}</label>
              <input
                id="${id}-new-file"
                type="file"
                accept="audio/wav,audio/x-wav,audio/mpeg,audio/ogg,.wav,.mp3,.ogg,.oga,.opus"
                @change=${(e: Event) => (this.file = (e.target as HTMLInputElement).files?.[0] ?? null)}
              />
              <span class="field-error" data-field="${id}-new-file" role="alert">${this.errors.data ?? ''}</span>
            </div>`
          : html`<div class="field">
              <label for="${id}-new-text">${t('prompts.text')}</label>
              <textarea
                id="${id}-new-text"
                .value=${this.text}
                @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}
              ></textarea>
              <span class="hint">${t('promptPicker.ttsHint')}</span>
              <span class="field-error" data-field="${id}-new-text" role="alert">${this.errors.text ?? ''}</span>
            </div>`
      }
      ${
        this.progress !== null
          ? html`<p role="status">
              <progress max="1" value=${this.progress}></progress>
              ${this.progress < 1 ? t('prompts.uploading', { pct: Math.round(this.progress * 100) }) : t('prompts.decoding')}
            </p>`
          : this.busy
            ? html`<p role="status">${t('prompts.speaking')}</p>`
            : nothing
      }
      <div class="row">
        <button
          type="button"
          data-testid="${id}-new-save"
          ?disabled=${this.busy}
          @click=${() => void (upload ? this.upload() : this.speak())}
        >
          ${t(upload ? 'promptPicker.uploadSave' : 'promptPicker.ttsSave')}
        </button>
        <button type="button" class="secondary" @click=${() => (this.mode = 'none')}>${t('common.cancel')}</button>
      </div>
    </div>`;
  }

  /** Enter in an inline field would submit the surrounding flow form. */
  private keepEnter = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') e.preventDefault();
  };

  private choose(v: string) {
    this.playing = false;
    this.onChange(v);
  }

  private open(m: Mode) {
    this.mode = this.mode === m ? 'none' : m;
    this.errors = {};
  }

  private created(p: Prompt) {
    this.onCreated(p);
    this.mode = 'none';
    this.name = '';
    this.text = '';
    this.file = null;
    this.choose(String(p.id));
  }

  private async upload() {
    const errors: typeof this.errors = {};
    if (!this.name.trim()) errors.name = t('prompts.errName');
    if (!this.file) errors.data = t('prompts.errFile');
    this.errors = errors;
    if (Object.keys(errors).length || !this.file) return;
    this.busy = true;
    this.progress = 0;
    try {
      this.created(
        await uploadPrompt(
          this.api,
          { name: this.name.trim(), language: this.language, kind: 'upload', file: this.file },
          (share) => (this.progress = share),
        ),
      );
    } catch (err) {
      const f = fieldErrorsOf(err);
      this.errors = f.name ? { name: f.name } : { data: audioError(err) };
    } finally {
      this.busy = false;
      this.progress = null;
    }
  }

  private async speak() {
    const errors: typeof this.errors = {};
    if (!this.name.trim()) errors.name = t('prompts.errName');
    if (!this.text.trim()) errors.text = t('prompts.errText');
    this.errors = errors;
    if (Object.keys(errors).length) return;
    this.busy = true;
    try {
      this.created((await createTts(this.api, { name: this.name.trim(), language: this.language, text: this.text })).prompt);
    } catch (err) {
      const f = fieldErrorsOf(err);
      this.errors = f.name || f.text ? { name: f.name, text: f.text } : { text: formErrorOf(err) };
    } finally {
      this.busy = false;
    }
  }
}
