// Audit rows reference people, never hold their numbers or names (152-FZ,
// issue 15): before a row is written, every phone number in its target and
// details becomes `num:<ref>` and the value under a name-like key becomes
// `name:<ref>`, where ref = HMAC-SHA-256 under the audit subject-ref key
// (audit-keys.ts) of the normalised value, 16 hex digits. Whoever holds the
// key (a subject request, `AuditRepo.subjectRef`) finds the rows about a
// number; the database, a backup or the SIEM alone cannot read the number
// back, and a low-entropy phone number cannot be guessed without the key.
//
// By value for numbers, so a writer added later cannot leak one; by key for
// names, which no pattern can recognise. Internal extension numbers (2–6
// digits), ids, IP addresses, dates and hashes are not numbers here.
import { createHmac } from 'node:crypto';

const NAME_KEYS = new Set(['displayname', 'calleridname', 'callername', 'fullname', 'firstname', 'lastname', 'middlename', 'contactname', 'personname', 'username', 'admin']);

// 7–15 digits (E.164 at most 15), optionally + and ( ), separated by at most
// two of space, dash or parentheses; not inside a word, an id or a time.
const PHONE = /(?<![\w.:/@-])\+?\(?\d(?:[ ()-]{0,2}\d){6,14}(?![\w:@]|\.\d)/g;

/** Digits only; a Russian national 8XXXXXXXXXX becomes 7XXXXXXXXXX so both spellings give one ref. */
export function normaliseNumber(s: string): string {
  const d = s.replace(/\D/g, '');
  return d.length === 11 && d.startsWith('8') ? `7${d.slice(1)}` : d;
}

export function subjectRef(key: Buffer, kind: 'num' | 'name', value: string): string {
  const norm = kind === 'num' ? normaliseNumber(value) : value.trim().toLowerCase();
  return `${kind}:${createHmac('sha256', key).update(`korobka-audit-subject/${kind}\0`).update(norm).digest('hex').slice(0, 16)}`;
}

export function scrubText(key: Buffer, s: string): string {
  return s.replace(PHONE, (m) => subjectRef(key, 'num', m));
}

export function scrubDetails(key: Buffer, v: unknown, parentKey = ''): unknown {
  if (typeof v === 'string') return NAME_KEYS.has(parentKey.toLowerCase()) && v.trim() !== '' ? subjectRef(key, 'name', v) : scrubText(key, v);
  if (Array.isArray(v)) return v.map((x) => scrubDetails(key, x, parentKey));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubDetails(key, x, k)]));
  return v;
}
