// The api's dial-plan messages in the UI's language; anything else goes
// through the trunk and extension table (pbxText), which falls back to the
// server's words.
import { isApiError } from '../../data/api';
import type { FieldErrors } from '../../components/field-errors';
import { t, type MessageKey } from '../../i18n';
import { pbxText } from '../extensions/pbx-server-text';

const exact: Record<string, MessageKey> = {
  'expected at least one pattern': 'routes.errNoPattern',
  'expected at least one trunk': 'routes.errNoTrunk',
  'must be up to 15 digits, + * #': 'routes.errPrepend',
  'must be 3–5 digits starting with 3–9, or empty': 'routes.errCityCode',
  'must be 3–5 digits starting with 3–9': 'routes.errAreaCode',
  'must not be below extensionMinLength': 'routes.errExtMinMax',
};

const patterns: Array<[RegExp, MessageKey, string[]]> = [
  [/^route (.+): no trunk (.+) in this tenant$/, 'routes.errUnknownTrunk', ['route', 'trunk']],
  [/^must be below (\d+), the length of local numbers in area (\d+)$/, 'routes.errExtLong', ['n', 'code']],
  [/^extensions (.+) would not fit (\d+)–(\d+) digits$/, 'routes.errExtNotFit', ['list', 'min', 'max']],
  [/^extensions (.+) would dial an emergency number$/, 'routes.errExtEmergency', ['list']],
  [/^pattern (.*?): (.+)$/, 'routes.errPattern', ['pattern', 'why']],
];

export function routeText(message: string): string {
  const key = exact[message];
  if (key) return t(key);
  for (const [re, k, names] of patterns) {
    const m = re.exec(message);
    if (m) return t(k, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return pbxText(message);
}

export function routeFieldErrors(e: unknown): FieldErrors {
  if (!isApiError(e)) return {};
  return Object.fromEntries(Object.entries(e.fields).map(([f, m]) => [f, routeText(m)]));
}
