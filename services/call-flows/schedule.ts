// A schedule: weekly branches (days + hours → destination) in an IANA time
// zone, holidays (dates, ranges, yearly repeats), a manual day/night
// override, and where calls go when no branch is open. Local time comes from
// Intl (the ICU data Node ships), so DST zones work without a tz library.
import { z } from 'zod';
import { destinationSchema, FLOW_RULE, type Destination } from './destination';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
export const overrides = ['auto', 'day', 'night'] as const;

const time = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM, 00:00–24:00');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'not a calendar date');

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const branchSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    days: z.array(z.enum(weekdays, { message: 'must be mon–sun' })).min(1, 'pick at least one day'),
    from: time,
    to: time,
    destination: destinationSchema,
  })
  .superRefine((b, ctx) => {
    if (b.from >= b.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from (split a night shift into two branches)' });
  });

export const holidaySchema = z
  .object({
    name: z.string().trim().max(64, 'at most 64 characters').default(''),
    from: isoDate,
    /** Last day, inclusive; absent for a single day. */
    to: isoDate.nullable().default(null),
    /** Repeats every year on the same month and day (the year of from/to is ignored). */
    yearly: z.boolean().default(false),
  })
  .superRefine((h, ctx) => {
    if (h.to === null) return;
    if (!h.yearly && h.to < h.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    if (!h.yearly && dayNumber(h.to) - dayNumber(h.from) > 366) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a holiday lasts at most a year' });
  });

export const scheduleSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    /** IANA zone; the API fills in the tenant's when absent. */
    timeZone: z.string().refine(validTimeZone, 'not a known time zone (e.g. Europe/Moscow)').default('Europe/Moscow'),
    branches: z.array(branchSchema).min(1, 'a schedule needs at least one branch').max(32, 'at most 32 branches'),
    holidays: z.array(holidaySchema).max(1000, 'at most 1000 holidays').default([]),
    /** Where calls go outside every branch ("night"). */
    closed: destinationSchema,
    /** Where calls go on a holiday; null: as closed. */
    holiday: destinationSchema.nullable().default(null),
    /** Manual switch: day forces the first branch, night forces closed. */
    override: z.enum(overrides, { message: 'must be auto, day or night' }).default('auto'),
  })
  .superRefine((s, ctx) => {
    for (const o of overlaps(s.branches)) ctx.addIssue({ code: 'custom', path: ['branches', o.second], message: o.message, params: FLOW_RULE });
  });

export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;
export type Branch = ScheduleConfig['branches'][number];
export type Holiday = ScheduleConfig['holidays'][number];

const minutes = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
function dayNumber(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

export interface Overlap {
  first: number;
  second: number;
  message: string;
}

/** Pairs of branches open at the same time on a shared day: such a schedule is refused. */
export function overlaps(branches: readonly Pick<Branch, 'name' | 'days' | 'from' | 'to'>[]): Overlap[] {
  const out: Overlap[] = [];
  branches.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = branches[i]!;
      const day = a.days.find((d) => b.days.includes(d));
      if (day === undefined) continue;
      const start = Math.max(minutes(a.from), minutes(b.from));
      const end = Math.min(minutes(a.to), minutes(b.to));
      if (start < end) {
        const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        out.push({ first: i, second: j, message: `overlaps branches[${i}] '${a.name}' on ${day} ${hhmm(start)}–${hhmm(end)}` });
        return;
      }
    }
  });
  return out;
}

export interface LocalTime {
  date: string;
  weekday: Weekday;
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock date, weekday and time at an instant in a zone. */
export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: String(p.weekday).toLowerCase().slice(0, 3) as Weekday, time: `${p.hour}:${p.minute}` };
}

/** Whether a local date (YYYY-MM-DD) falls on a holiday. */
export function holidayOn(holidays: readonly Holiday[], date: string): Holiday | undefined {
  const md = date.slice(5);
  return holidays.find((h) => {
    const to = h.to ?? h.from;
    if (!h.yearly) return date >= h.from && date <= to;
    const a = h.from.slice(5);
    const b = to.slice(5);
    // A yearly range may cross New Year (12-30 … 01-08).
    return a <= b ? md >= a && md <= b : md >= a || md <= b;
  });
}

export type ScheduleState = 'open' | 'closed' | 'holiday';

export interface ScheduleResolution {
  state: ScheduleState;
  /** The open branch's index, or null. */
  branch: number | null;
  /** The branch name, the holiday's name, or 'closed'. */
  label: string;
  reason: 'override' | 'holiday' | 'hours' | 'outside-hours' | 'vip';
  destination: Destination;
  local: LocalTime;
}

/** Which branch of a schedule is active at an instant, in the schedule's zone. */
export function resolveSchedule(s: ScheduleConfig, at: Date, opts: { vip?: boolean } = {}): ScheduleResolution {
  const local = localTime(at, s.timeZone);
  const first = s.branches[0]!;
  if (opts.vip) return { state: 'open', branch: 0, label: first.name, reason: 'vip', destination: first.destination, local };
  if (s.override === 'day') return { state: 'open', branch: 0, label: first.name, reason: 'override', destination: first.destination, local };
  if (s.override === 'night') return { state: 'closed', branch: null, label: 'closed', reason: 'override', destination: s.closed, local };
  const h = holidayOn(s.holidays, local.date);
  if (h) return { state: 'holiday', branch: null, label: h.name || 'holiday', reason: 'holiday', destination: s.holiday ?? s.closed, local };
  const now = minutes(local.time);
  const i = s.branches.findIndex((b) => b.days.includes(local.weekday) && now >= minutes(b.from) && now < minutes(b.to));
  if (i >= 0) {
    const b = s.branches[i]!;
    return { state: 'open', branch: i, label: b.name, reason: 'hours', destination: b.destination, local };
  }
  return { state: 'closed', branch: null, label: 'closed', reason: 'outside-hours', destination: s.closed, local };
}
