// The SIM CSV import: one row per SIM, `;` or `,` (Russian Excel writes `;`
// and a BOM), a header naming the columns in English or Russian. Each row is
// checked alone and against the rows above it (an ICCID, number, port or
// extension twice in the file); the preview lists every row's problems and
// the import writes the good rows in one transaction.
import type { FieldProblem } from '../../common/errors';
import { parseBool, parseOperator, type SimState, simStates } from '../../fmc';
import type { SimRecord, Store, Tenant } from '../../store';
import { parseCsv } from './csv';
import { checkSim } from './sim-rules';

const COLUMNS = {
  iccid: ['iccid'],
  msisdn: ['msisdn', 'number', 'номер', 'телефон'],
  operator: ['operator', 'оператор'],
  gateway: ['gateway', 'шлюз'],
  port: ['port', 'порт'],
  extension: ['extension', 'внутренний', 'добавочный'],
  registered: ['registered', 'user_registered', 'зарегистрирован'],
  contract: ['contract', 'договор'],
  state: ['state', 'состояние'],
  monthlyMinuteLimit: ['monthly_limit', 'monthly_minute_limit', 'лимит'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ['iccid', 'msisdn', 'operator'];

export interface SimImportRow {
  index: number;
  line: number;
  values: Partial<Record<Column, string>>;
  errors: FieldProblem[];
  record?: SimRecord;
}

export interface SimImportPlan {
  separator: ',' | ';';
  columns: Column[];
  fileErrors: FieldProblem[];
  rows: SimImportRow[];
  summary: { total: number; valid: number; invalid: number };
}

const MAX_ROWS = 5000;

export function planSimImport(store: Store, tenant: Tenant, csv: string): SimImportPlan {
  const parsed = parseCsv(csv, { maxFields: 32, maxRecords: MAX_ROWS + 1 });
  const fileErrors: FieldProblem[] = [];
  if (parsed.stopped) fileErrors.push({ field: 'csv', message: parsed.stopped.reason === 'too-many-fields' ? `line ${parsed.stopped.line}: more than ${parsed.stopped.max} columns` : `more than ${MAX_ROWS} SIMs in one file` });
  const [header, ...records] = parsed.records;
  const columns: Column[] = [];
  const at = new Map<Column, number>();
  (header?.fields ?? []).forEach((h, i) => {
    const name = h.trim().toLowerCase();
    const col = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(name));
    if (!col) fileErrors.push({ field: `header[${i}]`, message: `unknown column "${h.trim()}"` });
    else if (at.has(col)) fileErrors.push({ field: `header[${i}]`, message: `column ${col} given twice` });
    else {
      at.set(col, i);
      columns.push(col);
    }
  });
  for (const c of REQUIRED) if (header && !at.has(c)) fileErrors.push({ field: 'header', message: `missing column ${c}` });
  if (!header) fileErrors.push({ field: 'csv', message: 'the file is empty' });
  if (fileErrors.length) return { separator: parsed.separator, columns, fileErrors, rows: [], summary: { total: records.length, valid: 0, invalid: records.length } };

  const gateways = new Map(store.gateways.list(tenant.id).map((g) => [g.name.toLowerCase(), g.id]));
  const seen = new Map<string, number>();
  const rows = records.map((r, index): SimImportRow => {
    const values: SimImportRow['values'] = {};
    for (const [c, i] of at) values[c] = (r.fields[i] ?? '').trim();
    const errors: FieldProblem[] = [];
    const operator = parseOperator(values.operator ?? '');
    if (!operator) errors.push({ field: 'operator', message: 'must be МТС, МегаФон, Билайн, Т2, Yota, MCN or other' });
    const gatewayId = values.gateway ? (gateways.get(values.gateway.toLowerCase()) ?? null) : null;
    if (values.gateway && gatewayId === null) errors.push({ field: 'gateway', message: `no gateway named "${values.gateway}"` });
    const port = values.port ? Number(values.port) : null;
    if (values.port && !Number.isInteger(port)) errors.push({ field: 'port', message: 'must be a whole number' });
    const registered = values.registered === undefined ? false : parseBool(values.registered);
    if (registered === null) errors.push({ field: 'registered', message: 'must be yes/no (да/нет, 1/0)' });
    const state = values.state ? values.state.toLowerCase() : 'active';
    if (!(simStates as readonly string[]).includes(state)) errors.push({ field: 'state', message: `must be one of ${simStates.join(', ')}` });
    const limit = values.monthlyMinuteLimit ? Number(values.monthlyMinuteLimit) : 0;
    const check = checkSim(store, tenant.id, {
      iccid: values.iccid ?? '',
      msisdn: values.msisdn ?? '',
      operator: operator ?? 'other',
      state: state as SimState,
      gatewayId: gatewayId,
      port: Number.isInteger(port) ? port : null,
      extension: values.extension || null,
      userRegistered: registered ?? false,
      contract: values.contract ?? '',
      monthlyMinuteLimit: limit,
    });
    // A gateway that does not exist already said so; its port need not complain again.
    if (!check.ok) errors.push(...check.problems.filter((p) => !(values.gateway && gatewayId === null && p.field === 'port')));
    if (check.ok) {
      const keys: Array<[string, string, string]> = [
        ['iccid', `i:${check.record.iccid}`, 'this ICCID'],
        ['msisdn', `m:${check.record.msisdn}`, 'this number'],
        ...(check.record.extensionId !== null ? [['extension', `e:${check.record.extensionId}`, 'this extension'] as [string, string, string]] : []),
        ...(check.record.port !== null ? [['port', `p:${check.record.gatewayId}:${check.record.port}`, 'this port'] as [string, string, string]] : []),
      ];
      for (const [field, key, what] of keys) {
        const first = seen.get(key);
        if (first !== undefined) errors.push({ field, message: `${what} is also on line ${first} of the file` });
      }
      if (!errors.length) for (const [, key] of keys) seen.set(key, r.line);
    }
    return { index, line: r.line, values, errors, ...(errors.length === 0 && check.ok ? { record: check.record } : {}) };
  });
  const valid = rows.filter((r) => r.record).length;
  return { separator: parsed.separator, columns, fileErrors, rows, summary: { total: rows.length, valid, invalid: rows.length - valid } };
}
