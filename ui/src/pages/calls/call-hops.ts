// A call's forwards and transfers on the call-history page: the small
// markers in its row and the detail list, in time order, each hop with its
// time and its reason or kind in words from the catalogue.
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
  const forwards = c.forwards.map((f) => ({ at: f.at, text: t('calls.fwdHop', { from: f.from, to: f.to, reason: t(`calls.fwd.${f.reason}` as MessageKey) }) }));
  // Forwards happen before the answer and transfers after it; sorting keeps that order on equal times.
  return [...forwards, ...transferHops(c)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export const hasHops = (c: Cdr) => c.forwards.length > 0 || c.transfers.length > 0;

/** ↪ for a forwarded call, ⇄ for a transferred one, on a button that opens the detail. */
export function hopsMarker(c: Cdr, open: boolean, toggle: () => void) {
  if (!hasHops(c)) return nothing;
  return html`<button type="button" class="hops" data-testid="call-hops-toggle" aria-expanded=${open ? 'true' : 'false'} title=${t('calls.hopsShow')} aria-label=${t('calls.hopsShow')} @click=${toggle}>
    ${c.forwards.length > 0 ? html`<span title=${t('calls.forwarded')}>↪</span>` : nothing}${c.transfers.length > 0 ? html`<span title=${t('calls.transferred')}>⇄</span>` : nothing}
  </button>`;
}

export function hopsDetail(c: Cdr, columns: number) {
  return html`<tr class="hops-detail">
    <td colspan=${columns}>
      <strong>${t('calls.hopsTitle')}</strong>
      <ol data-testid="call-hops">
        ${hopsOf(c).map((h) => html`<li><time datetime=${h.at}>${formatDateTime(h.at)}</time> — ${h.text}</li>`)}
      </ol>
    </td>
  </tr>`;
}
