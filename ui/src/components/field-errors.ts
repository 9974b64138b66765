// Turns an api error into messages per field, in the UI's language.
import { t, type MessageKey } from '../i18n';
import { describeServerMessage, isApiError } from '../data/api';

export type FieldErrors = Record<string, string>;

export function serverText(message: string): string {
  const d = describeServerMessage(message);
  return 'key' in d ? t(d.key) : d.text;
}

/** Field errors from the server; `map` renames server fields to form ids. */
export function fieldErrorsOf(e: unknown, map: Record<string, string> = {}): FieldErrors {
  if (!isApiError(e)) return {};
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(e.fields)) out[map[field] ?? field] = serverText(message);
  return out;
}

/** One line for the whole form: a known error code, else the server's words. */
export function formErrorOf(e: unknown): string {
  if (!isApiError(e)) return t('error.unexpected');
  if (e.code === 'validation-failed') return t('error.validation-failed');
  const key = `error.${e.code}` as MessageKey;
  const text = t(key);
  return text === key ? serverText(e.message) : text;
}
