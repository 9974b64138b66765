// CSV import of extensions. The plan validates every row with the same
// schema and rules as the form, finds duplicates within the file and
// against the tenant, and counts the whole file against the licence. The
// apply step is all-or-nothing: one transaction, and no row is written when
// any row is bad (a half-imported office is harder to fix than a refused file).
import type { FieldProblem } from '../../common/errors';
import type { Store, Tenant } from '../../store';
import { createExtensionSchema, type CreateExtensionInput } from '../routes/extensions/schema';
import { parseCsv } from './csv';
import { checkFeatures } from './extension-rules';

export const MAX_IMPORT_ROWS = 10_000;
/** Problems listed in one report; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 200;

/** Columns, in the order the template lists them; `extension` is required. */
export const IMPORT_COLUMNS = [
  'extension',
  'display_name',
  'sip_username',
  'outbound_permission',
  'caller_id_name',
  'caller_id_number',
  'dnd',
  'forward_always',
  'forward_busy',
  'forward_no_answer',
  'no_answer_seconds',
  'forward_unreachable',
  'enabled',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

/** The schema's field paths back to the CSV's column names. */
const FIELD_TO_COLUMN: Record<string, Column> = {
  extension: 'extension',
  displayName: 'display_name',
  sipUsername: 'sip_username',
  outboundPermission: 'outbound_permission',
  callerIdName: 'caller_id_name',
  callerIdNumber: 'caller_id_number',
  dnd: 'dnd',
  'forward.always': 'forward_always',
  'forward.busy': 'forward_busy',
  'forward.noAnswer': 'forward_no_answer',
  'forward.noAnswerSeconds': 'no_answer_seconds',
  'forward.unreachable': 'forward_unreachable',
  enabled: 'enabled',
};

export interface ImportRow {
  /** 0-based among data rows; errors name `rows[index].column`. */
  index: number;
  line: number;
  values: Partial<Record<Column, string>>;
  errors: FieldProblem[];
}

export interface ImportPlan {
  separator: ',' | ';';
  columns: Column[];
  fileErrors: FieldProblem[];
  rows: ImportRow[];
  valid: Array<{ index: number; input: CreateExtensionInput }>;
  summary: { total: number; valid: number; invalid: number };
}

const YES = ['1', 'yes', 'true', 'да', 'y'];
const NO = ['0', 'no', 'false', 'нет', 'n', ''];

function toBool(v: string | undefined, column: Column, problems: FieldProblem[]): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const s = v.trim().toLowerCase();
  if (YES.includes(s)) return true;
  if (NO.includes(s)) return false;
  problems.push({ field: column, message: 'must be yes or no (1/0, да/нет)' });
  return undefined;
}

/** Empty cells mean "not given". */
function rowInput(values: ImportRow['values'], problems: FieldProblem[]): unknown {
  const s = (c: Column) => (values[c]?.trim() ? values[c]!.trim() : undefined);
  const seconds = s('no_answer_seconds');
  return {
    extension: s('extension') ?? '',
    displayName: s('display_name'),
    sipUsername: s('sip_username'),
    outboundPermission: s('outbound_permission')?.toLowerCase(),
    callerIdName: s('caller_id_name'),
    callerIdNumber: s('caller_id_number'),
    dnd: toBool(values.dnd, 'dnd', problems),
    enabled: toBool(values.enabled, 'enabled', problems),
    forward: {
      always: s('forward_always'),
      busy: s('forward_busy'),
      noAnswer: s('forward_no_answer'),
      noAnswerSeconds: seconds === undefined ? undefined : /^\d+$/.test(seconds) ? Number(seconds) : NaN,
      unreachable: s('forward_unreachable'),
    },
  };
}

function readHeader(fields: string[]): { columns: Column[]; problems: FieldProblem[] } {
  const columns: Column[] = [];
  const problems: FieldProblem[] = [];
  fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase() as Column;
    if (!IMPORT_COLUMNS.includes(name)) problems.push({ field: `header[${i}]`, message: `unknown column "${raw.trim()}"; known: ${IMPORT_COLUMNS.join(', ')}` });
    else if (columns.includes(name)) problems.push({ field: `header[${i}]`, message: `column ${name} appears twice` });
    columns.push(name);
  });
  if (!columns.includes('extension')) problems.push({ field: 'header', message: 'the extension column is required' });
  return { columns, problems };
}

export function planImport(store: Store, tenant: Tenant, text: string): ImportPlan {
  // Twice the known columns: room for a few unknown ones to be reported, and
  // parsing stops at the first record wider than that.
  const maxFields = IMPORT_COLUMNS.length * 2;
  const { separator, records, stopped } = parseCsv(text, { maxFields, maxRecords: MAX_IMPORT_ROWS + 1 });
  const dataRows = stopped?.reason === 'too-many-records' ? stopped.count - 1 : records.length - 1;
  const [head, ...data] = records;
  const empty: ImportPlan = { separator, columns: [], fileErrors: [], rows: [], valid: [], summary: { total: 0, valid: 0, invalid: 0 } };
  if (stopped?.reason === 'too-many-fields') return { ...empty, fileErrors: [{ field: 'csv', message: `line ${stopped.line} has more than ${stopped.max} cells; the template has ${IMPORT_COLUMNS.length} columns` }] };

  if (!head) return { ...empty, fileErrors: [{ field: 'csv', message: 'the file is empty: the first line names the columns' }] };
  const { columns, problems } = readHeader(head.fields);
  if (problems.length) return { ...empty, columns, fileErrors: problems };
  if (dataRows > MAX_IMPORT_ROWS) return { ...empty, columns, fileErrors: [{ field: 'csv', message: `at most ${MAX_IMPORT_ROWS} rows per file, this one has ${dataRows}` }] };
  if (data.length === 0) return { ...empty, columns, fileErrors: [{ field: 'csv', message: 'no rows under the header' }] };

  const existing = store.extensionFeatures.numbers(tenant.id);
  const rows: ImportRow[] = data.map((r, index) => ({
    index,
    line: r.line,
    values: Object.fromEntries(columns.map((c, i) => [c, r.fields[i] ?? ''])),
    errors: r.fields.length > columns.length ? [{ field: 'row', message: `${r.fields.length} cells, the header has ${columns.length}` }] : [],
  }));
  const inputs = rows.map((row) => {
    const pre: FieldProblem[] = [];
    const parsed = createExtensionSchema.safeParse(rowInput(row.values, pre));
    row.errors.push(...pre);
    if (!parsed.success) for (const i of parsed.error.issues) row.errors.push({ field: FIELD_TO_COLUMN[i.path.map(String).join('.')] ?? i.path.join('.'), message: i.message });
    return parsed.success ? parsed.data : undefined;
  });
  // Numbers in the file count as existing for forward targets.
  const numbers = new Set(existing.extensions);
  const firstSeen = new Map<string, number>();
  const usernames = new Map<string, number>();
  for (const input of inputs) if (input) numbers.add(input.extension);
  inputs.forEach((input, i) => {
    const row = rows[i]!;
    if (!input) return;
    const username = input.sipUsername ?? input.extension;
    if (existing.extensions.has(input.extension)) row.errors.push({ field: 'extension', message: `extension ${input.extension} already exists in this tenant` });
    else if (firstSeen.has(input.extension)) row.errors.push({ field: 'extension', message: `duplicate of row ${firstSeen.get(input.extension)! + 1} in this file` });
    else firstSeen.set(input.extension, i);
    // A GSM gateway's port registers under its own user name (issue 14): an extension may not take it.
    if (existing.usernames.has(username) || store.gateways.usernameTaken(tenant.id, username)) row.errors.push({ field: 'sip_username', message: `SIP user name ${username} is taken in this tenant` });
    else if (usernames.has(username) && usernames.get(username) !== i) row.errors.push({ field: 'sip_username', message: `duplicate of row ${usernames.get(username)! + 1} in this file` });
    else usernames.set(username, i);
    for (const p of checkFeatures({ store, tenantId: tenant.id, numbers }, input.extension, input)) row.errors.push({ ...p, field: FIELD_TO_COLUMN[p.field] ?? p.field });
  });
  const valid = inputs.flatMap((input, index) => (input && rows[index]!.errors.length === 0 ? [{ index, input }] : []));
  return { separator, columns, fileErrors: [], rows, valid, summary: { total: rows.length, valid: valid.length, invalid: rows.length - valid.length } };
}

/** `rows[i].column: message`, one line per problem, for the report. */
export function flatErrors(plan: ImportPlan): string[] {
  const all = [...plan.fileErrors.map((e) => `${e.field}: ${e.message}`), ...plan.rows.flatMap((r) => r.errors.map((e) => `rows[${r.index}].${e.field}: ${e.message}`))];
  if (all.length <= MAX_REPORTED_PROBLEMS) return all;
  return [...all.slice(0, MAX_REPORTED_PROBLEMS), `… and ${all.length - MAX_REPORTED_PROBLEMS} more problems`];
}
