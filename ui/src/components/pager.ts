// Previous / "1–50 of 120" / next under a paged table; every list page uses it.
import { html } from 'lit';
import { t } from '../i18n';

export interface PagerState {
  offset: number;
  /** Rows on this page. */
  shown: number;
  total: number;
  pageSize: number;
  /** Called with the new offset. */
  go(offset: number): void;
  /** data-testid of the range text, where a test reads it. */
  rangeId?: string;
}

export function pager(p: PagerState) {
  const range = t('audit.range', { from: p.total === 0 ? 0 : p.offset + 1, to: p.offset + p.shown, total: p.total });
  return html`<p class="row pager">
    <button type="button" class="secondary" ?disabled=${p.offset === 0} @click=${() => p.go(Math.max(0, p.offset - p.pageSize))}>${t('audit.prev')}</button>
    <span role="status" data-testid=${p.rangeId ?? ''}>${range}</span>
    <button type="button" class="secondary" ?disabled=${p.offset + p.pageSize >= p.total} @click=${() => p.go(p.offset + p.pageSize)}>${t('audit.next')}</button>
  </p>`;
}
