// Outbound routes and the numbering plan. The ordered route list is edited
// here and saved whole (the api replaces it at once, or names every
// problem beside its field and keeps the old list); trunks are stored by
// id so a renamed trunk stays in its routes.
import { html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { formErrorOf, type FieldErrors } from '../../components/field-errors';
import '../../components/pbx-no-access';
import { isApiError, type Api } from '../../data/api';
import { getDialPlan, saveNumbering, saveRoutes } from '../../data/dialplan';
import { listTrunks, type Trunk } from '../../data/trunks';
import type { Tenant, User } from '../../data/types';
import { t } from '../../i18n';
import { shared } from '../../styles/shared';
import './pbx-dial-test';
import { emptyRoute, numberingDraftOf, numberingErrors, numberingInputOf, routeDraftOf, routeErrors, routeInputOf, type NumberingDraft, type RouteDraft } from './route-draft';
import { routeFieldErrors } from './route-server-text';

@customElement('pbx-routes-page')
export class PbxRoutesPage extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) me!: User;
  @property({ attribute: false }) tenant: Tenant | null = null;
  @state() private routes: RouteDraft[] = [];
  @state() private numbering: NumberingDraft | null = null;
  /** The tenant's trunks; empty for readers, who may not list them (routes then show the stored reference). */
  @state() private trunks: Trunk[] = [];
  @state() private forbidden = false;
  @state() private error = '';
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private saved = '';
  @state() private numErrors: FieldErrors = {};
  @state() private numError = '';
  @state() private numSaved = '';

  static override styles = [
    shared,
    css`
      .route {
        border: 1px solid var(--border, #ccc);
        border-radius: 0.5rem;
        padding: 0.75rem 1rem;
        margin-bottom: 1rem;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0 1rem;
      }
      textarea {
        font-family: monospace;
        min-height: 4.5rem;
      }
      .trunk-list li {
        margin: 0.25rem 0;
      }
    `,
  ];

  private get canWrite(): boolean {
    return this.me.role === 'superadmin' || this.me.role === 'tenant-admin';
  }

  private get needTenant(): boolean {
    return this.me.role !== 'tenant-admin' && this.me.tenantId === null && !this.tenant;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** The tenant the page shows; the app hands a new Tenant object on every refresh of its list, so ids are compared. */
  private loadedFor: number | null | undefined;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('tenant') && this.loadedFor !== undefined && (this.tenant?.id ?? null) !== this.loadedFor) void this.load();
  }

  private async load() {
    this.loadedFor = this.tenant?.id ?? null;
    this.numbering = null;
    this.errors = {};
    this.formError = '';
    if (this.needTenant) return;
    try {
      const plan = await getDialPlan(this.api);
      this.routes = plan.routes.map(routeDraftOf);
      this.numbering = numberingDraftOf(plan.numbering);
      this.error = '';
    } catch (e) {
      if (isApiError(e) && e.status === 403) this.forbidden = true;
      else this.error = formErrorOf(e);
      return;
    }
    if (this.canWrite) this.trunks = await listTrunks(this.api).catch(() => []);
  }

  private trunkLabel(ref: string): string {
    const byId = /^[1-9]\d*$/.test(ref) ? this.trunks.find((x) => x.id === Number(ref)) : undefined;
    return (byId ?? this.trunks.find((x) => x.name === ref))?.name ?? ref;
  }

  override render() {
    if (this.forbidden) return html`<pbx-no-access></pbx-no-access>`;
    return html`<h1>${t('routes.title')}</h1>
      ${this.needTenant ? html`<p class="notice">${t('routes.chooseTenant')}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.needTenant ? nothing : this.numbering ? this.renderBody(this.numbering) : html`<p class="muted">${t('app.loading')}</p>`}`;
  }

  /** Only once the plan has arrived, so nothing typed is overwritten by the first answer. */
  private renderBody(numbering: NumberingDraft) {
    return html`<p class="muted">${t('routes.intro')}</p>
      <form @submit=${this.submitRoutes} novalidate data-testid="routes-form">
        ${this.routes.length === 0 ? html`<p class="muted" data-testid="routes-empty">${t('routes.none')}</p>` : nothing}
        ${this.routes.map((r, i) => this.renderRoute(r, i))}
        <div class="error" role="alert">${this.formError}</div>
        ${this.saved ? html`<p class="notice" role="status">${this.saved}</p>` : nothing}
        ${this.canWrite
          ? html`<div class="row">
              <button type="button" class="secondary" data-testid="add-route" @click=${() => this.setRoutes([...this.routes, emptyRoute()])}>${t('routes.add')}</button>
              <button type="submit" data-testid="save-routes">${t('routes.save')}</button>
            </div>`
          : nothing}
      </form>
      <h2>${t('routes.testTitle')}</h2>
      <pbx-dial-test .api=${this.api}></pbx-dial-test>
      <h2>${t('routes.numberingTitle')}</h2>
      ${this.renderNumbering(numbering)}`;
  }

  private renderRoute(r: RouteDraft, i: number) {
    const e = routeErrors(this.errors, i, (n, m) => t('routes.patternLine', { n, message: m }));
    const id = (f: string) => `route-${i}-${f}`;
    const set = (p: Partial<RouteDraft>) => this.setRoutes(this.routes.map((x, j) => (j === i ? { ...x, ...p } : x)));
    const free = this.trunks.filter((x) => !r.trunks.some((ref) => this.trunkLabel(ref) === x.name));
    const ro = !this.canWrite;
    return html`<fieldset class="route" data-testid="route-${i}" ?disabled=${ro}>
      <legend>${t('routes.routeN', { n: i + 1 })} ${r.name}</legend>
      <div class="grid">
        ${textField({ id: id('name'), label: t('routes.name'), value: r.name, error: e.name, onInput: (v) => set({ name: v }) })}
        <div class="field">
          <label><input type="checkbox" id=${id('enabled')} .checked=${r.enabled} @change=${(ev: Event) => set({ enabled: (ev.target as HTMLInputElement).checked })} /> ${t('routes.enabled')}</label>
        </div>
        <div class="field">
          <label for=${id('patterns')}>${t('routes.patterns')}</label>
          <textarea id=${id('patterns')} .value=${r.patterns} aria-invalid=${e.patterns ? 'true' : 'false'} aria-describedby="${id('patterns')}-hint ${id('patterns')}-error"
            @input=${(ev: Event) => set({ patterns: (ev.target as HTMLTextAreaElement).value })}></textarea>
          <span class="hint" id="${id('patterns')}-hint">${t('routes.patternsHint')}</span>
          <span class="field-error" id="${id('patterns')}-error" data-field=${id('patterns')}>${e.patterns ?? ''}</span>
        </div>
        ${textField({ id: id('strip'), label: t('routes.strip'), value: r.strip, error: e.strip, hint: t('routes.stripHint'), onInput: (v) => set({ strip: v }) })}
        ${textField({ id: id('prepend'), label: t('routes.prepend'), value: r.prepend, error: e.prepend, hint: t('routes.prependHint'), onInput: (v) => set({ prepend: v }) })}
        <div class="field">
          <label for=${id('trunk-add')}>${t('routes.trunks')}</label>
          <ol class="trunk-list" data-testid=${id('trunks')}>${r.trunks.map(
            (ref, k) => html`<li>${this.trunkLabel(ref)}
              ${ro ? nothing : html`<button type="button" class="secondary" aria-label=${t('routes.trunkUp', { name: this.trunkLabel(ref) })} ?disabled=${k === 0} @click=${() => set({ trunks: move(r.trunks, k, -1) })}>↑</button>
              <button type="button" class="secondary" aria-label=${t('common.remove')} @click=${() => set({ trunks: r.trunks.filter((_, m) => m !== k) })}>×</button>`}</li>`,
          )}</ol>
          ${ro ? nothing : html`<select id=${id('trunk-add')} @change=${(ev: Event) => {
            const sel = ev.target as HTMLSelectElement;
            if (sel.value) set({ trunks: [...r.trunks, sel.value] });
            sel.value = '';
          }}>
            <option value="">${t('routes.trunkAdd')}</option>
            ${free.map((x) => html`<option value=${String(x.id)}>${x.name}${x.enabled ? '' : ` (${t('routes.trunkOff')})`}</option>`)}
          </select>`}
          <span class="hint">${t('routes.trunksHint')}</span>
          <span class="field-error" data-field=${id('trunks')}>${e.trunks ?? ''}</span>
        </div>
      </div>
      ${ro ? nothing : html`<div class="row">
        <button type="button" class="secondary" data-testid="route-${i}-up" ?disabled=${i === 0} @click=${() => this.setRoutes(move(this.routes, i, -1))}>${t('routes.up')}</button>
        <button type="button" class="secondary" data-testid="route-${i}-down" ?disabled=${i === this.routes.length - 1} @click=${() => this.setRoutes(move(this.routes, i, 1))}>${t('routes.down')}</button>
        <button type="button" class="danger" @click=${() => this.setRoutes(this.routes.filter((_, j) => j !== i))}>${t('common.delete')}</button>
      </div>`}
    </fieldset>`;
  }

  private renderNumbering(d: NumberingDraft) {
    const e = numberingErrors(this.numErrors);
    const set = (p: Partial<NumberingDraft>) => {
      this.numbering = { ...d, ...p };
      this.numErrors = {};
      this.numError = '';
      this.numSaved = '';
    };
    return html`<form @submit=${this.submitNumbering} novalidate data-testid="numbering-form">
      <fieldset ?disabled=${!this.canWrite} class="grid">
        ${textField({ id: 'cityCode', label: t('routes.cityCode'), value: d.cityCode, error: e.cityCode, hint: t('routes.cityCodeHint'), onInput: (v) => set({ cityCode: v }) })}
        ${textField({ id: 'localAreaCodes', label: t('routes.localAreaCodes'), value: d.localAreaCodes, error: e.localAreaCodes, hint: t('routes.localAreaCodesHint'), onInput: (v) => set({ localAreaCodes: v }) })}
        ${textField({ id: 'extensionMinLength', label: t('routes.extMin'), value: d.extensionMinLength, error: e.extensionMinLength, onInput: (v) => set({ extensionMinLength: v }) })}
        ${textField({ id: 'extensionMaxLength', label: t('routes.extMax'), value: d.extensionMaxLength, error: e.extensionMaxLength, onInput: (v) => set({ extensionMaxLength: v }) })}
        <div class="field">
          <label for="outsideLinePrefix">${t('routes.outsideLine')}</label>
          <select id="outsideLinePrefix" @change=${(ev: Event) => set({ outsideLinePrefix: (ev.target as HTMLSelectElement).value as NumberingDraft['outsideLinePrefix'] })}>
            ${(['', '9', '0'] as const).map((p) => html`<option value=${p} ?selected=${d.outsideLinePrefix === p}>${p || t('routes.outsideLineNone')}</option>`)}
          </select>
          <span class="hint">${t('routes.outsideLineHint')}</span>
          <span class="field-error" data-field="outsideLinePrefix">${e.outsideLinePrefix ?? ''}</span>
        </div>
      </fieldset>
      <div class="error" role="alert">${this.numError}</div>
      ${this.numSaved ? html`<p class="notice" role="status">${this.numSaved}</p>` : nothing}
      ${this.canWrite ? html`<button type="submit" data-testid="save-numbering">${t('common.save')}</button>` : nothing}
    </form>`;
  }

  private setRoutes(routes: RouteDraft[]) {
    this.routes = routes;
    this.errors = {};
    this.formError = '';
    this.saved = '';
  }

  private async submitRoutes(e: Event) {
    e.preventDefault();
    try {
      this.routes = (await saveRoutes(this.api, this.routes.map(routeInputOf))).map(routeDraftOf);
      this.errors = {};
      this.formError = '';
      this.saved = t('routes.saved');
    } catch (err) {
      this.errors = routeFieldErrors(err);
      this.formError = formErrorOf(err);
    }
  }

  private async submitNumbering(e: Event) {
    e.preventDefault();
    if (!this.numbering) return;
    try {
      this.numbering = numberingDraftOf(await saveNumbering(this.api, numberingInputOf(this.numbering)));
      this.numSaved = t('routes.numberingSaved');
    } catch (err) {
      this.numErrors = routeFieldErrors(err);
      this.numError = formErrorOf(err);
    }
  }
}

/** The list with item `i` swapped with its neighbour `by` places away (±1). */
function move<T>(list: readonly T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return [...list];
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}
