// The queue form: name and strategy, the agents (extension, static or
// dynamic, penalty, skills), timeouts, wrap-up, join/leave rules, the
// announcements and the overflow. The api's error for each field is shown
// beside it (members[1].extension → the second agent's number).
import { html, nothing, type TemplateResult } from 'lit';
import { textField } from '../../components/form-field';
import type { FieldErrors } from '../../components/field-errors';
import type { Prompt } from '../../data/prompts';
import { STRATEGIES } from '../../data/queues';
import { t, type MessageKey } from '../../i18n';
import { destinationField, type FlowNames } from '../call-flows/destination-field';
import type { MemberDraft, QueueDraft } from './queue-draft';

export interface QueueFormOptions {
  draft: QueueDraft;
  errors: FieldErrors;
  prompts: Prompt[];
  names: FlowNames;
  onChange: (d: QueueDraft) => void;
}

type NumberKey = 'ringTimeout' | 'wrapUp' | 'autoPauseAfter' | 'maxCallers' | 'maxWait' | 'serviceLevel' | 'announceEvery';
const NUMBERS: readonly NumberKey[] = ['ringTimeout', 'wrapUp', 'autoPauseAfter', 'maxCallers', 'maxWait', 'serviceLevel', 'announceEvery'];

function promptSelect(o: QueueFormOptions, key: 'greeting' | 'music'): TemplateResult {
  const d = o.draft;
  return html`<div class="field">
    <label for=${key}>${t(`queues.f.${key}`)}</label>
    <select id=${key} aria-describedby="${key}-error" @change=${(e: Event) => {
      const v = (e.target as HTMLSelectElement).value;
      o.onChange({ ...d, [key]: v ? Number(v) : null });
    }}>
      <option value="" ?selected=${d[key] === null}>${t('queues.f.noPrompt')}</option>
      ${o.prompts.map((p) => html`<option value=${p.id} ?selected=${d[key] === p.id}>${p.name}</option>`)}
    </select>
    <span class="field-error" id="${key}-error" data-field=${key}>${o.errors[key] ?? ''}</span>
  </div>`;
}

function memberRow(o: QueueFormOptions, m: MemberDraft, i: number): TemplateResult {
  const d = o.draft;
  const set = (patch: Partial<MemberDraft>) => o.onChange({ ...d, members: d.members.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const err = (f: string) => o.errors[`members[${i}].${f}`] ?? (f === 'extension' ? (o.errors[`members[${i}]`] ?? '') : '');
  return html`<tr data-member=${i}>
    <td>
      <input id="member-${i}-extension" aria-label=${t('queues.f.extension')} inputmode="numeric" .value=${m.extension}
        aria-describedby="member-${i}-extension-error" @input=${(e: Event) => set({ extension: (e.target as HTMLInputElement).value })} />
      <span class="field-error" id="member-${i}-extension-error" data-field="members[${i}].extension">${err('extension')}</span>
    </td>
    <td>
      <select id="member-${i}-mode" aria-label=${t('queues.f.mode')} @change=${(e: Event) => set({ mode: (e.target as HTMLSelectElement).value as MemberDraft['mode'] })}>
        ${(['static', 'dynamic'] as const).map((x) => html`<option value=${x} ?selected=${m.mode === x}>${t(`queues.mode.${x}`)}</option>`)}
      </select>
    </td>
    <td>
      <input id="member-${i}-penalty" aria-label=${t('queues.f.penalty')} inputmode="numeric" size="2" .value=${m.penalty}
        @input=${(e: Event) => set({ penalty: (e.target as HTMLInputElement).value })} />
      <span class="field-error" data-field="members[${i}].penalty">${err('penalty')}</span>
    </td>
    <td>
      <input id="member-${i}-skills" aria-label=${t('queues.f.skills')} .value=${m.skills} @input=${(e: Event) => set({ skills: (e.target as HTMLInputElement).value })} />
      <span class="field-error" data-field="members[${i}].skills">${err('skills')}</span>
    </td>
    <td>
      <button type="button" data-action="remove-member" ?disabled=${d.members.length === 1}
        @click=${() => o.onChange({ ...d, members: d.members.filter((_, j) => j !== i) })}>${t('queues.f.removeMember')}</button>
    </td>
  </tr>`;
}

export function queueForm(o: QueueFormOptions): TemplateResult {
  const d = o.draft;
  const e = o.errors;
  return html`<div class="grid">
      ${textField({ id: 'name', label: t('queues.f.name'), value: d.name, error: e.name, required: true, maxlength: 64, onInput: (v) => o.onChange({ ...d, name: v }) })}
      <div class="field">
        <label for="strategy">${t('queues.f.strategy')}</label>
        <select id="strategy" aria-describedby="strategy-error" @change=${(ev: Event) => o.onChange({ ...d, strategy: (ev.target as HTMLSelectElement).value as QueueDraft['strategy'] })}>
          ${STRATEGIES.map((s) => html`<option value=${s} ?selected=${d.strategy === s}>${t(`queues.strategy.${s}` as MessageKey)}</option>`)}
        </select>
        <span class="field-error" id="strategy-error" data-field="strategy">${e.strategy ?? ''}</span>
      </div>
      ${d.strategy === 'skills'
        ? textField({ id: 'requiredSkills', label: t('queues.f.requiredSkills'), value: d.requiredSkills, error: e.requiredSkills, onInput: (v) => o.onChange({ ...d, requiredSkills: v }) })
        : nothing}
      ${NUMBERS.map((k) => textField({ id: k, label: t(`queues.f.${k}`), value: d[k], error: e[k], onInput: (v) => o.onChange({ ...d, [k]: v }) }))}
      ${promptSelect(o, 'greeting')} ${promptSelect(o, 'music')}
      <div class="field">
        <label for="language">${t('queues.f.language')}</label>
        <select id="language" @change=${(ev: Event) => o.onChange({ ...d, language: (ev.target as HTMLSelectElement).value as QueueDraft['language'] })}>
          ${(['ru', 'en'] as const).map((l) => html`<option value=${l} ?selected=${d.language === l}>${t(`queues.lang.${l}`)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label><input type="checkbox" id="joinEmpty" .checked=${d.joinEmpty} @change=${(ev: Event) => o.onChange({ ...d, joinEmpty: (ev.target as HTMLInputElement).checked })} />
          ${t('queues.f.joinEmpty')}</label>
      </div>
      <div class="field">
        <label><input type="checkbox" id="announceWait" .checked=${d.announceWait} @change=${(ev: Event) => o.onChange({ ...d, announceWait: (ev.target as HTMLInputElement).checked })} />
          ${t('queues.f.announceWait')}</label>
      </div>
    </div>
    ${destinationField({ id: 'overflow', label: t('queues.f.overflow'), value: d.overflow, names: o.names, error: e.overflow, onChange: (v) => v && o.onChange({ ...d, overflow: v }) })}
    <h3>${t('queues.f.members')}</h3>
    <span class="field-error" data-field="members">${e.members ?? ''}</span>
    <table data-testid="queue-members">
      <thead>
        <tr><th>${t('queues.f.extension')}</th><th>${t('queues.f.mode')}</th><th>${t('queues.f.penalty')}</th><th>${t('queues.f.skills')}</th><th></th></tr>
      </thead>
      <tbody>${d.members.map((m, i) => memberRow(o, m, i))}</tbody>
    </table>
    <button type="button" data-action="add-member" @click=${() => o.onChange({ ...d, members: [...d.members, { extension: '', mode: 'dynamic', penalty: '0', skills: '' }] })}>
      ${t('queues.f.addMember')}
    </button>`;
}
