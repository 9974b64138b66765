// SIM inventory rules. Under 533-FZ (and PP No. 844) a corporate SIM's user
// — a SIM inside a device included — must be registered in ESIA, or the
// operator switches it off; draft SIM-box rules tie a gateway's use to an
// operator contract (russian-market.md §0.6). So each SIM records who uses
// it, whether that user is registered, the contract, and where it sits.
import { parseIccid } from './iccid';
import { parseMsisdn } from './numbers';
import type { FieldProblem } from './templates';

export const simOperators = ['mts', 'megafon', 'beeline', 't2', 'yota', 'mcn', 'other'] as const;
export type SimOperator = (typeof simOperators)[number];
export const simStates = ['active', 'spare', 'blocked', 'retired'] as const;
export type SimState = (typeof simStates)[number];

/** A SIM as an admin or a CSV row gives it; references by name/number, resolved by the caller. */
export interface SimFields {
  iccid: string;
  msisdn: string;
  operator: SimOperator;
  state: SimState;
  /** 533-FZ: the SIM's user is registered with the operator (ESIA). */
  userRegistered: boolean;
  contract: string;
  /** Minutes per calendar month through this SIM; 0 = no limit. */
  monthlyMinuteLimit: number;
}

const YES = /^(1|yes|true|да|y|д)$/i;
const NO = /^(0|no|false|нет|n|н|)$/i;

export function parseBool(raw: string): boolean | null {
  const s = raw.trim();
  return YES.test(s) ? true : NO.test(s) ? false : null;
}

/** Operator names as people write them in Russian and English. */
export function parseOperator(raw: string): SimOperator | null {
  const s = raw.trim().toLowerCase().replace(/[\s«»"']/g, '');
  const aliases: Record<string, SimOperator> = { мтс: 'mts', мегафон: 'megafon', билайн: 'beeline', вымпелком: 'beeline', т2: 't2', tele2: 't2', теле2: 't2', йота: 'yota', мсн: 'mcn', мкн: 'mcn', другой: 'other' };
  if ((simOperators as readonly string[]).includes(s)) return s as SimOperator;
  return aliases[s] ?? null;
}

/** Checks what a SIM carries by itself (not bindings: those need the store); every problem names its field. */
export function simProblems(f: { iccid: string; msisdn: string; contract?: string; monthlyMinuteLimit?: number }, prefix = ''): { problems: FieldProblem[]; iccid?: string; msisdn?: string } {
  const problems: FieldProblem[] = [];
  const i = parseIccid(f.iccid);
  const m = parseMsisdn(f.msisdn);
  if (!i.ok) problems.push({ field: `${prefix}iccid`, message: i.message });
  if (!m.ok) problems.push({ field: `${prefix}msisdn`, message: m.message });
  if (f.contract !== undefined && f.contract.length > 128) problems.push({ field: `${prefix}contract`, message: 'at most 128 characters' });
  if (f.monthlyMinuteLimit !== undefined && (!Number.isInteger(f.monthlyMinuteLimit) || f.monthlyMinuteLimit < 0 || f.monthlyMinuteLimit > 100_000))
    problems.push({ field: `${prefix}monthlyMinuteLimit`, message: 'must be 0 (no limit) to 100000 minutes' });
  return { problems, ...(i.ok ? { iccid: i.iccid } : {}), ...(m.ok ? { msisdn: m.e164 } : {}) };
}
