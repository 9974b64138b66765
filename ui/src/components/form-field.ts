// A labelled input with its error beside it, inside the caller's shadow
// root so the label, the input and aria-describedby meet.
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';

export interface FieldOptions {
  id: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  maxlength?: number;
  onInput: (value: string) => void;
}

export function textField(o: FieldOptions): TemplateResult {
  const described = [o.hint ? `${o.id}-hint` : '', `${o.id}-error`].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for=${o.id}>${o.label}</label>
    <input
      id=${o.id}
      name=${o.id}
      type=${o.type ?? 'text'}
      .value=${o.value}
      autocomplete=${ifDefined(o.autocomplete)}
      maxlength=${ifDefined(o.maxlength)}
      ?required=${o.required ?? false}
      aria-invalid=${o.error ? 'true' : 'false'}
      aria-describedby=${described}
      @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
    />
    ${o.hint ? html`<span class="hint" id="${o.id}-hint">${o.hint}</span>` : nothing}
    <span class="field-error" id="${o.id}-error" data-field=${o.id}>${o.error ?? ''}</span>
  </div>`;
}
