// A call's forwards, transfers and call-flow path on the call-history page:
// the small markers in its row and the detail list, in time order, each hop
// with its time and its reason or kind in words from the catalogue; the path
// (migration 0095) as steps in words, and who answered beside the number.
import { html, nothing } from 'lit';
import type { Cdr } from '../../data/cdrs';
import { formatDateTime, t, type MessageKey } from '../../i18n';

type Hop = { at: string; text: string };

/**
 * The number of the party that made each transfer: the callee is the last
 * forward's target, and a transfer puts its target in the place of the
 * party that made it (as the CSV export does).
 */
function transferHops(c: Cdr): Hop[] {
  const party = { caller: c.caller, callee: c.forwards.at(-1)?.to ?? c.callee };
  return c.transfers.map((x) => {
    const text = t('calls.xferHop', { kind: t(`calls.xfer.${x.kind}` as MessageKey), from: party[x.by], to: x.to });
    party[x.by] = x.to;
    return { at: x.at, text };
  });
}

export function hopsOf(c: Cdr): Hop[] {
  const forwards = c.forwards.map((f) => ({
    at: f.at,
    text: t('calls.fwdHop', { from: f.from, to: f.to, reason: t(`calls.fwd.${f.reason}` as MessageKey) }),
  }));
  // Forwards happen before the answer and transfers after it; sorting keeps that order on equal times.
  return [...forwards, ...transferHops(c)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The call went through call flows (a notice, a list, a feature), not only straight to a phone or a number. */
export const viaFlow = (c: Cdr) => c.path.some((p) => /^(notice|list|feature):/.test(p));

export const hasHops = (c: Cdr) => c.forwards.length > 0 || c.transfers.length > 0 || viaFlow(c);

/** One step of the path in words: `feature:ivr:2` → "IVR menu #2", `list:block:3` → "block list #3" (in the language chosen). */
export function pathStep(step: string): string {
  const [kind = '', a = '', b = ''] = step.split(':');
  if (kind === 'notice') return t('calls.path.notice');
  if (kind === 'list') return t(a === 'allow' ? 'calls.path.list-allow' : 'calls.path.list-block', { id: b });
  if (kind === 'feature' && ['ivr', 'ring-group', 'schedule', 'announcement'].includes(a))
    return t(`calls.path.${a}` as MessageKey, { id: b });
  if (['extension', 'external', 'refuse', 'hangup'].includes(kind)) return t(`calls.path.${kind}` as MessageKey, { id: a });
  return t('calls.path.other', { id: step });
}

/** Who took the call, beside the called number when it is someone else (a group's member). */
export function answeredBy(c: Cdr) {
  return c.answeredBy && c.answeredBy !== c.callee
    ? html` <span class="muted" data-testid="answered-by">(${t('calls.answeredBy', { who: c.answeredBy })})</span>`
    : nothing;
}

/** ↪ for a forwarded call, ⇄ for a transferred one, on a button that opens the detail. */
export function hopsMarker(c: Cdr, open: boolean, toggle: () => void) {
  if (!hasHops(c)) return nothing;
  return html`<button
    type="button"
    class="hops"
    data-testid="call-hops-toggle"
    aria-expanded=${open ? 'true' : 'false'}
    title=${t('calls.hopsShow')}
    aria-label=${t('calls.hopsShow')}
    @click=${toggle}
  >
    ${viaFlow(c) ? html`<span title=${t('calls.pathShow')}>⤳</span>` : nothing}${c.forwards.length > 0 ? html`<span title=${t('calls.forwarded')}>↪</span>` : nothing}${c.transfers.length > 0 ? html`<span title=${t('calls.transferred')}>⇄</span>` : nothing}
  </button>`;
}

export function hopsDetail(c: Cdr, columns: number) {
  return html`<tr class="hops-detail">
    <td colspan=${columns}>
      ${viaFlow(c) ? html`<p data-testid="call-path"><strong>${t('calls.pathTitle')}:</strong> ${c.path.map(pathStep).join(' → ')}</p>` : nothing}
      ${
        hopsOf(c).length > 0
          ? html`<strong>${t('calls.hopsTitle')}</strong>
              <ol data-testid="call-hops">
                ${hopsOf(c).map((h) => html`<li><time datetime=${h.at}>${formatDateTime(h.at)}</time> — ${h.text}</li>`)}
              </ol>`
          : nothing
      }
    </td>
  </tr>`;
}
