// Mobile number ranges per operator for least-cost routing (issue 14). The
// source of truth is the registry of the Russian numbering plan that the
// Ministry of Digital Development publishes (formerly on rossvyaz.ru):
// https://opendata.digital.gov.ru/downloads/DEF-9xx.csv, one line per block,
// `АВС/ DEF;От;До;Емкость;Оператор;Регион[;…]`, a 3-digit DEF code and a
// 7-digit first and last number. Numbers ported between operators (MNP) keep
// their range here: LCR then picks a SIM of the wrong operator, which costs
// money, not the call. Pure: a parsed CSV in, ranges and per-row problems out.
import type { FieldProblem } from './templates';
import type { SimOperator } from './sims';

export interface ParsedRange {
  first: number;
  last: number;
  operator: SimOperator;
  operatorName: string;
  region: string;
}

/** The registry's legal names (and common short ones) → our operator codes; anyone else is 'other'. */
const OPERATOR_NAMES: Array<[RegExp, SimOperator]> = [
  [/мобильные\s*телесистемы|^мтс$|\bmts\b/i, 'mts'],
  [/мегафон|megafon/i, 'megafon'],
  [/вымпел-?\s*коммуникации|билайн|beeline/i, 'beeline'],
  [/т2\s*мобайл|tele2|теле2|^t2$|^т2$/i, 't2'],
  [/скартел|yota|йота/i, 'yota'],
  [/мсн\s*телеком|mcn/i, 'mcn'],
];

export function operatorOfName(name: string): SimOperator {
  const s = name.replace(/[«»"']/g, '').trim();
  for (const [re, op] of OPERATOR_NAMES) if (re.test(s)) return op;
  return 'other';
}

/** Header names as the registry writes them (`АВС/ DEF`, `От`, `До`, `Оператор`, `Регион`) or in English. */
const HEADERS: Record<'code' | 'from' | 'to' | 'operator' | 'region', RegExp> = {
  code: /^(ав?с\s*\/\s*def|abc\s*\/\s*def|def|code)$/i,
  from: /^(от|from)$/i,
  to: /^(до|to)$/i,
  operator: /^(оператор|operator)$/i,
  region: /^(регион|region)$/i,
};

export type RangeColumns = Record<keyof typeof HEADERS, number>;

/** Where each column is, from the header line; the missing ones named. */
export function rangeColumns(header: readonly string[]): { ok: true; columns: RangeColumns } | { ok: false; missing: string[] } {
  const norm = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const found = {} as RangeColumns;
  const missing: string[] = [];
  for (const [k, re] of Object.entries(HEADERS) as Array<[keyof RangeColumns, RegExp]>) {
    const i = norm.findIndex((h) => re.test(h));
    if (i < 0) missing.push(k);
    else found[k] = i;
  }
  return missing.length ? { ok: false, missing } : { ok: true, columns: found };
}

/** One registry line as a range of whole +7 numbers, or what is wrong with it (fields named). */
export function parseRange(fields: readonly string[], c: RangeColumns): { ok: true; range: ParsedRange } | { ok: false; problems: FieldProblem[] } {
  const get = (i: number) => (fields[i] ?? '').trim();
  const code = get(c.code);
  const from = get(c.from);
  const to = get(c.to);
  const operatorName = get(c.operator);
  const region = get(c.region);
  const problems: FieldProblem[] = [];
  if (!/^[3-9]\d{2}$/.test(code)) problems.push({ field: 'code', message: 'must be a 3-digit ABC/DEF code, first digit 3–9' });
  if (!/^\d{7}$/.test(from)) problems.push({ field: 'from', message: 'must be 7 digits' });
  if (!/^\d{7}$/.test(to)) problems.push({ field: 'to', message: 'must be 7 digits' });
  else if (/^\d{7}$/.test(from) && Number(to) < Number(from)) problems.push({ field: 'to', message: 'must not be below "from"' });
  if (operatorName === '' || operatorName.length > 256) problems.push({ field: 'operator', message: 'must be 1–256 characters' });
  if (region.length > 256) problems.push({ field: 'region', message: 'at most 256 characters' });
  if (problems.length) return { ok: false, problems };
  return { ok: true, range: { first: Number(`7${code}${from}`), last: Number(`7${code}${to}`), operator: operatorOfName(operatorName), operatorName, region } };
}

/** Ranges sorted by their first number; the first pair that overlaps, if any (a lookup takes the range starting last). */
export function firstOverlap(ranges: readonly ParsedRange[]): [ParsedRange, ParsedRange] | undefined {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.first <= sorted[i - 1]!.last) return [sorted[i - 1]!, sorted[i]!];
  return undefined;
}
