// The new-extension form's fields; the server's errors show beside them.
import { html, type TemplateResult } from 'lit';
import { textField } from '../../components/form-field';
import type { FieldErrors } from '../../components/field-errors';
import { OUTBOUND_PERMISSIONS, type Extension, type NewExtension, type OutboundPermission } from '../../data/extensions';
import type { User } from '../../data/types';
import { t, type MessageKey } from '../../i18n';

export interface ExtensionDraft {
  extension: string;
  displayName: string;
  sipUsername: string;
  outboundPermission: OutboundPermission;
  callerIdNumber: string;
  dnd: boolean;
  always: string;
  busy: string;
  noAnswer: string;
  noAnswerSeconds: string;
  unreachable: string;
  /** The employee's user id, '' for none. */
  userId: string;
}

export const emptyDraft = (): ExtensionDraft => ({
  extension: '',
  displayName: '',
  sipUsername: '',
  outboundPermission: 'internal',
  callerIdNumber: '',
  dnd: false,
  always: '',
  busy: '',
  noAnswer: '',
  noAnswerSeconds: '20',
  unreachable: '',
  userId: '',
});

export const draftOf = (x: Extension): ExtensionDraft => ({
  extension: x.extension,
  displayName: x.displayName,
  sipUsername: x.sipUsername,
  outboundPermission: x.outboundPermission,
  callerIdNumber: x.callerIdNumber,
  dnd: x.dnd,
  always: x.forward.always ?? '',
  busy: x.forward.busy ?? '',
  noAnswer: x.forward.noAnswer ?? '',
  noAnswerSeconds: String(x.forward.noAnswerSeconds),
  unreachable: x.forward.unreachable ?? '',
  userId: x.userId === null ? '' : String(x.userId),
});

export const permissionName = (p: OutboundPermission) => t(`ext.perm.${p}` as MessageKey);

/** Checked as the user types, before anything is sent; the server checks again. */
export function numberError(v: string): string | undefined {
  if (!v) return undefined;
  if (!/^\d{2,6}$/.test(v)) return t('ext.numberRule');
  if (['112', '101', '102', '103', '104'].includes(v)) return t('ext.reserved');
  return undefined;
}

export function draftToInput(d: ExtensionDraft): NewExtension {
  const orNull = (v: string) => (v.trim() ? v.trim() : null);
  return {
    extension: d.extension.trim(),
    displayName: d.displayName.trim() || undefined,
    sipUsername: d.sipUsername.trim() || undefined,
    outboundPermission: d.outboundPermission,
    callerIdNumber: d.callerIdNumber.trim() || undefined,
    dnd: d.dnd,
    forward: { always: orNull(d.always), busy: orNull(d.busy), noAnswer: orNull(d.noAnswer), unreachable: orNull(d.unreachable), noAnswerSeconds: Number(d.noAnswerSeconds) || 20 },
    userId: d.userId ? Number(d.userId) : null,
  };
}

export function extensionFields(d: ExtensionDraft, errors: FieldErrors, edit: (patch: Partial<ExtensionDraft>) => void, users: readonly User[], existing: boolean): TemplateResult {
  const f = (id: keyof ExtensionDraft, serverField: string, label: MessageKey, hint?: MessageKey, local?: string) =>
    textField({ id, label: t(label), value: String(d[id]), error: errors[serverField] ?? local, hint: hint ? t(hint) : undefined, onInput: (v) => edit({ [id]: v }) });
  // Number and SIP user name are fixed once created (the HA1 depends on the user name).
  const fixed = (id: 'extension' | 'sipUsername', label: MessageKey) =>
    html`<div class="field"><label for=${id}>${t(label)}</label><input id=${id} .value=${d[id]} readonly aria-readonly="true" /></div>`;
  return html`<div class="grid">
      ${existing ? fixed('extension', 'ext.number') : f('extension', 'extension', 'ext.number', 'ext.numberHint', numberError(d.extension))}
      ${f('displayName', 'displayName', 'ext.displayName')}
      ${existing ? fixed('sipUsername', 'ext.sipUsername') : f('sipUsername', 'sipUsername', 'ext.sipUsername', 'ext.sipUsernameHint')}
      <div class="field">
        <label for="userId">${t('ext.user')}</label>
        <select id="userId" @change=${(e: Event) => edit({ userId: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${d.userId === ''}>${t('ext.noUser')}</option>
          ${users.map((u) => html`<option value=${u.id} ?selected=${String(u.id) === d.userId}>${u.displayName || u.username}</option>`)}
        </select>
        <span class="field-error">${errors.userId ?? ''}</span>
      </div>
      <div class="field">
        <label for="outboundPermission">${t('ext.permission')}</label>
        <select id="outboundPermission" @change=${(e: Event) => edit({ outboundPermission: (e.target as HTMLSelectElement).value as OutboundPermission })}>
          ${OUTBOUND_PERMISSIONS.map((p) => html`<option value=${p} ?selected=${p === d.outboundPermission}>${permissionName(p)}</option>`)}
        </select>
        <span class="field-error">${errors.outboundPermission ?? ''}</span>
      </div>
      ${f('callerIdNumber', 'callerIdNumber', 'ext.callerIdNumber', 'ext.callerIdHint')}
    </div>
    <fieldset>
      <legend>${t('ext.forwarding')}</legend>
      <p class="hint">${t('ext.forwardHint')}</p>
      <div class="grid">
        ${f('always', 'forward.always', 'ext.fwdAlways')} ${f('busy', 'forward.busy', 'ext.fwdBusy')}
        ${f('noAnswer', 'forward.noAnswer', 'ext.fwdNoAnswer')} ${f('noAnswerSeconds', 'forward.noAnswerSeconds', 'ext.fwdSeconds')}
        ${f('unreachable', 'forward.unreachable', 'ext.fwdUnreachable')}
      </div>
    </fieldset>
    <label class="check"><input type="checkbox" id="dnd" .checked=${d.dnd} @change=${(e: Event) => edit({ dnd: (e.target as HTMLInputElement).checked })} /> ${t('ext.dnd')}</label>`;
}
