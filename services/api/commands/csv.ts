// A small CSV reader and writer (RFC 4180 quoting) for the extension import
// and the call-history export. Russian Excel writes `;` and a UTF-8 BOM;
// the separator is taken from the header line.

export interface ParsedCsv {
  separator: ',' | ';';
  /** Records with the 1-based line each starts on; blank lines are skipped. */
  records: Array<{ line: number; fields: string[] }>;
  /** Set when parsing stopped early at a limit: the first record over maxFields, or maxRecords passed. */
  stopped?: { reason: 'too-many-fields'; line: number; max: number } | { reason: 'too-many-records'; max: number; count: number };
}

/**
 * Limits checked while parsing, so a hostile file stops costing at once: a
 * header of a million separators once became a million fields and a million
 * reported problems (~1 GB of memory per MB of input).
 */
export interface CsvLimits {
  maxFields?: number;
  maxRecords?: number;
}

export function detectSeparator(firstLine: string): ',' | ';' {
  const count = (c: string) => firstLine.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

export function parseCsv(text: string, limits: CsvLimits = {}): ParsedCsv {
  const maxFields = limits.maxFields ?? Infinity;
  const maxRecords = limits.maxRecords ?? Infinity;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const separator = detectSeparator(src.slice(0, src.search(/\r?\n|$/)));
  const records: ParsedCsv['records'] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  // Records past maxRecords are counted (to say how many), not kept.
  let count = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) {
      count++;
      if (count <= maxRecords) records.push({ line: start, fields });
    }
    fields = [];
    field = '';
  };
  for (let i = 0; i < src.length; i++) {
    if (fields.length >= maxFields) return { separator, records, stopped: { reason: 'too-many-fields', line: start, max: maxFields } };
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === separator) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  if (field !== '' || fields.length > 0) endRecord();
  const wide = records.find((x) => x.fields.length > maxFields);
  if (wide) return { separator, records, stopped: { reason: 'too-many-fields', line: wide.line, max: maxFields } };
  if (count > maxRecords) return { separator, records, stopped: { reason: 'too-many-records', max: maxRecords, count } };
  return { separator, records };
}

/** Quotes a field when it holds the separator, a quote or a line break; guards against spreadsheet formulas. */
export function csvField(value: string | number | null | undefined, separator = ';'): string {
  let s = value === null || value === undefined ? '' : String(value);
  // A cell starting with = + - @ runs as a formula in Excel (CSV injection),
  // and so does one starting with TAB or CR before them (OWASP's list); a
  // leading ' keeps it text.
  if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d[\d.]*$/.test(s)) s = `'${s}`;
  return s.includes(separator) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: ReadonlyArray<string | number | null | undefined>, separator = ';') => values.map((v) => csvField(v, separator)).join(separator) + '\r\n';
