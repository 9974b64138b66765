import { html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Role } from '../data/types';
import { t } from '../i18n';
import { shared } from '../styles/shared';
import { PbxElement } from './pbx-element';
import { routes, upcoming } from './router';

/** Side navigation on a laptop, a scrolling bar on a tablet. */
@customElement('pbx-nav')
export class PbxNav extends PbxElement {
  @property() current = '';
  @property() userRole: Role = 'employee';

  static override styles = [
    shared,
    css`
      nav {
        display: flex;
        flex-direction: column;
        gap: 0.15rem;
        padding: 0.75rem;
      }
      a,
      .soon {
        display: block;
        padding: 0.5rem 0.75rem;
        border-radius: 6px;
        text-decoration: none;
        color: #1b1f24;
      }
      a:hover {
        background: #e8eef5;
      }
      a[aria-current='page'] {
        background: var(--pbx-primary, #1f4e8c);
        color: var(--pbx-on-primary, #fff);
      }
      .soon {
        color: #55606b;
      }
      .soon small {
        display: block;
        font-size: 0.78rem;
      }
      .group {
        margin-top: 0.75rem;
        padding: 0 0.75rem;
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: #55606b;
      }
      @media (max-width: 1023px) {
        nav {
          flex-direction: row;
          overflow-x: auto;
          padding: 0.4rem;
          align-items: center;
        }
        a,
        .soon {
          white-space: nowrap;
        }
        .soon small,
        .group {
          display: none;
        }
      }
    `,
  ];

  override render() {
    const visible = routes.filter((r) => r.roles.includes(this.userRole));
    return html`<nav aria-label=${t('nav.label')}>
      ${visible.map(
        (r) => html`<a href=${r.path} aria-current=${r.path === this.current ? 'page' : 'false'} data-nav=${r.path}>${t(r.titleKey)}</a>`,
      )}
      ${upcoming.length === 0
        ? nothing
        : html`<div class="group" aria-hidden="true">${t('nav.upcoming')}</div>
            ${upcoming.map((u) => html`<span class="soon" aria-disabled="true" title=${t(u.noteKey)}>${t(u.key)}<small>${t(u.noteKey)}</small></span>`)}`}
    </nav>`;
  }
}
