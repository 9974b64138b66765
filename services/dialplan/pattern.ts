// Asterisk-style dial patterns, the notation PBX administrators already know
// (Asterisk extensions.conf "Pattern matching"). The router matches them
// against the normalised number and its Russian dialling form
// (outbound-router.ts), so the `+` of E.164 is a literal character:
//   `_+7495XXXXXXX` or `_8495XXXXXXX`  Moscow     `_89XXXXXXXXX`  Russian mobiles
//   `_810X.` or `_+X.`  international             `112`           exactly 112
// Syntax: a leading `_` makes a pattern; without it the text must match
// exactly. X = 0–9, Z = 1–9, N = 2–9, [15-7] a set or range, `.` one or
// more further characters, `!` zero or more; digits, `+`, `*` and `#`
// stand for themselves. Patterns are compiled once to anchored RegExps.
import { AppError } from '../common/errors';

export interface CompiledPattern {
  source: string;
  regex: RegExp;
}

export const invalidPattern = (pattern: string, why: string): AppError =>
  new AppError(400, 'invalid-route-pattern', `pattern ${pattern.slice(0, 40)}: ${why}`, { pattern: pattern.slice(0, 40) });

const LITERAL = /^[0-9+*#]$/;
const MAX_PATTERN = 40;

function charClass(body: string, pattern: string): string {
  if (!/^[0-9-]+$/.test(body) || body.startsWith('-') || body.endsWith('-')) throw invalidPattern(pattern, `bad set [${body}]`);
  for (const m of body.matchAll(/(\d)-(\d)/g)) if (m[1]! > m[2]!) throw invalidPattern(pattern, `bad range ${m[0]}`);
  return `[${body}]`;
}

export function compilePattern(pattern: string): CompiledPattern {
  if (pattern.length === 0) throw invalidPattern(pattern, 'is empty');
  if (pattern.length > MAX_PATTERN) throw invalidPattern(pattern, `longer than ${MAX_PATTERN} characters`);
  if (!pattern.startsWith('_')) {
    if (![...pattern].every((c) => LITERAL.test(c))) throw invalidPattern(pattern, 'an exact number has only digits, +, * and #');
    return { source: pattern, regex: new RegExp('^' + pattern.replace(/[+*]/g, '\\$&') + '$') };
  }
  let re = '';
  const body = pattern.slice(1);
  if (body === '') throw invalidPattern(pattern, 'is empty after _');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const upper = c.toUpperCase();
    if (upper === 'X') re += '[0-9]';
    else if (upper === 'Z') re += '[1-9]';
    else if (upper === 'N') re += '[2-9]';
    else if (c === '[') {
      const end = body.indexOf(']', i);
      if (end < 0) throw invalidPattern(pattern, 'unclosed [');
      re += charClass(body.slice(i + 1, end), pattern);
      i = end;
    } else if (c === '.' || c === '!') {
      if (i !== body.length - 1) throw invalidPattern(pattern, `${c} must be last`);
      re += c === '.' ? '.+' : '.*';
    } else if (LITERAL.test(c)) re += c === '+' || c === '*' ? '\\' + c : c;
    else throw invalidPattern(pattern, `unexpected character ${c}`);
  }
  return { source: pattern, regex: new RegExp('^' + re + '$') };
}

export function matchesPattern(p: CompiledPattern, number: string): boolean {
  return p.regex.test(number);
}
