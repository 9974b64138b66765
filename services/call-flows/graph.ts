// The call-flow graph of a tenant: every stored object and the destinations
// it points at. validateGraph finds references to missing objects and loops
// before anything is saved; referrersOf names who points at an object so a
// delete can be refused.
//
// A loop is a cycle a call can run without the caller pressing a key:
// schedule branches, announcements that continue, a group's overflow and a
// menu's final destination are followed; a menu option is not, so "0 — back
// to the main menu" is allowed (the caller chose it).
import {
  featureNames,
  configurableFeatures,
  describeDestination,
  type Destination,
  type FeatureKind,
  type NodeKey,
  nodeKey,
} from './destination';
import type { AnnouncementConfig } from './announcement';
import type { IvrMenuConfig } from './ivr';
import type { ListConfig, RecordingNotice } from './lists';
import type { QueueConfig } from './queue';
import type { RingGroupConfig } from './ring-group';
import type { ScheduleConfig } from './schedule';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface DidConfig {
  id: number;
  number: string;
  /** null: the tenant's main destination. */
  destination: Destination | null;
  recordingNotice?: RecordingNotice | null;
}

export interface FlowConfig {
  extensions: ReadonlySet<string>;
  /** Ids of the tenant's prompts, or null when prompts are not checked (no prompt store yet). */
  prompts: ReadonlySet<number> | null;
  ringGroups: ReadonlyMap<number, RingGroupConfig>;
  ivrs: ReadonlyMap<number, IvrMenuConfig>;
  schedules: ReadonlyMap<number, ScheduleConfig>;
  announcements: ReadonlyMap<number, AnnouncementConfig>;
  queues: ReadonlyMap<number, QueueConfig>;
  lists: ReadonlyMap<number, ListConfig>;
  /** Voicemail boxes by id (a destination, with no edges of its own); absent: none exist. */
  voicemailBoxes?: ReadonlyMap<number, { name: string }>;
  dids: readonly DidConfig[];
  mainDestination: Destination | null;
  /** Recording notices set on queues, by queue id: played before the queue (the dry run shows them); absent: none. */
  queueNotices?: ReadonlyMap<number, RecordingNotice>;
}

/** What a save is about: validation names fields relative to it. */
export type Subject =
  | { kind: 'ring-group' | 'ivr' | 'schedule' | 'announcement' | 'queue'; id: number }
  | { kind: 'list'; id: number }
  | { kind: 'did'; id: number }
  | { kind: 'main' };

export interface Edge {
  field: string;
  destination: Destination;
  /** Taken without the caller choosing (loops along these are refused). */
  automatic: boolean;
}

export function edgesOf(kind: FeatureKind, config: unknown): Edge[] {
  switch (kind) {
    case 'ring-group': {
      const g = config as RingGroupConfig;
      return [{ field: 'overflow', destination: g.overflow, automatic: true }];
    }
    case 'queue': {
      const q = config as QueueConfig;
      return [{ field: 'overflow', destination: q.overflow, automatic: true }];
    }
    case 'ivr': {
      const m = config as IvrMenuConfig;
      return [
        ...m.options.map((o, i) => ({ field: `options[${i}].destination`, destination: o.destination, automatic: false })),
        { field: 'final', destination: m.final, automatic: true },
      ];
    }
    case 'schedule': {
      const s = config as ScheduleConfig;
      return [
        ...s.branches.map((b, i) => ({ field: `branches[${i}].destination`, destination: b.destination, automatic: true })),
        { field: 'closed', destination: s.closed, automatic: true },
        ...(s.holiday ? [{ field: 'holiday', destination: s.holiday, automatic: true }] : []),
      ];
    }
    case 'announcement': {
      const a = config as AnnouncementConfig;
      return a.then.action === 'continue' ? [{ field: 'then.destination', destination: a.then.destination, automatic: true }] : [];
    }
    default:
      return [];
  }
}

/** The stored object a feature destination names, or undefined. */
export function lookup(c: FlowConfig, kind: FeatureKind, id: number): { name: string; config: unknown } | undefined {
  const map: ReadonlyMap<number, { name: string }> | undefined =
    kind === 'ring-group'
      ? c.ringGroups
      : kind === 'ivr'
        ? c.ivrs
        : kind === 'schedule'
          ? c.schedules
          : kind === 'announcement'
            ? c.announcements
            : kind === 'queue'
              ? c.queues
              : kind === 'voicemail'
                ? c.voicemailBoxes
                : undefined;
  const o = map?.get(id);
  return o && { name: o.name, config: o };
}

export function nameOf(c: FlowConfig, d: Destination): string {
  return d.type === 'feature' ? describeDestination(d, lookup(c, d.feature, d.id)?.name) : describeDestination(d);
}

/** Problems with one destination's target, named by field. */
export function destinationProblems(c: FlowConfig, d: Destination, field: string): FieldProblem[] {
  if (d.type === 'extension' && !c.extensions.has(d.extension)) return [{ field, message: `extension ${d.extension} does not exist` }];
  if (d.type !== 'feature') return [];
  if (!(configurableFeatures as readonly string[]).includes(d.feature))
    return [{ field, message: `${featureNames[d.feature]}s are not available on this box yet` }];
  if (!lookup(c, d.feature, d.id)) return [{ field, message: `${featureNames[d.feature]} ${d.id} does not exist` }];
  return [];
}

function promptProblems(c: FlowConfig, ids: [string, number | null][]): FieldProblem[] {
  if (!c.prompts) return [];
  return ids
    .filter(([, id]) => id !== null && !c.prompts!.has(id))
    .map(([field, id]) => ({ field, message: `prompt ${id} does not exist` }));
}

/** References other than destinations: members, prompts, a list's extension. */
function otherProblems(c: FlowConfig, kind: Subject['kind'], config: unknown): FieldProblem[] {
  switch (kind) {
    case 'ring-group':
      return (config as RingGroupConfig).members.flatMap((m, i) =>
        c.extensions.has(m.extension) ? [] : [{ field: `members[${i}].extension`, message: `extension ${m.extension} does not exist` }],
      );
    case 'ivr': {
      const m = config as IvrMenuConfig;
      return promptProblems(c, [
        ['prompt', m.prompt],
        ['invalidPrompt', m.invalidPrompt],
        ['timeoutPrompt', m.timeoutPrompt],
      ]);
    }
    case 'announcement':
      return promptProblems(c, [['prompt', (config as AnnouncementConfig).prompt]]);
    case 'queue': {
      const q = config as QueueConfig;
      return [
        ...q.members.flatMap((m, i) =>
          c.extensions.has(m.extension) ? [] : [{ field: `members[${i}].extension`, message: `extension ${m.extension} does not exist` }],
        ),
        ...promptProblems(c, [
          ['greeting', q.greeting],
          ['music', q.music],
        ]),
      ];
    }
    case 'list': {
      const l = config as ListConfig;
      return l.extension !== null && !c.extensions.has(l.extension)
        ? [{ field: 'extension', message: `extension ${l.extension} does not exist` }]
        : [];
    }
    case 'did': {
      const n = (config as DidConfig).recordingNotice;
      return n ? promptProblems(c, [['recordingNotice.prompt', n.prompt]]) : [];
    }
    default:
      return [];
  }
}

function subjectEdges(c: FlowConfig, s: Subject): { config: unknown; edges: Edge[] } | undefined {
  if (s.kind === 'main')
    return {
      config: c.mainDestination,
      edges: c.mainDestination ? [{ field: 'destination', destination: c.mainDestination, automatic: true }] : [],
    };
  if (s.kind === 'did') {
    const d = c.dids.find((x) => x.id === s.id);
    return d && { config: d, edges: d.destination ? [{ field: 'destination', destination: d.destination, automatic: true }] : [] };
  }
  if (s.kind === 'list') {
    const l = c.lists.get(s.id);
    return l && { config: l, edges: l.kind === 'block' ? [{ field: 'treatment', destination: l.treatment, automatic: true }] : [] };
  }
  const o = lookup(c, s.kind, s.id);
  return o && { config: o.config, edges: edgesOf(s.kind, o.config) };
}

/**
 * A cycle of automatic edges from `start` back to itself, as the node keys
 * and the fields taken, or undefined.
 */
function cycleFrom(c: FlowConfig, start: NodeKey, first: Destination): { path: string[] } | undefined {
  const seen = new Set<NodeKey>();
  const walk = (d: Destination, trail: string[]): string[] | undefined => {
    if (d.type !== 'feature') return undefined;
    const o = lookup(c, d.feature, d.id);
    if (!o) return undefined;
    const key = nodeKey(d.feature, d.id);
    const name = nameOf(c, d);
    if (key === start) return [...trail, name];
    if (seen.has(key)) return undefined;
    seen.add(key);
    for (const e of edgesOf(d.feature, o.config)) {
      const found = e.automatic ? walk(e.destination, [...trail, `${name} (${e.field})`]) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const path = walk(first, []);
  return path && { path };
}

/** Everything wrong with one object of the config (already written into `c`), its fields named relative to it. */
export function validateSubject(c: FlowConfig, s: Subject): FieldProblem[] {
  const found = subjectEdges(c, s);
  if (!found) return [];
  const problems = [...otherProblems(c, s.kind, found.config)];
  for (const e of found.edges) problems.push(...destinationProblems(c, e.destination, e.field));
  if (s.kind === 'ring-group' || s.kind === 'ivr' || s.kind === 'schedule' || s.kind === 'announcement' || s.kind === 'queue') {
    const self = nodeKey(s.kind, s.id);
    const selfName = nameOf(c, { type: 'feature', feature: s.kind, id: s.id });
    for (const e of found.edges) {
      if (!e.automatic) continue;
      const cyc = cycleFrom(c, self, e.destination);
      if (cyc) problems.push({ field: e.field, message: `makes a loop: ${selfName} (${e.field}) → ${cyc.path.join(' → ')}` });
    }
  }
  return problems;
}

const collections = [
  ['ringGroups', 'ring-group'],
  ['ivrs', 'ivr'],
  ['schedules', 'schedule'],
  ['announcements', 'announcement'],
  ['queues', 'queue'],
] as const;

/** Everything wrong in a whole tenant's config, fields prefixed by where they are: `ivrs[3].options[1].destination`. */
export function validateGraph(c: FlowConfig): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (prefix: string, ps: FieldProblem[]) => out.push(...ps.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message })));
  for (const [coll, kind] of collections) for (const id of c[coll].keys()) add(`${coll}[${id}]`, validateSubject(c, { kind, id }));
  for (const id of c.lists.keys()) add(`lists[${id}]`, validateSubject(c, { kind: 'list', id }));
  for (const d of c.dids) add(`dids[${d.id}]`, validateSubject(c, { kind: 'did', id: d.id }));
  add('main', validateSubject(c, { kind: 'main' }));
  return out;
}

/** Who points at an object, in words, so deleting it can be refused: `IVR menu 'Главное' options[2].destination`. */
export function referrersOf(c: FlowConfig, kind: FeatureKind, id: number): string[] {
  const hits = (d: Destination | null | undefined) => d?.type === 'feature' && d.feature === kind && d.id === id;
  const out: string[] = [];
  for (const [coll, k] of collections)
    for (const [oid, o] of c[coll]) {
      if (k === kind && oid === id) continue;
      for (const e of edgesOf(k, o)) if (hits(e.destination)) out.push(`${featureNames[k]} '${o.name}' ${e.field}`);
    }
  for (const l of c.lists.values()) if (l.kind === 'block' && hits(l.treatment)) out.push(`list '${l.name}' treatment`);
  for (const d of c.dids) if (hits(d.destination)) out.push(`number ${d.number}`);
  if (hits(c.mainDestination)) out.push('the main destination');
  return out;
}

/** Who uses a prompt (an IVR, an announcement, a DID's recording notice). */
export function promptUsers(c: FlowConfig, promptId: number): string[] {
  const out: string[] = [];
  for (const m of c.ivrs.values())
    for (const f of ['prompt', 'invalidPrompt', 'timeoutPrompt'] as const) if (m[f] === promptId) out.push(`IVR menu '${m.name}' ${f}`);
  for (const a of c.announcements.values()) if (a.prompt === promptId) out.push(`announcement '${a.name}' prompt`);
  for (const q of c.queues.values())
    for (const f of ['greeting', 'music'] as const) if (q[f] === promptId) out.push(`queue '${q.name}' ${f}`);
  for (const d of c.dids) if (d.recordingNotice?.prompt === promptId) out.push(`number ${d.number} recordingNotice.prompt`);
  return out;
}

/** Who uses an extension (a ring group member, a list, a destination). */
export function extensionUsers(c: FlowConfig, extension: string): string[] {
  const out: string[] = [];
  const hits = (d: Destination | null | undefined) => d?.type === 'extension' && d.extension === extension;
  for (const [coll, k] of collections)
    for (const o of c[coll].values())
      for (const e of edgesOf(k, o)) if (hits(e.destination)) out.push(`${featureNames[k]} '${o.name}' ${e.field}`);
  for (const g of c.ringGroups.values())
    g.members.forEach((m, i) => m.extension === extension && out.push(`ring group '${g.name}' members[${i}]`));
  for (const q of c.queues.values()) q.members.forEach((m, i) => m.extension === extension && out.push(`queue '${q.name}' members[${i}]`));
  for (const l of c.lists.values())
    if (l.extension === extension || (l.kind === 'block' && hits(l.treatment))) out.push(`list '${l.name}'`);
  for (const d of c.dids) if (hits(d.destination)) out.push(`number ${d.number}`);
  if (hits(c.mainDestination)) out.push('the main destination');
  return out;
}
