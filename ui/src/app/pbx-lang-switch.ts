import { html, css } from 'lit';
import { customElement } from 'lit/decorators.js';
import { languages, lang, setLang, t, type Lang } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';

const names: Record<Lang, 'lang.ru' | 'lang.en'> = { ru: 'lang.ru', en: 'lang.en' };

/** Two buttons, the current one pressed; used on the login page and in the user menu. */
@customElement('pbx-lang-switch')
export class PbxLangSwitch extends PbxElement {
  static override styles = [
    shared,
    css`
      div {
        display: flex;
        gap: 0.25rem;
      }
      button[aria-pressed='true'] {
        font-weight: 700;
      }
      button {
        padding: 0.25rem 0.6rem;
        min-height: 2rem;
      }
    `,
  ];

  override render() {
    return html`<div role="group" aria-label=${t('lang.label')}>
      ${languages.map(
        (l) =>
          html`<button
            type="button"
            class=${l === lang() ? '' : 'secondary'}
            lang=${l}
            data-lang=${l}
            aria-pressed=${l === lang() ? 'true' : 'false'}
            @click=${() => setLang(l)}
          >
            ${t(names[l])}
          </button>`,
      )}
    </div>`;
  }
}
