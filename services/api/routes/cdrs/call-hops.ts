// Readable one-cell summaries of a call's forwards and transfers for the CSV
// export, e.g. `201→305 (no answer); 305→+74951234567 (busy)`. Words are
// English like the CSV header: the export has no reader language.
import type { CdrForward, CdrRow, CdrTransfer } from '../../../store';

const REASON: Record<CdrForward['reason'], string> = { always: 'unconditional', busy: 'busy', 'no-answer': 'no answer', unreachable: 'unreachable' };
const KIND: Record<CdrTransfer['kind'], string> = { blind: 'blind transfer', attended: 'attended transfer' };

export const forwardsSummary = (r: Pick<CdrRow, 'forwards'>): string => r.forwards.map((f) => `${f.from}→${f.to} (${REASON[f.reason]})`).join('; ');

/**
 * `by` is the party that sent the REFER. Its number is followed through the
 * call: the callee is the last forward's target, and a transfer puts its
 * target in the place of the party that made it.
 */
export function transfersSummary(r: Pick<CdrRow, 'transfers' | 'forwards' | 'caller' | 'callee'>): string {
  const party = { caller: r.caller, callee: r.forwards.at(-1)?.to ?? r.callee };
  return r.transfers
    .map((t) => {
      const text = `${party[t.by]}→${t.to} (${KIND[t.kind]})`;
      party[t.by] = t.to;
      return text;
    })
    .join('; ');
}
