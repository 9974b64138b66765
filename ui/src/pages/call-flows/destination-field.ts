// A destination chooser: the kind (extension, outside number, hang up, a
// ring group / IVR menu / schedule / announcement, or the main destination)
// and then its value, with the api's error for that field beside it.
import { html, nothing, type TemplateResult } from 'lit';
import type { Destination } from '../../data/call-flows';
import { t, type MessageKey } from '../../i18n';

export interface Named {
  id: number;
  name: string;
}

export interface FlowNames {
  'ring-group': Named[];
  ivr: Named[];
  schedule: Named[];
  announcement: Named[];
}

type Choice = 'extension' | 'external' | 'hangup' | keyof FlowNames | 'main';
const FEATURES = ['ring-group', 'ivr', 'schedule', 'announcement'] as const;
/** SIP statuses an admin picks from (RFC 3261 §21): busy, unavailable, declined, not found. */
const STATUSES = [486, 480, 603, 404] as const;

export interface DestinationFieldOptions {
  id: string;
  label: string;
  value: Destination | null;
  names: FlowNames;
  error?: string;
  /** Offer "the main destination" (null). */
  allowMain?: boolean;
  disabled?: boolean;
  onChange: (d: Destination | null) => void;
}

function choiceOf(d: Destination | null): Choice {
  if (d === null) return 'main';
  return d.type === 'feature' ? (d.feature as keyof FlowNames) : d.type;
}

function fresh(c: Choice, names: FlowNames): Destination | null {
  switch (c) {
    case 'main':
      return null;
    case 'extension':
      return { type: 'extension', extension: '' };
    case 'external':
      return { type: 'external', number: '' };
    case 'hangup':
      return { type: 'hangup', status: 486, reason: '' };
    default:
      return { type: 'feature', feature: c, id: names[c][0]?.id ?? 0 };
  }
}

export function destinationField(o: DestinationFieldOptions): TemplateResult {
  const c = choiceOf(o.value);
  const choices: Choice[] = [...(o.allowMain ? (['main'] as const) : []), 'extension', 'external', 'hangup', ...FEATURES];
  const d = o.value;
  return html`<div class="field destination" data-testid=${o.id}>
    <label for="${o.id}-type">${o.label}</label>
    <div class="row">
      <select id="${o.id}-type" ?disabled=${o.disabled} aria-invalid=${o.error ? 'true' : 'false'} aria-describedby="${o.id}-error"
        @change=${(e: Event) => o.onChange(fresh((e.target as HTMLSelectElement).value as Choice, o.names))}>
        ${choices.map((x) => html`<option value=${x} ?selected=${x === c}>${t(`flows.dest.${x}` as MessageKey)}</option>`)}
      </select>
      ${d?.type === 'extension'
        ? html`<input id="${o.id}-value" aria-label=${t('flows.dest.extensionNumber')} inputmode="numeric" .value=${d.extension} ?disabled=${o.disabled}
            @input=${(e: Event) => o.onChange({ type: 'extension', extension: (e.target as HTMLInputElement).value.trim() })} />`
        : d?.type === 'external'
          ? html`<input id="${o.id}-value" aria-label=${t('flows.dest.externalNumber')} inputmode="tel" .value=${d.number} ?disabled=${o.disabled}
              @input=${(e: Event) => o.onChange({ type: 'external', number: (e.target as HTMLInputElement).value.trim() })} />`
          : d?.type === 'hangup'
            ? html`<select id="${o.id}-value" aria-label=${t('flows.dest.status')} ?disabled=${o.disabled}
                @change=${(e: Event) => o.onChange({ type: 'hangup', status: Number((e.target as HTMLSelectElement).value), reason: '' })}>
                ${STATUSES.map((s) => html`<option value=${s} ?selected=${d.status === s}>${t(`flows.status.${s}` as MessageKey)}</option>`)}
              </select>`
            : d?.type === 'feature'
              ? html`<select id="${o.id}-value" aria-label=${t(`flows.dest.${c}` as MessageKey)} ?disabled=${o.disabled}
                  @change=${(e: Event) => o.onChange({ type: 'feature', feature: d.feature, id: Number((e.target as HTMLSelectElement).value) })}>
                  ${d.id && !(o.names[d.feature as keyof FlowNames] ?? []).some((n) => n.id === d.id) ? html`<option value=${d.id} selected>#${d.id}</option>` : nothing}
                  ${(o.names[d.feature as keyof FlowNames] ?? []).map((n) => html`<option value=${n.id} ?selected=${n.id === d.id}>${n.name}</option>`)}
                </select>`
              : nothing}
    </div>
    <span class="field-error" id="${o.id}-error" data-field=${o.id}>${o.error ?? ''}</span>
  </div>`;
}

/** One line for a destination, with the object's name when known. */
export function destinationText(d: Destination | null, names: FlowNames): string {
  if (d === null) return t('flows.dest.main');
  switch (d.type) {
    case 'extension':
      return t('flows.text.extension', { n: d.extension });
    case 'external':
      return t('flows.text.external', { n: d.number });
    case 'hangup':
      return t(`flows.status.${d.status}` as MessageKey) === `flows.status.${d.status}` ? `SIP ${d.status}` : t(`flows.status.${d.status}` as MessageKey);
    case 'feature': {
      const n = (names[d.feature as keyof FlowNames] ?? []).find((x) => x.id === d.id);
      return `${t(`flows.dest.${d.feature}` as MessageKey)} «${n?.name ?? `#${d.id}`}»`;
    }
  }
}
