// The api's field messages for a queue in the UI's language; the rest go
// through the extensions' table (numbers, extensions that do not exist)
// and the shared one, and failing those are shown as the server sent them.
import type { FieldErrors } from '../../components/field-errors';
import { isApiError } from '../../data/api';
import { t, type MessageKey } from '../../i18n';
import { pbxText } from '../extensions/pbx-server-text';

const patterns: Array<[RegExp, MessageKey, string[]]> = [
  [/^a queue needs at least one member$/, 'queues.srv.noMembers', []],
  [/^must be (\d+)–(\d+) seconds$/, 'queues.srv.seconds', ['min', 'max']],
  [/^must be (\d+)–(\d+)$/, 'queues.srv.range', ['min', 'max']],
  [/^(\d+) is already members\[\d+\]$/, 'queues.srv.duplicate', ['n']],
  [/^the skills strategy needs at least one required skill$/, 'queues.srv.skillsNeeded', []],
];

export function queueText(message: string): string {
  for (const [re, k, names] of patterns) {
    const m = re.exec(message);
    if (m) return t(k, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return pbxText(message);
}

export function queueFieldErrors(e: unknown): FieldErrors {
  if (!isApiError(e)) return {};
  return Object.fromEntries(Object.entries(e.fields).map(([f, m]) => [f, queueText(m)]));
}
