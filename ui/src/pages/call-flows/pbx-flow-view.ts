// Where a number's calls go, drawn as nested boxes (the api's tree: each
// edge labelled by the key, branch or field that leads there), and the dry
// run: "a call to 8 495 … at 21:00 on Saturday goes …".
import { html, css, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PbxElement } from '../../app/pbx-element';
import { textField } from '../../components/form-field';
import { fieldErrorsOf, formErrorOf, type FieldErrors } from '../../components/field-errors';
import type { Api } from '../../data/api';
import { dryRun, viewNumber, type DryRunResult, type FlowNode } from '../../data/call-flows';
import { t, type MessageKey } from '../../i18n';
import { shared } from '../../styles/shared';

@customElement('pbx-flow-view')
export class PbxFlowView extends PbxElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) numbers: string[] = [];
  @state() private number = '';
  @state() private tree: FlowNode | null = null;
  @state() private error = '';
  @state() private q = { number: '', caller: '', at: '', keys: '' };
  @state() private result: DryRunResult | null = null;
  @state() private runErrors: FieldErrors = {};
  @state() private runError = '';

  static override styles = [
    shared,
    css`
      .tree ul {
        list-style: none;
        margin: 0.25rem 0 0.25rem 1.25rem;
        padding-left: 0.75rem;
        border-left: 2px solid var(--border, #ccc);
      }
      .node {
        display: inline-block;
        border: 1px solid var(--border, #ccc);
        border-radius: 0.4rem;
        padding: 0.2rem 0.5rem;
        margin: 0.15rem 0;
      }
      .node.missing {
        border-color: var(--danger, #b00020);
      }
      .edge {
        font-size: 0.85em;
        margin-right: 0.4rem;
        opacity: 0.8;
      }
      .kind {
        font-size: 0.8em;
        opacity: 0.75;
        margin-right: 0.3rem;
      }
    `,
  ];

  override render() {
    return html`<form class="row" @submit=${this.show} novalidate data-testid="view-form">
        <div class="field"><label for="view-number">${t('flows.view.number')}</label>
          <input id="view-number" list="view-numbers" .value=${this.number} @input=${(e: Event) => (this.number = (e.target as HTMLInputElement).value)} />
          <datalist id="view-numbers">${this.numbers.map((n) => html`<option value=${n}></option>`)}</datalist></div>
        <div class="field"><button type="submit" data-testid="view-show">${t('flows.view.show')}</button></div>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.tree ? html`<div class="tree" data-testid="flow-tree"><ul>${this.node(this.tree)}</ul></div>` : nothing}
      <h2>${t('flows.run.title')}</h2>
      <form class="row" @submit=${this.run} novalidate data-testid="dry-run-form">
        ${textField({ id: 'run-number', label: t('flows.view.number'), value: this.q.number, error: this.runErrors.number, onInput: (v) => (this.q = { ...this.q, number: v }) })}
        ${textField({ id: 'run-caller', label: t('flows.run.caller'), value: this.q.caller, error: this.runErrors.caller, hint: t('flows.run.callerHint'), onInput: (v) => (this.q = { ...this.q, caller: v }) })}
        ${textField({ id: 'run-at', label: t('flows.run.at'), type: 'datetime-local', value: this.q.at, error: this.runErrors.at, onInput: (v) => (this.q = { ...this.q, at: v }) })}
        ${textField({ id: 'run-keys', label: t('flows.run.keys'), value: this.q.keys, error: this.runErrors.keys, hint: t('flows.run.keysHint'), onInput: (v) => (this.q = { ...this.q, keys: v }) })}
        <div class="field"><button type="submit" data-testid="run">${t('flows.run.submit')}</button></div>
      </form>
      ${this.runError ? html`<p class="error" role="alert">${this.runError}</p>` : nothing}
      ${this.result ? this.renderResult(this.result) : nothing}`;
  }

  private node(n: FlowNode, edge?: string): TemplateResult {
    return html`<li data-kind=${n.kind}>
      ${edge ? html`<span class="edge">${edge} →</span>` : nothing}
      <span class="node ${n.missing ? 'missing' : ''}" data-testid="node-${n.kind}"><span class="kind">${t(`flows.node.${n.kind}` as MessageKey)}</span>${n.name}${n.detail ? html` <span class="muted">(${n.detail})</span>` : nothing}${n.ref ? html` <span class="muted">${t('flows.view.above')}</span>` : nothing}${n.missing ? html` <span class="error">${t('flows.view.missing')}</span>` : nothing}</span>
      ${n.children.length ? html`<ul>${n.children.map((c) => this.node(c.node, this.edgeLabel(c.label)))}</ul>` : nothing}
    </li>`;
  }

  private edgeLabel(label: string): string {
    const key = `flows.edge.${label}` as MessageKey;
    const text = t(key);
    return text === key ? label : text;
  }

  private renderResult(r: DryRunResult) {
    return html`<ol data-testid="dry-run-path" data-outcome=${r.outcome}>${r.path.map(
      (s) => html`<li data-kind=${s.kind}>${t(`flows.node.${s.kind}` as MessageKey)}${s.name ? ` «${s.name}»` : ''}${s.state ? ` — ${this.stateText(s.state)}` : ''}<div class="muted">${s.detail}</div></li>`,
    )}</ol>
      <p data-testid="dry-run-outcome">${t('flows.run.outcome')}: ${t(`flows.outcome.${r.outcome}` as MessageKey)}</p>`;
  }

  private stateText(s: string): string {
    const key = `flows.state.${s}` as MessageKey;
    const text = t(key);
    return text === key ? s : text;
  }

  private async show(e: Event) {
    e.preventDefault();
    try {
      this.tree = await viewNumber(this.api, this.number.trim());
      this.error = '';
    } catch (err) {
      this.tree = null;
      this.error = formErrorOf(err);
    }
  }

  private async run(e: Event) {
    e.preventDefault();
    try {
      const at = this.q.at ? new Date(this.q.at).toISOString() : undefined;
      const keys = this.q.keys.split(/[\s,]+/).filter(Boolean);
      this.result = await dryRun(this.api, { number: this.q.number, ...(this.q.caller ? { caller: this.q.caller } : {}), ...(at ? { at } : {}), ...(keys.length ? { keys } : {}) });
      this.runErrors = {};
      this.runError = '';
    } catch (err) {
      this.result = null;
      this.runErrors = fieldErrorsOf(err);
      this.runError = formErrorOf(err);
    }
  }
}
