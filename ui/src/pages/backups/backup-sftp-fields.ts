// The SFTP server fields of the backup schedule (issue 18): host, port, user,
// directory, the box's private key (write-only: the page shows only that one
// is set, and its public half for the server's authorized_keys), and the
// server's host key — fetched, its SHA-256 fingerprint shown for the admin
// to compare with the server's own (`ssh-keygen -lf`), pinned on confirm.
import { html, nothing } from 'lit';
import { textField } from '../../components/form-field';
import type { FieldErrors } from '../../components/field-errors';
import type { SftpView } from '../../data/backups';
import { t } from '../../i18n';

export interface SftpForm {
  host: string;
  port: string;
  username: string;
  dir: string;
  privateKey: string;
  /** The pinned host key line ('' until one is confirmed). */
  hostKey: string;
  hostKeyFingerprint: string;
  /** Fetched and shown, not yet confirmed. */
  fetched: { hostKey: string; fingerprint: string } | null;
}

export const sftpFormOf = (v: SftpView | null): SftpForm => ({
  host: v?.host ?? '',
  port: String(v?.port ?? 22),
  username: v?.username ?? '',
  dir: v?.dir ?? '',
  privateKey: '',
  hostKey: v?.hostKey ?? '',
  hostKeyFingerprint: v?.hostKeyFingerprint ?? '',
  fetched: null,
});

/** Server field names (sftp.host) to the ids of these inputs. */
export const sftpFieldMap = { 'sftp.host': 'sftp-host', 'sftp.port': 'sftp-port', 'sftp.username': 'sftp-username', 'sftp.dir': 'sftp-dir', 'sftp.privateKey': 'sftp-key', 'sftp.hostKey': 'sftp-host-key', sftp: 'sftp-host' };

export function renderSftpFields(o: {
  form: SftpForm;
  view: SftpView | null;
  errors: FieldErrors;
  fetching: boolean;
  set: (patch: Partial<SftpForm>) => void;
  fetch: () => void;
}) {
  const { form: f, set, errors } = o;
  return html`<fieldset data-testid="sftp-fields">
    <legend>${t('backups.sftp.legend')}</legend>
    <div class="grid">
      ${textField({ id: 'sftp-host', label: t('backups.sftp.host'), value: f.host, error: errors['sftp-host'], onInput: (v) => set({ host: v, fetched: null }) })}
      ${textField({ id: 'sftp-port', label: t('backups.sftp.port'), value: f.port, maxlength: 5, error: errors['sftp-port'], onInput: (v) => set({ port: v, fetched: null }) })}
      ${textField({ id: 'sftp-username', label: t('backups.sftp.username'), value: f.username, error: errors['sftp-username'], onInput: (v) => set({ username: v }) })}
      ${textField({ id: 'sftp-dir', label: t('backups.sftp.dir'), value: f.dir, error: errors['sftp-dir'], onInput: (v) => set({ dir: v }) })}
    </div>
    <div class="field">
      <label for="sftp-key">${t('backups.sftp.privateKey')}</label>
      <textarea
        id="sftp-key"
        rows="4"
        autocomplete="off"
        spellcheck="false"
        .value=${f.privateKey}
        aria-describedby="sftp-key-hint sftp-key-error"
        @input=${(e: Event) => set({ privateKey: (e.target as HTMLTextAreaElement).value })}
      ></textarea>
      <span class="hint" id="sftp-key-hint">${o.view?.privateKeySet ? t('backups.sftp.privateKeySet') : t('backups.sftp.privateKeyHint')}</span>
      <span class="field-error" id="sftp-key-error" data-field="sftp-key">${errors['sftp-key'] ?? ''}</span>
    </div>
    ${o.view?.publicKey
      ? html`<p>${t('backups.sftp.publicKey')}<br /><code data-testid="sftp-public-key">${o.view.publicKey}</code></p>`
      : nothing}
    <div class="field">
      <span>${t('backups.sftp.hostKey')}</span>
      ${f.hostKey
        ? html`<p data-testid="sftp-pinned">${t('backups.sftp.pinned', { fingerprint: f.hostKeyFingerprint })}</p>`
        : html`<p class="muted">${t('backups.sftp.notPinned')}</p>`}
      <div class="row">
        <button type="button" class="secondary" data-testid="sftp-fetch" ?disabled=${o.fetching || !f.host.trim()} @click=${o.fetch}>
          ${t('backups.sftp.fetch')}
        </button>
      </div>
      ${f.fetched
        ? html`<p role="status">
              ${t('backups.sftp.fetched')}<br /><code data-testid="sftp-fingerprint">${f.fetched.fingerprint}</code>
            </p>
            <button
              type="button"
              data-testid="sftp-confirm"
              @click=${() => set({ hostKey: f.fetched!.hostKey, hostKeyFingerprint: f.fetched!.fingerprint, fetched: null })}
            >
              ${t('backups.sftp.confirm')}
            </button>`
        : nothing}
      <span class="field-error" data-field="sftp-host-key">${errors['sftp-host-key'] ?? ''}</span>
    </div>
  </fieldset>`;
}
