// The numbering plan's mobile ranges, imported from the registry's CSV
// (services/fmc/number-ranges.ts says where it comes from). All or nothing:
// a plan with a bad line or overlapping ranges would send calls to the
// wrong SIMs, so any problem leaves the current table as it is.
import { firstOverlap, parseRange, rangeColumns, type FieldProblem, type ParsedRange } from '../../fmc';
import { parseCsv } from './csv';

export interface RangeImportPlan {
  ranges: ParsedRange[];
  /** Problems with line numbers; the file as a whole has line 0 or its header's line. */
  problems: Array<{ line: number } & FieldProblem>;
  total: number;
}

/** The registry has ~8,000 DEF lines; room for the ABC file too, not for a hostile one. */
const MAX_RECORDS = 200_000;
const MAX_PROBLEMS = 100;

export function planRangeImport(csv: string): RangeImportPlan {
  const parsed = parseCsv(csv, { maxFields: 32, maxRecords: MAX_RECORDS });
  const problems: RangeImportPlan['problems'] = [];
  if (parsed.stopped) {
    const message = parsed.stopped.reason === 'too-many-fields' ? `more than ${parsed.stopped.max} columns` : `more than ${parsed.stopped.max} lines`;
    return { ranges: [], problems: [{ line: parsed.stopped.reason === 'too-many-fields' ? parsed.stopped.line : 0, field: 'csv', message }], total: parsed.records.length };
  }
  const [header, ...rows] = parsed.records;
  if (!header) return { ranges: [], problems: [{ line: 0, field: 'csv', message: 'no header line' }], total: 0 };
  const cols = rangeColumns(header.fields);
  if (!cols.ok) return { ranges: [], problems: [{ line: header.line, field: 'csv', message: `header lacks: ${cols.missing.join(', ')}` }], total: rows.length };
  const ranges: ParsedRange[] = [];
  for (const r of rows) {
    const p = parseRange(r.fields, cols.columns);
    if (p.ok) ranges.push(p.range);
    else if (problems.length < MAX_PROBLEMS) problems.push(...p.problems.map((x) => ({ line: r.line, ...x })));
  }
  if (rows.length === 0) problems.push({ line: header.line, field: 'csv', message: 'no ranges after the header' });
  const overlap = problems.length ? undefined : firstOverlap(ranges);
  if (overlap) problems.push({ line: 0, field: 'csv', message: `ranges +${overlap[0].first}…${overlap[0].last} and +${overlap[1].first}…${overlap[1].last} overlap` });
  return { ranges, problems, total: rows.length };
}
