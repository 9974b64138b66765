// Where a call would go, without placing it: the number's DID, the lists,
// then destination after destination until a phone rings, a menu waits, or
// the call ends. call-control's features follow the same rules at run time,
// so the path here is the path a call takes (keys given for IVR menus).
import { describeDestination, featureNames, type Destination } from './destination';
import { lookup, nameOf, type FlowConfig } from './graph';
import type { AnnouncementConfig } from './announcement';
import type { IvrMenuConfig } from './ivr';
import { screenCaller, type ListConfig } from './lists';
import { callerNumber, canonicalNumber } from './numbers';
import type { QueueConfig } from './queue';
import type { RingGroupConfig } from './ring-group';
import { resolveSchedule, type ScheduleConfig } from './schedule';

export type StepKind =
  | 'did'
  | 'main'
  | 'list'
  | 'schedule'
  | 'announcement'
  | 'ivr'
  | 'ring-group'
  | 'queue'
  | 'extension'
  | 'external'
  | 'hangup'
  | 'unavailable'
  | 'missing'
  | 'loop';

export interface DryRunStep {
  kind: StepKind;
  id?: number;
  name?: string;
  /** Words for this step (English; the UI words its own from the fields). */
  detail: string;
  /** Schedules: the state; IVRs: the key taken; lists: block/allow. */
  state?: string;
  /** Which field of the previous step led here (`closed`, `options[1].destination`). */
  via?: string;
  /**
   * This step in call-control's words, as the call's path and its CDR name it
   * (`feature:ivr:7`, `list:block:3`, `notice:12`, `refuse:486`); absent for
   * steps a call does not record (the DID itself, a hang-up after an announcement).
   */
  call?: string;
}

export type Outcome =
  'no-route' | 'extension' | 'external' | 'hangup' | 'menu' | 'ring-group' | 'queue' | 'unavailable' | 'broken' | 'loop';

export interface DryRunResult {
  number: string;
  caller: string | null;
  at: string;
  path: DryRunStep[];
  outcome: Outcome;
  /** The final destination, when the path ends at one. */
  destination: Destination | null;
  summary: string;
  /** The path a call taking this way records in its CDR (`cdrs.path`): the steps' `call` words in order. */
  callPath: string[];
}

export interface DryRunInput {
  number: string;
  caller?: string | null;
  at: Date;
  /** Keys pressed in the menus met, in order; `timeout` for none. */
  keys?: readonly string[];
  /** Nobody answers: ring groups and queues go on to their overflow instead of ending the path. */
  noAnswer?: boolean;
}

const MAX_STEPS = 24;

/** The list step of the path, as the dry run words it. */
function screen(c: FlowConfig, extension: string | null, caller: string | null): { step?: DryRunStep; block?: ListConfig; vip: boolean } {
  const s = screenCaller(c.lists, extension, caller);
  if (s.kind === 'allow')
    return {
      step: {
        kind: 'list',
        id: s.id,
        name: s.list.name,
        state: 'allow',
        call: `list:allow:${s.id}`,
        detail: `caller on allow list '${s.list.name}'${s.vip ? ' (VIP: skips schedules)' : ''}`,
      },
      vip: s.vip,
    };
  if (s.kind === 'block')
    return {
      step: { kind: 'list', id: s.id, name: s.list.name, state: 'block', call: `list:block:${s.id}`, detail: `caller on block list '${s.list.name}'` },
      block: s.list,
      vip: false,
    };
  return { vip: false };
}

export function dryRun(c: FlowConfig, input: DryRunInput): DryRunResult {
  const canon = canonicalNumber(input.number);
  const number = canon.ok ? canon.number : input.number;
  const caller = callerNumber(input.caller ?? null);
  const path: DryRunStep[] = [];
  const keys = [...(input.keys ?? [])];
  const done = (outcome: Outcome, destination: Destination | null = null): DryRunResult => ({
    number,
    caller,
    at: input.at.toISOString(),
    path,
    outcome,
    destination,
    summary: path.map((s) => s.detail).join(' → '),
    callPath: path.flatMap((s) => (s.call ? [s.call] : [])),
  });

  const did = c.dids.find((d) => d.number === number);
  if (!did) {
    path.push({ kind: 'did', detail: `${number} is not a number of this tenant (refused 404)` });
    return done('no-route');
  }
  path.push({ kind: 'did', id: did.id, name: did.number, detail: `number ${did.number}` });
  let next: Destination | null = did.destination;
  if (!next) {
    next = c.mainDestination;
    path.push({ kind: 'main', detail: 'main destination' });
    if (!next) {
      path.push({ kind: 'hangup', detail: 'no main destination set (refused 404)' });
      return done('no-route');
    }
  }
  // Whether the PBX answered the caller by now (a notice, a menu): a list's hang-up treatment is then a BYE, before it a refusal.
  let answered = false;
  let treatment = false;
  // Screening first: a blocked caller is turned away without hearing the notice (no conversation follows).
  let scr = screen(c, null, caller);
  if (scr.step) path.push(scr.step);
  if (scr.block) {
    next = scr.block.treatment;
    treatment = true;
  } else if (did.recordingNotice?.enabled && did.recordingNotice.prompt !== null) {
    // call-control plays a notice only with a prompt (trunks/inbound-origin.ts); the PBX has answered the caller.
    path.push({ kind: 'announcement', id: did.recordingNotice.prompt, detail: 'recording notice', state: 'notice', call: `notice:${did.recordingNotice.prompt}` });
    answered = true;
  }

  const visited = new Set<string>();
  let via: string | undefined;
  for (let i = 0; i < MAX_STEPS; i++) {
    const d: Destination = next;
    if (d.type === 'extension') {
      path.push({ kind: 'extension', name: d.extension, detail: `extension ${d.extension}`, via, call: `extension:${d.extension}` });
      const ext = screen(c, d.extension, caller);
      if (ext.block) {
        path.push(ext.step!);
        next = ext.block.treatment;
        via = 'treatment';
        treatment = true;
        continue;
      }
      return done('extension', d);
    }
    if (d.type === 'external') {
      path.push({ kind: 'external', name: d.number, detail: `external number ${d.number}`, via, call: `external:${d.number}` });
      return done('external', d);
    }
    if (d.type === 'hangup') {
      // A list's hang-up before the PBX answered refuses the INVITE (features/screening.ts treatmentOf).
      path.push({ kind: 'hangup', detail: describeDestination(d), via, call: `${treatment && !answered ? 'refuse' : 'hangup'}:${d.status}` });
      return done('hangup', d);
    }
    const o = lookup(c, d.feature, d.id);
    if (!o) {
      const gone =
        d.feature === 'ring-group' ||
        d.feature === 'ivr' ||
        d.feature === 'schedule' ||
        d.feature === 'announcement' ||
        d.feature === 'queue';
      path.push({
        kind: gone ? 'missing' : 'unavailable',
        id: d.id,
        detail: gone ? `${featureNames[d.feature]} ${d.id} does not exist` : `${featureNames[d.feature]}s are not available yet`,
        via,
      });
      return done(gone ? 'broken' : 'unavailable', d);
    }
    const key = `${d.feature}:${d.id}`;
    // A menu may be re-entered by the caller's own choice; anything else seen twice is a loop.
    if (visited.has(key) && !(d.feature === 'ivr' && via?.startsWith('options['))) {
      path.push({ kind: 'loop', id: d.id, name: o.name, detail: `loop: back at ${nameOf(c, d)} (cut)`, via });
      return done('loop', d);
    }
    visited.add(key);
    const step = { id: d.id, name: o.name, via, call: `feature:${d.feature}:${d.id}` };
    switch (d.feature) {
      case 'schedule': {
        const r = resolveSchedule(o.config as ScheduleConfig, input.at, { vip: scr.vip });
        const why =
          r.reason === 'hours'
            ? r.label
            : r.reason === 'holiday'
              ? `holiday ${r.label}`
              : r.reason === 'override'
                ? `switched to ${r.state === 'open' ? 'day' : 'night'}`
                : r.reason === 'vip'
                  ? 'VIP'
                  : 'outside hours';
        path.push({
          ...step,
          kind: 'schedule',
          state: r.state,
          detail: `schedule '${o.name}' (${r.state}: ${why}, ${r.local.weekday} ${r.local.date} ${r.local.time})`,
        });
        next = r.destination;
        via =
          r.branch !== null
            ? `branches[${r.branch}].destination`
            : r.state === 'holiday' && (o.config as ScheduleConfig).holiday
              ? 'holiday'
              : 'closed';
        break;
      }
      case 'announcement': {
        const a = o.config as AnnouncementConfig;
        path.push({ ...step, kind: 'announcement', detail: `announcement '${o.name}'` });
        answered = true;
        if (a.then.action === 'hangup') {
          path.push({ kind: 'hangup', detail: 'hang up after the announcement', via: 'then' });
          return done('hangup', null);
        }
        next = a.then.destination;
        via = 'then.destination';
        break;
      }
      case 'ivr': {
        const m = o.config as IvrMenuConfig;
        answered = true;
        const k = keys.shift();
        if (k === undefined) {
          const opts = m.options.map((x) => `${x.digit} → ${nameOf(c, x.destination)}`);
          if (m.dialByExtension) opts.push('extension number → that extension');
          path.push({
            ...step,
            kind: 'ivr',
            detail: `IVR menu '${o.name}' waits for a key (${opts.join(', ')}; no key → ${nameOf(c, m.final)})`,
          });
          return done('menu', null);
        }
        const idx = m.options.findIndex((x) => x.digit === k);
        if (idx >= 0) {
          path.push({ ...step, kind: 'ivr', state: k, detail: `IVR menu '${o.name}', key ${k}` });
          next = m.options[idx]!.destination;
          via = `options[${idx}].destination`;
        } else if (m.dialByExtension && /^\d{2,6}$/.test(k) && c.extensions.has(k)) {
          path.push({ ...step, kind: 'ivr', state: k, detail: `IVR menu '${o.name}', dialled ${k}` });
          next = { type: 'extension', extension: k };
          via = 'dialByExtension';
        } else {
          path.push({
            ...step,
            kind: 'ivr',
            state: k,
            detail: `IVR menu '${o.name}', ${k === 'timeout' ? 'no key' : `wrong key ${k}`} after ${m.retries} retries`,
          });
          next = m.final;
          via = 'final';
        }
        break;
      }
      case 'ring-group': {
        const g = o.config as RingGroupConfig;
        path.push({
          ...step,
          kind: 'ring-group',
          detail: `ring group '${o.name}' rings ${g.members.map((x) => x.extension).join(', ')} (${g.strategy}); no answer in ${g.timeout} s → ${nameOf(c, g.overflow)}`,
        });
        if (!input.noAnswer) return done('ring-group', d);
        next = g.overflow;
        via = 'overflow';
        break;
      }
      case 'queue': {
        const q = o.config as QueueConfig;
        path.push({
          ...step,
          kind: 'queue',
          detail: `queue '${o.name}' (${q.strategy}, ${q.members.length} members); ${q.maxWait ? `after ${q.maxWait} s` : 'when no agent is logged in'} → ${nameOf(c, q.overflow)}`,
        });
        const qn = c.queueNotices?.get(d.id);
        if (qn?.enabled && qn.prompt !== null)
          path.push({ kind: 'announcement', id: qn.prompt, detail: 'recording notice', state: 'notice', call: `notice:${qn.prompt}` });
        if (!input.noAnswer) return done('queue', d);
        next = q.overflow;
        via = 'overflow';
        break;
      }
      default:
        path.push({ ...step, kind: 'unavailable', detail: `${featureNames[d.feature]}s are not available yet` });
        return done('unavailable', d);
    }
    scr = { vip: scr.vip };
  }
  path.push({ kind: 'loop', detail: `more than ${MAX_STEPS} steps (cut)` });
  return done('loop', null);
}
