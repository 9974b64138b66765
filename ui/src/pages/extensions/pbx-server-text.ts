// The api's field messages for extensions, imports and trunks in the UI's
// language; anything not known here goes through the shared table, and
// failing that is shown as the server sent it.
import { serverText, type FieldErrors } from '../../components/field-errors';
import { isApiError } from '../../data/api';
import { t, type MessageKey } from '../../i18n';

const exact: Record<string, MessageKey> = {
  'must be 2–6 digits': 'ext.numberRule',
  'is reserved (112, 101–104)': 'ext.reserved',
  'must be one of internal, local, national, international': 'srvx.permission',
  'must be digits with an optional leading +': 'srvx.digitsPlus',
  'must be an extension or a phone number (digits, optional leading +)': 'srvx.forwardTarget',
  'at least 5 seconds': 'srvx.seconds',
  'at most 120 seconds': 'srvx.seconds',
  'cannot forward to itself': 'srvx.forwardSelf',
  'the extension column is required': 'srvx.extensionColumn',
  'no rows under the header': 'srvx.noRows',
  'must be 1–64 letters, digits, dot, dash or underscore': 'srvx.sipUsername',
  'required for a registering trunk': 'srvx.registerNeeds',
  'give at least one operator address': 'srvx.addresses',
  'must be an IPv4 or IPv6 address': 'srvx.ip',
  'must be a host name or an IP address': 'srvx.host',
  'must be 1–65535': 'srvx.port',
  'must be 3–15 digits with an optional leading +': 'srvx.did',
  'no such user in this tenant': 'srvx.noUser',
  'required: choose the organisation': 'ext.chooseTenant',
};

const patterns: Array<[RegExp, MessageKey, string[]]> = [
  [/^must be yes or no /, 'srvx.yesNo', []],
  [/^no extension (\d+) in this tenant$/, 'srvx.noExtension', ['n']],
  [/^extension (\d+) already exists in this tenant$/, 'srvx.extensionExists', ['n']],
  [/^SIP user name (.+) is taken in this tenant$/, 'srvx.usernameTaken', ['n']],
  [/^duplicate of row (\d+) in this file$/, 'srvx.duplicateRow', ['n']],
  [/^(\d+) cells, the header has (\d+)$/, 'srvx.cells', ['got', 'want']],
  [/^unknown column "(.*)"; known: /, 'srvx.unknownColumn', ['c']],
  [/^at most (\d+) rows per file, this one has (\d+)$/, 'srvx.tooManyRows', ['max', 'n']],
];

export function pbxText(message: string): string {
  const key = exact[message];
  if (key) return t(key);
  for (const [re, k, names] of patterns) {
    const m = re.exec(message);
    if (m) return t(k, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return serverText(message);
}

export function pbxFieldErrors(e: unknown): FieldErrors {
  if (!isApiError(e)) return {};
  return Object.fromEntries(Object.entries(e.fields).map(([f, m]) => [f, pbxText(m)]));
}
