// The personal-data store's field messages in the UI's language (the api
// speaks English; anything not known here is shown as the server sent it).
import { isApiError } from '../../data/api';
import type { FieldErrors } from '../../components/field-errors';
import { t, type MessageKey } from '../../i18n';
import { pbxText } from '../extensions/pbx-server-text';

const exact: Record<string, MessageKey> = {
  required: 'pd.err.required',
  'is empty': 'pd.err.numberEmpty',
  'may hold only digits, a leading +, spaces, dashes, dots and brackets': 'pd.err.numberChars',
  'is not a full number: give it with the country code (+7 916 123-45-67)': 'pd.err.numberFull',
  'country codes do not start with 0': 'pd.err.numberCountry',
  'a +7 number has 10 digits after the country code': 'pd.err.number7',
  'an international number has 8–15 digits with the country code (E.164)': 'pd.err.numberIntl',
  'is not an e-mail address': 'pd.err.email',
  'required: why (the request, its date and number)': 'pd.err.reason',
  'at least 3 characters': 'pd.err.reason',
};

export function pdText(message: string): string {
  const key = exact[message];
  return key ? t(key) : pbxText(message);
}

/**
 * Field errors by form field: `numbers[1].number` and `emails[0]` become
 * `numbers` / `emails` (the form edits them as one text area each).
 */
export function pdFieldErrors(e: unknown): FieldErrors {
  if (!isApiError(e)) return {};
  const out: FieldErrors = {};
  for (const [f, m] of Object.entries(e.fields)) {
    const field = f.split(/[.[]/)[0]!;
    out[field] ??= pdText(m);
  }
  return out;
}
