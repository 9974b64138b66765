// One labelled filter input above a list, with the server's error for it.
import { html } from 'lit';
import { t, type MessageKey } from '../i18n';

export function filterField<F extends { [K in keyof F]?: string }>(p: {
  id: keyof F & string;
  label: MessageKey;
  type?: string;
  filters: F;
  error?: string;
  /** Called with the filters including the new, trimmed value. */
  change(next: F): void;
}) {
  return html`<div class="field">
    <label for=${p.id}>${t(p.label)}</label>
    <input id=${p.id} type=${p.type ?? 'text'} .value=${p.filters[p.id] ?? ''} aria-invalid=${p.error ? 'true' : 'false'}
      @change=${(e: Event) => p.change({ ...p.filters, [p.id]: (e.target as HTMLInputElement).value.trim() })} />
    <span class="field-error">${p.error ?? ''}</span>
  </div>`;
}
