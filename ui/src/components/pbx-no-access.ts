import { html, css } from 'lit';
import { customElement } from 'lit/decorators.js';
import { PbxElement } from '../app/pbx-element';
import { t } from '../i18n';
import { shared } from '../styles/shared';

/** Shown instead of a page the signed-in role may not see. */
@customElement('pbx-no-access')
export class PbxNoAccess extends PbxElement {
  static override styles = [
    shared,
    css`
      section {
        max-width: 36rem;
      }
    `,
  ];

  override render() {
    return html`<section class="notice" role="alert" data-testid="no-access">
      <h1>${t('noAccess.title')}</h1>
      <p>${t('noAccess.text')}</p>
      <a href="/dashboard">${t('noAccess.back')}</a>
    </section>`;
  }
}
