// Backups: the list with size, progress while one runs and verification
// state, «back up now», «verify», download of an archive, and the schedule
// with its rotation and the box's backup passphrase. Superadmins act;
// auditors see the list. The appliance does the work (its backup
// scheduler); this page asks and watches, polling while something runs.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { fetchHostKey, listBackups, runBackup, saveSchedule, verifyBackup, type Backup, type ScheduleInput, type ScheduleView } from '../../data/backups';
import { renderSftpFields, sftpFieldMap, sftpFormOf, type SftpForm } from './backup-sftp-fields';
import type { Role } from '../../data/types';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

const POLL_MS = 1000;
const IDLE_POLL_MS = 10_000;
const busy = (b: Backup) => b.state === 'queued' || b.state === 'running' || b.verifyState === 'queued' || b.verifyState === 'running';

@customElement('pbx-backups-page')
export class PbxBackupsPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property() userRole: Role = 'auditor';
  @state() private backups: Backup[] = [];
  @state() private lastGoodAt: string | null = null;
  @state() private schedule: ScheduleView | null = null;
  @state() private form: ScheduleInput | null = null;
  @state() private sftp: SftpForm = sftpFormOf(null);
  @state() private fetching = false;
  @state() private errors: FieldErrors = {};
  @state() private forbidden = false;
  @state() private error = '';
  @state() private notice = '';
  private timer: ReturnType<typeof setTimeout> | null = null;

  static override styles = [
    shared,
    css`
      .state[data-state='failed'],
      .verify[data-verify='failed'] {
        color: var(--pbx-danger, #b00020);
        font-weight: 600;
      }
      .verify[data-verify='ok'] {
        color: var(--pbx-ok, #1b7f3b);
      }
      progress {
        width: 10rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private formOf(s: ScheduleView): ScheduleInput {
    const { sftp: _sftp, passphraseSet: _p, defaultTargetDir: _d, nextRunAt: _n, since: _s, ...rest } = s;
    return { ...rest, target: s.target ?? 'local', targetDir: s.targetDir ?? '' };
  }

  private get canWrite(): boolean {
    return this.userRole === 'superadmin';
  }

  private async load() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      const r = await listBackups(this.api);
      this.backups = r.backups;
      this.lastGoodAt = r.lastGoodAt;
      this.schedule = r.schedule;
      if (!this.form) {
        this.form = this.formOf(r.schedule);
        this.sftp = sftpFormOf(r.schedule.sftp);
      }
      // Poll fast while the appliance works on one, so progress and the verification state arrive;
      // slowly otherwise, so a scheduled backup that starts while the page is open shows up.
      if (this.isConnected) this.timer = setTimeout(() => void this.load(), r.backups.some(busy) ? POLL_MS : IDLE_POLL_MS);
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
    }
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('backups.title')}</h1>
      <p class="muted">${t('backups.intro')}</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="backups-error">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status" data-testid="backups-notice">${this.notice}</p>` : nothing}
      <p data-testid="backups-last-good">
        ${this.lastGoodAt ? t('backups.lastGood', { at: formatDateTime(this.lastGoodAt) }) : t('backups.lastGoodNever')}
      </p>
      ${
        this.canWrite
          ? html`<p>
              <button
                type="button"
                data-testid="backup-now"
                ?disabled=${this.backups.some((b) => b.state === 'queued' || b.state === 'running')}
                @click=${this.runNow}
              >
                ${t('backups.runNow')}
              </button>
            </p>`
          : html`<p class="muted">${t('backups.readOnly')}</p>`
      }
      ${this.renderList()}
      <h2>${t('backups.schedule')}</h2>
      <p class="muted">${t('backups.scheduleIntro')}</p>
      ${this.schedule?.nextRunAt ? html`<p data-testid="backups-next-run">${t('backups.nextRun', { at: formatDateTime(this.schedule.nextRunAt) })}</p>` : nothing}
      ${this.canWrite && this.form ? this.renderSchedule(this.form) : nothing}`;
  }

  private progressOf(b: Backup) {
    if (b.state !== 'running' && b.verifyState !== 'running') return nothing;
    const pct = b.progressTotal > 0 ? Math.floor((b.progressDone / b.progressTotal) * 100) : 0;
    const phase = b.phase ? t(`backups.phase.${b.phase}` as MessageKey) : '';
    return html`<br /><progress data-testid="backup-progress" max="100" value=${pct}></progress>
      <small>${t('backups.progress', { pct, phase })}</small>`;
  }

  private renderList() {
    if (this.backups.length === 0) return html`<p class="muted" data-testid="backups-empty">${t('backups.none')}</p>`;
    return html`<div class="table-wrap">
      <table data-testid="backups-table">
        <thead>
          <tr>
            <th>${t('backups.col.made')}</th>
            <th>${t('backups.col.trigger')}</th>
            <th>${t('backups.col.state')}</th>
            <th>${t('backups.col.size')}</th>
            <th>${t('backups.col.verify')}</th>
            <th><span class="visually-hidden">${t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.backups.map(
            (b) =>
              html`<tr data-backup=${b.id} data-state=${b.state}>
                <td>
                  ${formatDateTime(b.finishedAt ?? b.startedAt ?? b.requestedAt)}${b.fileName ? html`<br /><small class="muted">${b.fileName}</small>` : nothing}${b.remote ? html`<br /><small class="muted" data-testid="backup-remote">${t('backups.onSftp', { where: `${b.remote}${b.targetDir ?? ''}` })}</small>` : nothing}
                </td>
                <td>${t(`backups.trigger.${b.trigger}` as MessageKey)}</td>
                <td>
                  <span class="state" data-state=${b.state}>${t(`backups.state.${b.state}` as MessageKey)}</span
                  >${b.state === 'failed' && b.errorMessage ? html`<br /><small title=${b.errorCode ?? ''}>${b.errorMessage}</small>` : nothing}${this.progressOf(b)}
                </td>
                <td>${b.bytes !== null ? t('backups.mb', { n: formatNumber(b.bytes / 1024 / 1024, 1) }) : '—'}</td>
                <td>
                  <span class="verify" data-testid="backup-verify-state" data-verify=${b.verifyState ?? 'none'}
                    >${t(`backups.verify.${b.verifyState ?? 'none'}` as MessageKey)}</span
                  >${b.verifiedAt ? html`<br /><small>${formatDateTime(b.verifiedAt)}</small>` : nothing}${b.verifyState === 'failed' && b.verifyError ? html`<br /><small>${b.verifyError}</small>` : nothing}
                </td>
                <td>
                  <div class="row">
                    ${
                      this.canWrite && b.state === 'ok'
                        ? html`<button
                              type="button"
                              class="secondary"
                              data-testid="verify-${b.id}"
                              ?disabled=${b.verifyState === 'queued' || b.verifyState === 'running'}
                              @click=${() => this.verify(b)}
                            >
                              ${t('backups.verifyNow')}
                            </button>
                            ${b.downloadUrl ? html`<a class="button secondary" data-testid="download-${b.id}" href=${b.downloadUrl} download=${b.fileName ?? ''}>${t('backups.download')}</a>` : nothing}`
                        : nothing
                    }
                  </div>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderSchedule(f: ScheduleInput) {
    const set = (patch: Partial<ScheduleInput>) => (this.form = { ...f, ...patch });
    const num = (id: 'keepDaily' | 'keepWeekly', max: number) =>
      html`<div class="field">
        <label for=${id}>${t(`backups.${id}` as MessageKey)}</label>
        <input
          id=${id}
          type="number"
          min="0"
          max=${max}
          .value=${String(f[id])}
          aria-describedby="${id}-error"
          @input=${(e: Event) => set({ [id]: Number((e.target as HTMLInputElement).value) })}
        />
        <span class="field-error" id="${id}-error" data-field=${id}>${this.errors[id] ?? ''}</span>
      </div>`;
    return html`<form @submit=${this.save} novalidate data-testid="schedule-form">
      <div class="field">
        <label
          ><input
            id="enabled"
            type="checkbox"
            .checked=${f.enabled}
            @change=${(e: Event) => set({ enabled: (e.target as HTMLInputElement).checked })}
          />
          ${t('backups.enabled')}</label
        >
        <span class="field-error" data-field="enabled">${this.errors.enabled ?? ''}</span>
      </div>
      <div class="grid">
        <div class="field">
          <label for="frequency">${t('backups.frequency')}</label>
          <select
            id="frequency"
            @change=${(e: Event) => set({ frequency: (e.target as HTMLSelectElement).value as ScheduleInput['frequency'] })}
          >
            <option value="daily" ?selected=${f.frequency === 'daily'}>${t('backups.frequency.daily')}</option>
            <option value="weekly" ?selected=${f.frequency === 'weekly'}>${t('backups.frequency.weekly')}</option>
          </select>
        </div>
        ${textField({ id: 'time', label: t('backups.time'), value: f.time, maxlength: 5, error: this.errors.time, onInput: (v) => set({ time: v }) })}
        ${
          f.frequency === 'weekly'
            ? html`<div class="field">
                <label for="weekday">${t('backups.weekday')}</label>
                <select id="weekday" @change=${(e: Event) => set({ weekday: Number((e.target as HTMLSelectElement).value) })}>
                  ${[1, 2, 3, 4, 5, 6, 0].map((d) => html`<option value=${d} ?selected=${f.weekday === d}>${t(`backups.weekday.${d}` as MessageKey)}</option>`)}
                </select>
              </div>`
            : nothing
        }
        ${num('keepDaily', 366)} ${num('keepWeekly', 520)}
      </div>
      <div class="field">
        <label for="target">${t('backups.target')}</label>
        <select id="target" @change=${(e: Event) => set({ target: (e.target as HTMLSelectElement).value as 'local' | 'sftp' })}>
          <option value="local" ?selected=${f.target !== 'sftp'}>${t('backups.target.local')}</option>
          <option value="sftp" ?selected=${f.target === 'sftp'}>${t('backups.target.sftp')}</option>
        </select>
      </div>
      ${
        f.target === 'sftp'
          ? renderSftpFields({
              form: this.sftp,
              view: this.schedule?.sftp ?? null,
              errors: this.errors,
              fetching: this.fetching,
              set: (patch) => {
                this.sftp = { ...this.sftp, ...patch };
                if (patch.hostKey) this.errors = { ...this.errors, 'sftp-host-key': '' };
              },
              fetch: () => void this.fetchKey(),
            })
          : textField({ id: 'targetDir', label: t('backups.targetDir'), value: f.targetDir, error: this.errors.targetDir, hint: t('backups.targetDirHint', { dir: this.schedule?.defaultTargetDir ?? '' }), onInput: (v) => set({ targetDir: v }) })
      }
      ${textField({
        id: 'passphrase',
        label: t('backups.passphrase'),
        type: 'password',
        autocomplete: 'new-password',
        value: f.passphrase ?? '',
        error: this.errors.passphrase,
        hint: this.schedule?.passphraseSet ? t('backups.passphraseSet') : t('backups.passphraseHint'),
        onInput: (v) => set({ passphrase: v }),
      })}
      <button type="submit">${t('backups.save')}</button>
    </form>`;
  }

  private async runNow() {
    this.error = '';
    this.notice = '';
    try {
      const { backup } = await runBackup(this.api);
      this.notice = t('backups.queued', { id: backup.id });
    } catch (e) {
      this.error = formErrorOf(e);
    }
    await this.load();
  }

  private async verify(b: Backup) {
    this.error = '';
    try {
      await verifyBackup(this.api, b.id);
    } catch (e) {
      this.error = formErrorOf(e);
    }
    await this.load();
  }

  private async fetchKey() {
    this.error = '';
    this.fetching = true;
    try {
      const k = await fetchHostKey(this.api, this.sftp.host.trim(), Number(this.sftp.port) || 22);
      this.sftp = { ...this.sftp, fetched: { hostKey: k.hostKey, fingerprint: k.fingerprint } };
    } catch (e) {
      this.errors = fieldErrorsOf(e, { host: 'sftp-host', port: 'sftp-port' });
      if (!Object.keys(this.errors).length) this.error = formErrorOf(e);
    } finally {
      this.fetching = false;
    }
  }

  private async save(e: Event) {
    e.preventDefault();
    if (!this.form) return;
    this.error = '';
    this.notice = '';
    const { passphrase, ...rest } = this.form;
    // The server says the same in English; these are the mistakes a person makes.
    const errors: FieldErrors = {};
    if (passphrase && passphrase.length < 8) errors.passphrase = t('backups.errPassphrase');
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(rest.time.trim())) errors.time = t('backups.errTime');
    const s = this.sftp;
    if (rest.target === 'sftp' && !s.hostKey) errors['sftp-host-key'] = t('backups.sftp.errHostKey');
    this.errors = errors;
    if (Object.keys(errors).length) return;
    const sftp =
      rest.target === 'sftp'
        ? { host: s.host.trim(), port: Number(s.port), username: s.username.trim(), dir: s.dir.trim(), hostKey: s.hostKey, ...(s.privateKey.trim() ? { privateKey: s.privateKey } : {}) }
        : undefined;
    try {
      const r = await saveSchedule(this.api, { ...rest, time: rest.time.trim(), ...(passphrase ? { passphrase } : {}), ...(sftp ? { sftp } : {}) });
      this.errors = {};
      this.schedule = r.schedule;
      this.form = this.formOf(r.schedule);
      this.sftp = sftpFormOf(r.schedule.sftp);
      this.notice = t('backups.saved');
    } catch (err) {
      const fields = fieldErrorsOf(err, sftpFieldMap);
      this.errors = fields;
      if (!Object.keys(fields).length) this.error = formErrorOf(err);
    }
  }
}
