// The personal fields of a CDR row (issue 15) through the store's
// PdFieldCipher (pd-fields.ts): both parties' numbers and dialled strings,
// the answerer, and the targets of forwards and transfers, each sealed under
// the key of the person it names, with the row (call id) and column in the
// associated data. Shared by the writer (cdrs.ts) and the readers
// (cdr-search.ts, pd-requests.ts, mail.ts).
import { isSealed, SEALED_PREFIX, type PdFieldsSlot } from './pd-fields';

export const CDR_TABLE = 'cdrs';

const ref = (tenantId: number, callId: string, field: string) => ({ table: CDR_TABLE, tenantId, rowId: callId, field });

type Hop = Record<string, unknown>;

/** A forwards or transfers JSON text with each named hop field sealed (seal) or opened (open); text that is not an array of objects is left as it is. */
export function mapHops(text: string, fields: readonly string[], fn: (value: string, field: string) => string): string {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return text;
  }
  if (!Array.isArray(list)) return text;
  return JSON.stringify(
    list.map((h: unknown) => {
      if (typeof h !== 'object' || h === null || Array.isArray(h)) return h;
      const out: Hop = { ...(h as Hop) };
      for (const f of fields) if (typeof out[f] === 'string') out[f] = fn(out[f], f);
      return out;
    }),
  );
}

const HOP_FIELDS = { transfers: ['to'], forwards: ['from', 'to'] } as const;

/**
 * The call-flow path (migration 0095): steps like `extension:304` or
 * `external:+79161234567`; the value after the last `:` is sealed when it
 * names a person, the step's kind stays readable.
 */
export function mapPath(text: string, fn: (value: string, index: number) => string): string {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return text;
  }
  if (!Array.isArray(list)) return text;
  return JSON.stringify(
    list.map((step: unknown, i) => {
      if (typeof step !== 'string') return step;
      const at = step.includes(SEALED_PREFIX) ? step.indexOf(SEALED_PREFIX) : step.lastIndexOf(':') + 1;
      return step.slice(0, at) + fn(step.slice(at), i);
    }),
  );
}

/** Seals the personal columns of the bound parameters of one CDR row (named as in cdrs.ts). */
export function sealCdrParams(slot: PdFieldsSlot, p: Record<string, unknown>): Record<string, unknown> {
  const tenantId = p.tenant_id as number;
  const callId = p.call_id as string;
  const out = { ...p };
  for (const side of ['caller', 'callee'] as const) {
    const number = p[`${side}_number`] as string;
    const dialled = p[`${side}_dialled`] as string;
    const subjectOf = number || dialled;
    out[`${side}_number`] = slot.seal(number, ref(tenantId, callId, `${side}_number`), subjectOf);
    out[`${side}_dialled`] = slot.seal(dialled, ref(tenantId, callId, `${side}_dialled`), subjectOf);
    out[`${side}_bidx`] = slot.numberIndex(tenantId, number) ?? slot.numberIndex(tenantId, dialled);
  }
  const answeredBy = p.answered_by as string | null;
  const sealed = answeredBy === null ? null : slot.seal(answeredBy, ref(tenantId, callId, 'answered_by'));
  out.answered_by = isSealed(sealed) ? null : sealed;
  out.answered_by_sealed = isSealed(sealed) ? sealed : null;
  if (typeof p.path === 'string') out.path = mapPath(p.path, (v, i) => slot.seal(v, ref(tenantId, callId, `path.${i}`)));
  for (const col of ['transfers', 'forwards'] as const)
    if (typeof p[col] === 'string') out[col] = mapHops(p[col], HOP_FIELDS[col], (v, f) => slot.seal(v, ref(tenantId, callId, `${col}.${f}`)));
  return out;
}

/** The plain values of a stored CDR row's personal columns (snake_case names as stored). */
export function openCdrColumns<R extends object>(slot: PdFieldsSlot, row: R, names: { tenantId: keyof R & string; callId: keyof R & string; columns: Partial<Record<keyof R & string, string>> }): R {
  const r = row as Record<string, unknown>;
  const tenantId = r[names.tenantId] as number;
  const callId = r[names.callId] as string;
  const out: Record<string, unknown> = { ...r };
  for (const [key, field] of Object.entries(names.columns) as Array<[string, string]>) {
    const v = r[key];
    if (typeof v !== 'string' || !v.includes(SEALED_PREFIX)) continue;
    if (field === 'path') out[key] = mapPath(v, (x, i) => slot.open(x, ref(tenantId, callId, `path.${i}`)));
    else if (field === 'transfers' || field === 'forwards') out[key] = mapHops(v, HOP_FIELDS[field], (x, f) => slot.open(x, ref(tenantId, callId, `${field}.${f}`)));
    else out[key] = slot.open(v, ref(tenantId, callId, field));
  }
  return out as R;
}
