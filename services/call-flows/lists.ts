// Black and white lists (per tenant or per extension) and the recording
// notice. A block list sends a matching call to its treatment (a
// Destination: busy is `hangup 486`, an announcement is a feature); an allow
// list lets a caller past block lists, and a VIP allow list also past
// schedules (the call takes the schedule's first branch at any hour).
import { z } from 'zod';
import { destinationSchema } from './destination';
import { canonicalNumber, callerNumber } from './numbers';

export const listKinds = ['block', 'allow'] as const;
export const listDirections = ['inbound', 'outbound', 'both'] as const;
export const entryMatches = ['number', 'prefix', 'anonymous'] as const;

export const listEntrySchema = z
  .object({
    match: z.enum(entryMatches, { message: 'must be number, prefix or anonymous' }),
    value: z.string().trim().max(20, 'at most 20 characters').default(''),
    note: z.string().trim().max(120, 'at most 120 characters').default(''),
  })
  .transform((e, ctx) => {
    if (e.match === 'anonymous') return { ...e, value: '' };
    if (e.match === 'prefix') {
      const digits = e.value.replace(/[\s\-.()]/g, '');
      if (!/^\+?\d{1,15}$/.test(digits)) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: 'a prefix is digits with an optional leading +' });
        return z.NEVER;
      }
      // A national prefix `8495` matches the canonical `+7495…`.
      const canon = /^8\d/.test(digits) ? `+7${digits.slice(1)}` : digits;
      return { ...e, value: canon };
    }
    const c = canonicalNumber(e.value);
    if (!c.ok) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: c.message });
      return z.NEVER;
    }
    return { ...e, value: c.number };
  });

export const listSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    kind: z.enum(listKinds, { message: 'must be block or allow' }),
    /** null: the whole tenant; otherwise the calls of this extension only. */
    extension: z
      .string()
      .regex(/^\d{2,6}$/, 'must be 2–6 digits')
      .nullable()
      .default(null),
    direction: z.enum(listDirections, { message: 'must be inbound, outbound or both' }).default('inbound'),
    treatment: destinationSchema.default({ type: 'hangup', status: 486, reason: 'Busy Here' }),
    /** Allow lists only: the caller skips schedules. */
    vip: z.boolean().default(false),
    enabled: z.boolean().default(true),
    entries: z.array(listEntrySchema).max(10_000, 'at most 10000 entries'),
  })
  .superRefine((l, ctx) => {
    if (l.vip && l.kind !== 'allow') ctx.addIssue({ code: 'custom', path: ['vip'], message: 'only an allow list can skip schedules' });
  });

export type ListConfig = z.infer<typeof listSchema>;
export type ListInput = z.input<typeof listSchema>;
export type ListEntry = ListConfig['entries'][number];

/** Whether a caller (raw From user part, or null when withheld) matches an entry. */
export function entryMatchesCaller(entry: ListEntry, caller: string | null): boolean {
  if (entry.match === 'anonymous') return caller === null;
  if (caller === null) return false;
  if (entry.match === 'number') return caller === entry.value;
  return caller.startsWith(entry.value) || (entry.value.startsWith('+') === false && caller.replace(/^\+/, '').startsWith(entry.value));
}

/** The first entry of a list a caller matches, or undefined. */
export function matchList(list: ListConfig, rawCaller: string | null | undefined): ListEntry | undefined {
  const caller = callerNumber(rawCaller);
  return list.entries.find((e) => entryMatchesCaller(e, caller));
}

export type Screened =
  | { kind: 'allow'; id: number; list: ListConfig; vip: boolean }
  | { kind: 'block'; id: number; list: ListConfig; treatment: ListConfig['treatment'] }
  | { kind: 'none'; vip: false };

/**
 * How the lists of one scope (the tenant's: `extension` null, or one
 * extension's) treat an inbound caller: allow lists first (a white-listed
 * caller skips the block lists), then block lists. The dry run and
 * call-control's screening both decide with this function, so the dry run's
 * path is the call's.
 */
export function screenCaller(
  lists: Iterable<readonly [number, ListConfig]>,
  extension: string | null,
  rawCaller: string | null | undefined,
): Screened {
  const scoped = [...lists].filter(([, l]) => l.enabled && l.extension === extension && l.direction !== 'outbound');
  for (const [id, l] of scoped) if (l.kind === 'allow' && matchList(l, rawCaller)) return { kind: 'allow', id, list: l, vip: l.vip };
  for (const [id, l] of scoped)
    if (l.kind === 'block' && matchList(l, rawCaller)) return { kind: 'block', id, list: l, treatment: l.treatment };
  return { kind: 'none', vip: false };
}

/**
 * How lists treat a number an extension dials out (issue 11 item 8, outbound
 * lists): the tenant's lists and the calling extension's own, those for
 * `outbound` or `both`; allow lists first (an allowed number passes a block
 * list's prefix), then block lists. call-control screens outbound calls with
 * it before any trunk is seized (features/screening.ts screenOutbound).
 */
export function screenCallee(
  lists: Iterable<readonly [number, ListConfig]>,
  callingExtension: string | null,
  rawNumber: string,
): Screened {
  const scoped = [...lists].filter(
    ([, l]) => l.enabled && (l.extension === null || l.extension === callingExtension) && l.direction !== 'inbound',
  );
  for (const [id, l] of scoped) if (l.kind === 'allow' && matchList(l, rawNumber)) return { kind: 'allow', id, list: l, vip: false };
  for (const [id, l] of scoped) if (l.kind === 'block' && matchList(l, rawNumber)) return { kind: 'block', id, list: l, treatment: l.treatment };
  return { kind: 'none', vip: false };
}

/** "This call is recorded" before connecting (Minjust order No. 134 of 06.05.2024 for debt collection). */
export const recordingNoticeSchema = z.object({
  enabled: z.boolean(),
  prompt: z.number().int().positive('must be a prompt id').nullable().default(null),
  /** Also to the called party on outbound calls. */
  toCalled: z.boolean().default(false),
});
export type RecordingNotice = z.infer<typeof recordingNoticeSchema>;
