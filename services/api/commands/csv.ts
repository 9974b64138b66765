// A small CSV reader and writer (RFC 4180 quoting) for the extension import
// and the call-history export. Russian Excel writes `;` and a UTF-8 BOM;
// the separator is taken from the header line.

export interface ParsedCsv {
  separator: ',' | ';';
  /** Records with the 1-based line each starts on; blank lines are skipped. */
  records: Array<{ line: number; fields: string[] }>;
}

export function detectSeparator(firstLine: string): ',' | ';' {
  const count = (c: string) => firstLine.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

export function parseCsv(text: string): ParsedCsv {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const separator = detectSeparator(src.slice(0, src.search(/\r?\n|$/)));
  const records: ParsedCsv['records'] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < src.length; i++) {
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
  return { separator, records };
}

/** Quotes a field when it holds the separator, a quote or a line break; guards against spreadsheet formulas. */
export function csvField(value: string | number | null | undefined, separator = ';'): string {
  let s = value === null || value === undefined ? '' : String(value);
  // A cell starting with = + - @ runs as a formula in Excel (CSV injection); a leading ' keeps it text.
  if (/^[=+\-@]/.test(s) && !/^[+-]?\d[\d.]*$/.test(s)) s = `'${s}`;
  return s.includes(separator) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: ReadonlyArray<string | number | null | undefined>, separator = ';') => values.map((v) => csvField(v, separator)).join(separator) + '\r\n';
