// The form of each call-flow kind. A draft is the object the api stores,
// with the lists people type kept as text (members, holidays, list entries
// one per line) until it is sent. Errors arrive by the api's field names
// (`options[2].destination`) and are shown beside those fields.
import { html, nothing, type TemplateResult } from 'lit';
import { textField } from '../../components/form-field';
import type { FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import type { Destination, FlowKind } from '../../data/call-flows';
import type { Prompt } from '../../data/prompts';
import { t, type MessageKey } from '../../i18n';
import '../prompts/pbx-prompt-picker';
import { destinationField, type FlowNames } from './destination-field';

/* eslint-disable @typescript-eslint/no-explicit-any -- a draft is the api's JSON object for one of five kinds; each form reads its own fields */
export type Draft = Record<string, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'] as const;
const STRATEGIES = ['ring-all', 'hunt', 'round-robin', 'least-recent', 'fewest-calls', 'random'] as const;
const hangup = (status: number): Destination => ({ type: 'hangup', status, reason: '' });

export function emptyDraft(kind: FlowKind): Draft {
  switch (kind) {
    case 'ring-group':
      return { name: '', strategy: 'ring-all', membersText: '', timeout: '60', skipDnd: true, skipBusy: true, skipUnregistered: true, overflow: hangup(480) };
    case 'ivr':
      return { name: '', prompt: '', invalidPrompt: '', timeoutPrompt: '', options: [{ digit: '1', destination: { type: 'extension', extension: '' } }], dialByExtension: false, timeout: '5', retries: '2', final: hangup(480) };
    case 'schedule':
      return { name: '', timeZone: 'Europe/Moscow', branches: [{ name: '', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: { type: 'extension', extension: '' } }], holidaysText: '', closed: hangup(480), holiday: null, override: 'auto' };
    case 'announcement':
      return { name: '', prompt: '', then: { action: 'hangup' } };
    case 'list':
      return { name: '', kind: 'block', extension: '', direction: 'inbound', treatment: hangup(486), vip: false, enabled: true, entriesText: '' };
  }
}

/** A stored object as a draft. */
export function draftOf(kind: FlowKind, o: Draft): Draft {
  const d: Draft = { ...o };
  if (kind === 'ring-group') d.membersText = (o.members as { extension: string; delay: number; timeout: number }[]).map((m) => `${m.extension} ${m.delay} ${m.timeout}`).join('\n');
  if (kind === 'schedule') d.holidaysText = (o.holidays as { from: string; to: string | null; yearly: boolean; name: string }[]).map((h) => `${h.from}${h.to ? `..${h.to}` : ''}${h.yearly ? ' *' : ''} ${h.name}`.trim()).join('\n');
  if (kind === 'list') d.entriesText = (o.entries as { match: string; value: string; note: string }[]).map((e) => `${e.match === 'anonymous' ? 'anonymous' : e.match === 'prefix' ? `${e.value}*` : e.value}${e.note ? ` ${e.note}` : ''}`).join('\n');
  for (const f of ['prompt', 'invalidPrompt', 'timeoutPrompt', 'timeout', 'retries']) if (typeof d[f] === 'number') d[f] = String(d[f]);
  for (const f of ['prompt', 'invalidPrompt', 'timeoutPrompt']) if (d[f] === null) d[f] = '';
  if (kind === 'list') d.extension = o.extension ?? '';
  return d;
}

const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v === '' ? undefined : v);

/** A holiday line: `2026-01-01..2026-01-08 * New Year` (`..to` optional, `*` yearly). */
export function parseHolidayLine(line: string): Draft {
  const m = /^(\S+?)(?:\.\.(\S+))?(\s+\*)?(?:\s+(.*))?$/.exec(line.trim()) ?? [];
  return { from: m[1] ?? line, to: m[2] ?? null, yearly: Boolean(m[3]), name: (m[4] ?? '').trim() };
}

/** What the api is sent. */
export function bodyOf(kind: FlowKind, d: Draft): Draft {
  const lines = (s: string) => String(s ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
  switch (kind) {
    case 'ring-group': {
      const { membersText, ...rest } = d;
      const members = lines(membersText).map((l) => {
        const [extension, delay, timeout] = l.split(/[\s,;]+/);
        return { extension, ...(delay ? { delay: num(delay) } : {}), ...(timeout ? { timeout: num(timeout) } : {}) };
      });
      return { ...strip(rest), members, timeout: num(d.timeout) };
    }
    case 'ivr':
      return {
        ...strip(d),
        prompt: num(d.prompt) ?? null,
        invalidPrompt: num(d.invalidPrompt) ?? null,
        timeoutPrompt: num(d.timeoutPrompt) ?? null,
        timeout: num(d.timeout),
        retries: num(d.retries),
      };
    case 'schedule': {
      const { holidaysText, ...rest } = d;
      return { ...strip(rest), holidays: lines(holidaysText).map(parseHolidayLine) };
    }
    case 'announcement':
      return { ...strip(d), prompt: num(d.prompt) };
    case 'list': {
      const { entriesText, ...rest } = d;
      const entries = lines(entriesText).map((l) => {
        const [v = '', ...note] = l.split(/\s+/);
        const e = v.toLowerCase() === 'anonymous' ? { match: 'anonymous' } : v.endsWith('*') ? { match: 'prefix', value: v.slice(0, -1) } : { match: 'number', value: v };
        return { ...e, note: note.join(' ') };
      });
      return { ...strip(rest), extension: d.extension ? d.extension : null, entries };
    }
  }
}

function strip(d: Draft): Draft {
  const { id: _i, tenantId: _t, createdAt: _c, updatedAt: _u, ...rest } = d;
  return rest;
}

export interface FormContext {
  draft: Draft;
  errors: FieldErrors;
  names: FlowNames;
  readOnly: boolean;
  set: (patch: Draft) => void;
  api: Api;
  /** The tenant's prompts, for the pickers. */
  prompts: Prompt[];
  /** A prompt made inline by a picker, for the page's list. */
  promptAdded: (p: Prompt) => void;
}

function check(id: string, label: string, value: boolean, onChange: (v: boolean) => void, ro: boolean) {
  return html`<div class="field"><label><input type="checkbox" id=${id} .checked=${value} ?disabled=${ro} @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)} /> ${label}</label></div>`;
}

function select(id: string, label: string, value: string, options: readonly string[], text: (v: string) => string, onChange: (v: string) => void, ro: boolean, error?: string) {
  return html`<div class="field"><label for=${id}>${label}</label>
    <select id=${id} ?disabled=${ro} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>${options.map((o) => html`<option value=${o} ?selected=${o === value}>${text(o)}</option>`)}</select>
    <span class="field-error" data-field=${id}>${error ?? ''}</span></div>`;
}

function area(id: string, label: string, value: string, hint: string, onInput: (v: string) => void, ro: boolean, error?: string) {
  return html`<div class="field"><label for=${id}>${label}</label>
    <textarea id=${id} .value=${value} ?disabled=${ro} aria-describedby="${id}-hint ${id}-error" @input=${(e: Event) => onInput((e.target as HTMLTextAreaElement).value)}></textarea>
    <span class="hint" id="${id}-hint">${hint}</span><span class="field-error" id="${id}-error" data-field=${id}>${error ?? ''}</span></div>`;
}

/** Errors of `prefix[...]` lines, for a textarea standing for a list. */
const under = (errors: FieldErrors, prefix: string) =>
  Object.entries(errors)
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}[`))
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ') || undefined;

export function renderForm(kind: FlowKind, c: FormContext): TemplateResult {
  const { draft: d, errors: e, names, readOnly: ro, set } = c;
  const name = textField({ id: 'flow-name', label: t('flows.name'), value: d.name, error: e.name, onInput: (v) => set({ name: v }) });
  const dest = (id: string, label: string, field: string, value: Destination | null, onChange: (v: Destination | null) => void, allowMain = false) =>
    destinationField({ id, label, value, names, error: e[field], onChange, disabled: ro, allowMain });
  const prompt = (id: string, label: string, field: string, optional: boolean) =>
    html`<pbx-prompt-picker .api=${c.api} .fieldId=${id} .label=${label} .value=${String(d[field] ?? '')} .prompts=${c.prompts} .error=${e[field] ?? ''}
      ?optional=${optional} ?disabled=${ro} .onChange=${(v: string) => set({ [field]: v })} .onCreated=${c.promptAdded}></pbx-prompt-picker>`;
  switch (kind) {
    case 'ring-group':
      return html`${name}
        ${select('flow-strategy', t('flows.rg.strategy'), d.strategy, STRATEGIES, (s) => t(`flows.rg.${s}` as MessageKey), (v) => set({ strategy: v }), ro, e.strategy)}
        ${area('flow-members', t('flows.rg.members'), d.membersText, t('flows.rg.membersHint'), (v) => set({ membersText: v }), ro, under(e, 'members'))}
        ${textField({ id: 'flow-timeout', label: t('flows.rg.timeout'), value: d.timeout, error: e.timeout, onInput: (v) => set({ timeout: v }) })}
        ${check('flow-skipDnd', t('flows.rg.skipDnd'), d.skipDnd, (v) => set({ skipDnd: v }), ro)}
        ${check('flow-skipBusy', t('flows.rg.skipBusy'), d.skipBusy, (v) => set({ skipBusy: v }), ro)}
        ${check('flow-skipUnregistered', t('flows.rg.skipUnregistered'), d.skipUnregistered, (v) => set({ skipUnregistered: v }), ro)}
        ${dest('flow-overflow', t('flows.rg.overflow'), 'overflow', d.overflow, (v) => set({ overflow: v }))}`;
    case 'ivr': {
      const options = d.options as { digit: string; destination: Destination }[];
      const setOpt = (i: number, p: Draft) => set({ options: options.map((o, j) => (j === i ? { ...o, ...p } : o)) });
      return html`${name}
        ${prompt('flow-prompt', t('promptPicker.greeting'), 'prompt', true)}
        <fieldset><legend>${t('flows.ivr.options')}</legend>
          <span class="field-error" data-field="flow-options">${e.options ?? ''}</span>
          ${options.map(
            (o, i) => html`<div class="row option" data-testid="ivr-option-${i}">
              ${select(`flow-option-${i}-digit`, t('flows.ivr.key'), o.digit, DIGITS, (x) => x, (v) => setOpt(i, { digit: v }), ro, e[`options[${i}].digit`])}
              ${dest(`flow-option-${i}`, t('flows.ivr.goesTo'), `options[${i}].destination`, o.destination, (v) => setOpt(i, { destination: v }))}
              ${ro ? nothing : html`<button type="button" class="secondary" aria-label=${t('common.remove')} @click=${() => set({ options: options.filter((_, j) => j !== i) })}>×</button>`}
            </div>`,
          )}
          ${ro ? nothing : html`<button type="button" class="secondary" data-testid="ivr-add-option" @click=${() => set({ options: [...options, { digit: DIGITS.find((x) => !options.some((o) => o.digit === x)) ?? '#', destination: { type: 'extension', extension: '' } }] })}>${t('flows.ivr.addOption')}</button>`}
        </fieldset>
        ${check('flow-dialByExtension', t('flows.ivr.dialByExtension'), d.dialByExtension, (v) => set({ dialByExtension: v }), ro)}
        ${textField({ id: 'flow-timeout', label: t('flows.ivr.timeout'), value: d.timeout, error: e.timeout, onInput: (v) => set({ timeout: v }) })}
        ${textField({ id: 'flow-retries', label: t('flows.ivr.retries'), value: d.retries, error: e.retries, onInput: (v) => set({ retries: v }) })}
        ${prompt('flow-invalidPrompt', t('promptPicker.invalid'), 'invalidPrompt', true)}
        ${prompt('flow-timeoutPrompt', t('promptPicker.timeout'), 'timeoutPrompt', true)}
        ${dest('flow-final', t('flows.ivr.final'), 'final', d.final, (v) => set({ final: v }))}`;
    }
    case 'schedule': {
      const branches = d.branches as { name: string; days: string[]; from: string; to: string; destination: Destination }[];
      const setB = (i: number, p: Draft) => set({ branches: branches.map((b, j) => (j === i ? { ...b, ...p } : b)) });
      return html`${name}
        ${textField({ id: 'flow-timeZone', label: t('flows.sch.timeZone'), value: d.timeZone, error: e.timeZone, onInput: (v) => set({ timeZone: v.trim() }) })}
        <fieldset><legend>${t('flows.sch.branches')}</legend>
          ${branches.map(
            (b, i) => html`<div class="branch" data-testid="branch-${i}">
              <span class="field-error" data-field="flow-branch-${i}">${e[`branches[${i}]`] ?? ''}</span>
              ${textField({ id: `flow-branch-${i}-name`, label: t('flows.name'), value: b.name, error: e[`branches[${i}].name`], onInput: (v) => setB(i, { name: v }) })}
              <div class="field"><span>${t('flows.sch.days')}</span><div class="row">${WEEK.map(
                (w) => html`<label><input type="checkbox" .checked=${b.days.includes(w)} ?disabled=${ro}
                  @change=${(ev: Event) => setB(i, { days: (ev.target as HTMLInputElement).checked ? WEEK.filter((x) => x === w || b.days.includes(x)) : b.days.filter((x) => x !== w) })} />${t(`flows.day.${w}` as MessageKey)}</label>`,
              )}</div><span class="field-error" data-field="flow-branch-${i}-days">${e[`branches[${i}].days`] ?? ''}</span></div>
              ${textField({ id: `flow-branch-${i}-from`, label: t('flows.sch.from'), value: b.from, error: e[`branches[${i}].from`], onInput: (v) => setB(i, { from: v.trim() }) })}
              ${textField({ id: `flow-branch-${i}-to`, label: t('flows.sch.to'), value: b.to, error: e[`branches[${i}].to`], onInput: (v) => setB(i, { to: v.trim() }) })}
              ${dest(`flow-branch-${i}-destination`, t('flows.ivr.goesTo'), `branches[${i}].destination`, b.destination, (v) => setB(i, { destination: v }))}
              ${ro ? nothing : html`<button type="button" class="secondary" @click=${() => set({ branches: branches.filter((_, j) => j !== i) })}>${t('common.remove')}</button>`}
            </div>`,
          )}
          ${ro ? nothing : html`<button type="button" class="secondary" data-testid="add-branch" @click=${() => set({ branches: [...branches, { name: '', days: ['sat'], from: '10:00', to: '14:00', destination: { type: 'extension', extension: '' } }] })}>${t('flows.sch.addBranch')}</button>`}
        </fieldset>
        ${dest('flow-closed', t('flows.sch.closed'), 'closed', d.closed, (v) => set({ closed: v }))}
        ${check('flow-holiday-own', t('flows.sch.holidayOwn'), d.holiday !== null, (v) => set({ holiday: v ? hangup(480) : null }), ro)}
        ${d.holiday !== null ? dest('flow-holiday', t('flows.sch.holiday'), 'holiday', d.holiday, (v) => set({ holiday: v })) : nothing}
        ${area('flow-holidays', t('flows.sch.holidays'), d.holidaysText, t('flows.sch.holidaysHint'), (v) => set({ holidaysText: v }), ro, under(e, 'holidays'))}
        ${select('flow-override', t('flows.sch.override'), d.override, ['auto', 'day', 'night'], (v) => t(`flows.sch.override.${v}` as MessageKey), (v) => set({ override: v }), ro, e.override)}`;
    }
    case 'announcement':
      return html`${name}
        ${prompt('flow-prompt', t('promptPicker.announcement'), 'prompt', false)}
        ${check('flow-continue', t('flows.ann.continue'), d.then.action === 'continue', (v) => set({ then: v ? { action: 'continue', destination: { type: 'extension', extension: '' } } : { action: 'hangup' } }), ro)}
        ${d.then.action === 'continue' ? dest('flow-then', t('flows.ivr.goesTo'), 'then.destination', d.then.destination, (v) => set({ then: { action: 'continue', destination: v } })) : nothing}`;
    case 'list':
      return html`${name}
        ${select('flow-kind', t('flows.list.kind'), d.kind, ['block', 'allow'], (v) => t(`flows.list.${v}` as MessageKey), (v) => set({ kind: v, vip: v === 'allow' ? d.vip : false }), ro, e.kind)}
        ${textField({ id: 'flow-extension', label: t('flows.list.extension'), value: d.extension, error: e.extension, hint: t('flows.list.extensionHint'), onInput: (v) => set({ extension: v.trim() }) })}
        ${select('flow-direction', t('flows.list.direction'), d.direction, ['inbound', 'outbound', 'both'], (v) => t(`flows.list.${v}` as MessageKey), (v) => set({ direction: v }), ro, e.direction)}
        ${d.kind === 'block' ? dest('flow-treatment', t('flows.list.treatment'), 'treatment', d.treatment, (v) => set({ treatment: v })) : check('flow-vip', t('flows.list.vip'), d.vip, (v) => set({ vip: v }), ro)}
        ${check('flow-enabled', t('flows.list.enabled'), d.enabled, (v) => set({ enabled: v }), ro)}
        ${area('flow-entries', t('flows.list.entries'), d.entriesText, t('flows.list.entriesHint'), (v) => set({ entriesText: v }), ro, under(e, 'entries'))}`;
  }
}
