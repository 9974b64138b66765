// The new-extension form's fields; the server's errors show beside them.
import { html, nothing, type TemplateResult } from 'lit';
import { textField } from '../../components/form-field';
import type { FieldErrors } from '../../components/field-errors';
import { OUTBOUND_PERMISSIONS, type NewExtension, type OutboundPermission } from '../../data/extensions';
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
  };
}

export function extensionFields(d: ExtensionDraft, errors: FieldErrors, edit: (patch: Partial<ExtensionDraft>) => void): TemplateResult {
  const f = (id: keyof ExtensionDraft, serverField: string, label: MessageKey, hint?: MessageKey, local?: string) =>
    textField({ id, label: t(label), value: String(d[id]), error: errors[serverField] ?? local, hint: hint ? t(hint) : undefined, onInput: (v) => edit({ [id]: v }) });
  return html`<div class="grid">
      ${f('extension', 'extension', 'ext.number', 'ext.numberHint', numberError(d.extension))}
      ${f('displayName', 'displayName', 'ext.displayName')}
      ${f('sipUsername', 'sipUsername', 'ext.sipUsername', 'ext.sipUsernameHint')}
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
    <label class="check"><input type="checkbox" id="dnd" .checked=${d.dnd} @change=${(e: Event) => edit({ dnd: (e.target as HTMLInputElement).checked })} /> ${t('ext.dnd')}</label>
    ${errors.userId ? html`<p class="error">${errors.userId}</p>` : nothing}`;
}
