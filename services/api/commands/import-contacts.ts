// CSV import of contacts: every row is checked on its own; the good rows are
// imported in one transaction and every bad one is named (line, column,
// problem) — a broken row never stops the rest. Columns are recognised by
// their header in Russian or English; any other column becomes a custom field.
import { contactInputSchema, type ContactBook, type ContactInput } from '../../pd-store';
import { AppError } from '../../common/errors';
import { parseCsv } from './csv';

export interface ImportProblem {
  line: number;
  field: string;
  message: string;
}

export interface ContactImportResult {
  imported: number;
  failed: number;
  /** The new contacts' ids, in file order. */
  ids: string[];
  subjectIds: string[];
  errors: ImportProblem[];
}

export const MAX_CONTACT_ROWS = 100_000;

type Column = 'name' | 'numbers' | 'emails' | 'company' | 'notes' | 'kind' | { custom: string };

function columnOf(header: string): Column {
  const h = header.trim().toLowerCase().replace(/ё/g, 'е');
  if (/^(name|имя|фио|контакт)$/.test(h)) return 'name';
  if (/^(phone|phones|number|телефон|телефоны|номер|мобильный)\s*\d*$/.test(h)) return 'numbers';
  if (/^(e-?mail|emails|почта|эл\.? ?почта)\s*\d*$/.test(h)) return 'emails';
  if (/^(company|компания|организация)$/.test(h)) return 'company';
  if (/^(notes?|заметки|комментарий|примечание)$/.test(h)) return 'notes';
  if (/^(kind|type|тип)$/.test(h)) return 'kind';
  return { custom: header.trim() };
}

const KINDS: Record<string, 'person' | 'company'> = {
  person: 'person',
  company: 'company',
  человек: 'person',
  'физ. лицо': 'person',
  компания: 'company',
  организация: 'company',
};

/** Splits one cell holding several numbers or e-mails ("+7 916…, +7 903…"). */
const many = (cell: string) =>
  cell
    .split(/[,|]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function importContacts(book: ContactBook, tenantId: number, csv: string): ContactImportResult {
  const parsed = parseCsv(csv, { maxFields: 100, maxRecords: MAX_CONTACT_ROWS + 1 });
  if (parsed.stopped) {
    const why =
      parsed.stopped.reason === 'too-many-fields'
        ? `line ${parsed.stopped.line} has more than ${parsed.stopped.max} columns`
        : `more than ${MAX_CONTACT_ROWS} rows`;
    throw new AppError(400, 'import-too-large', `nothing was imported: ${why}`, parsed.stopped);
  }
  const [header, ...rows] = parsed.records;
  if (!header) throw new AppError(400, 'import-empty', 'nothing was imported: the file has no header line');
  const columns = header.fields.map(columnOf);
  const headers = header.fields.map((h) => h.trim());
  if (!columns.includes('name'))
    throw new AppError(400, 'import-no-name-column', 'nothing was imported: the header needs a name column (name, имя or ФИО)', {
      headers,
    });
  const errors: ImportProblem[] = [];
  const good: ContactInput[] = [];
  for (const r of rows) {
    const raw: {
      name?: string;
      numbers: Array<{ number: string }>;
      emails: string[];
      company?: string;
      notes?: string;
      kind?: string;
      custom: Record<string, string>;
    } = { numbers: [], emails: [], custom: {} };
    const numberColumn: string[] = [];
    columns.forEach((col, i) => {
      const cell = (r.fields[i] ?? '').trim();
      if (cell === '') return;
      if (col === 'numbers') {
        for (const n of many(cell)) {
          raw.numbers.push({ number: n });
          numberColumn.push(headers[i]!);
        }
      } else if (col === 'emails') raw.emails.push(...many(cell));
      else if (col === 'kind') raw.kind = KINDS[cell.toLowerCase()] ?? cell;
      else if (typeof col === 'object') raw.custom[col.custom] = cell;
      else raw[col] = cell;
    });
    if (r.fields.length > columns.length)
      errors.push({ line: r.line, field: '(row)', message: `has ${r.fields.length} fields, the header ${columns.length}` });
    const p = contactInputSchema.safeParse({
      ...raw,
      emails: raw.emails.length ? raw.emails : undefined,
      custom: Object.keys(raw.custom).length ? raw.custom : undefined,
    });
    const rowErrors = p.success
      ? []
      : p.error.issues.map((i) => {
          const [top, idx] = i.path;
          const field =
            top === 'numbers' && typeof idx === 'number'
              ? (numberColumn[idx] ?? 'phone')
              : top === 'emails'
                ? 'email'
                : String(top ?? '(row)');
          return { line: r.line, field, message: i.message };
        });
    if (rowErrors.length > 0 || r.fields.length > columns.length) errors.push(...rowErrors);
    else if (p.success) good.push(p.data);
  }
  const created = book.createMany(tenantId, good);
  return {
    imported: created.length,
    failed: rows.length - created.length,
    ids: created.map((c) => c.id),
    subjectIds: [...new Set(created.map((c) => c.subjectId))],
    errors,
  };
}
