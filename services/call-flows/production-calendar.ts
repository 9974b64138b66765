// The Russian production calendar (производственный календарь) as published
// on the open data portal (data.gov.ru, "7708660670-proizvcalendar"): a CSV
// with a header `Год/Месяц,Январь,…,Декабрь,Всего рабочих дней,…` and one
// row per year; each month cell lists the month's days off, comma separated,
// inside quotes: `"1,2,3,4,5,6,7,8,13,14,20,21,27,28"`. A day marked `*` is
// a shortened working day before a holiday (it is NOT a day off); a day
// marked `+` is a day off moved from a weekend. The admin imports the file
// into a schedule; nothing is fetched at run time (the box is offline).
import type { Holiday } from './schedule';

export interface CalendarYear {
  year: number;
  /** Every day off (weekends included), YYYY-MM-DD. */
  daysOff: string[];
  /** Shortened working days (`*`). */
  shortened: string[];
}

export interface CalendarProblem {
  line: number;
  message: string;
}

export type CalendarParse = { ok: true; years: CalendarYear[] } | { ok: false; problems: CalendarProblem[] };

/** RFC 4180 fields of one line (quotes, doubled quotes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === ';') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function parseProductionCalendar(text: string): CalendarParse {
  const years: CalendarYear[] = [];
  const problems: CalendarProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (line === '') return;
    const cells = splitCsvLine(line);
    const head = (cells[0] ?? '').trim();
    if (!/^\d{4}$/.test(head)) {
      if (i === 0) return; // the header row
      problems.push({ line: n, message: `expected a year in the first column, got '${head.slice(0, 20)}'` });
      return;
    }
    const year = Number(head);
    if (cells.length < 13) {
      problems.push({ line: n, message: `expected a year and 12 months, got ${cells.length} columns` });
      return;
    }
    const y: CalendarYear = { year, daysOff: [], shortened: [] };
    for (let m = 1; m <= 12; m++) {
      const cell = (cells[m] ?? '').trim();
      if (cell === '') continue;
      for (const tok of cell.split(',').map((t) => t.trim())) {
        const mm = /^(\d{1,2})([*+]?)$/.exec(tok);
        const day = mm ? Number(mm[1]) : 0;
        if (!mm || day < 1 || day > daysIn(year, m)) {
          problems.push({ line: n, message: `${year}-${pad(m)}: '${tok}' is not a day of the month` });
          continue;
        }
        const iso = `${year}-${pad(m)}-${pad(day)}`;
        (mm[2] === '*' ? y.shortened : y.daysOff).push(iso);
      }
    }
    if (years.some((x) => x.year === year)) problems.push({ line: n, message: `year ${year} is given twice` });
    years.push(y);
  });
  if (years.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no year rows found' });
  return problems.length ? { ok: false, problems } : { ok: true, years };
}

/** Labour Code art. 112: the non-working public holidays, by month-day. */
export const statutoryHolidays: Readonly<Record<string, string>> = {
  '01-01': 'Новогодние каникулы',
  '01-02': 'Новогодние каникулы',
  '01-03': 'Новогодние каникулы',
  '01-04': 'Новогодние каникулы',
  '01-05': 'Новогодние каникулы',
  '01-06': 'Новогодние каникулы',
  '01-07': 'Рождество Христово',
  '01-08': 'Новогодние каникулы',
  '02-23': 'День защитника Отечества',
  '03-08': 'Международный женский день',
  '05-01': 'Праздник Весны и Труда',
  '05-09': 'День Победы',
  '06-12': 'День России',
  '11-04': 'День народного единства',
};

const weekdayOf = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const nextDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The holidays a schedule needs from a calendar: days off that fall on
 * Monday–Friday (public holidays and moved days off) plus public holidays on
 * a weekend (they matter to a schedule open on Saturdays). Ordinary weekends
 * are the weekly hours' business. Consecutive days become one range.
 */
export function calendarHolidays(years: readonly CalendarYear[]): Holiday[] {
  const days = years
    .flatMap((y) => y.daysOff)
    .filter((d) => {
      const wd = weekdayOf(d);
      return (wd >= 1 && wd <= 5) || statutoryHolidays[d.slice(5)] !== undefined;
    })
    .sort();
  const out: Holiday[] = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && nextDay(last.to ?? last.from) === d) {
      last.to = d;
      continue;
    }
    out.push({ name: statutoryHolidays[d.slice(5)] ?? 'Нерабочий день', from: d, to: null, yearly: false });
  }
  return out;
}
