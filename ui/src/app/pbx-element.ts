// Base of every Korobka element: re-renders when the language changes.
import { LitElement } from 'lit';
import { LANG_EVENT } from '../i18n';

export class PbxElement extends LitElement {
  private readonly onLang = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener(LANG_EVENT, this.onLang);
  }

  override disconnectedCallback(): void {
    document.removeEventListener(LANG_EVENT, this.onLang);
    super.disconnectedCallback();
  }
}
