// A tenant's call-flow configuration as services/call-flows sees it, read
// from the store. Stored configs were validated when written; one that no
// longer parses (a hand-edited row) is left out and logged, so references
// to it read as missing rather than crashing a save.
import {
  announcementSchema,
  ivrMenuSchema,
  listSchema,
  recordingNoticeSchema,
  queueSchema,
  ringGroupSchema,
  scheduleSchema,
  type FlowConfig,
} from '../../../call-flows';
import type { FlowKind } from '../../../store';
import type { ApiDeps } from '../../context';
import type { z } from 'zod';
import { AppError, validationFailed, type FieldProblem } from '../../../common/errors';

export const schemas = {
  'ring-group': ringGroupSchema,
  ivr: ivrMenuSchema,
  schedule: scheduleSchema,
  announcement: announcementSchema,
  list: listSchema,
  queue: queueSchema,
} as const;

function load<K extends FlowKind>(deps: ApiDeps, kind: K, tenantId: number) {
  const out = new Map<number, ReturnType<(typeof schemas)[K]['parse']>>();
  for (const r of deps.store.callFlows.list(kind, tenantId)) {
    const p = schemas[kind].safeParse(r.config);
    if (p.success) out.set(r.id, p.data as ReturnType<(typeof schemas)[K]['parse']>);
    else deps.log.warn('stored call-flow object not valid', { kind, id: r.id, issue: p.error.issues[0]?.message });
  }
  return out;
}

export function loadFlowConfig(deps: ApiDeps, tenantId: number): FlowConfig {
  const stored = deps.store.callFlows.notices(tenantId);
  const notices = new Map(stored.filter((n) => n.scope === 'did').map((n) => [n.ref, recordingNoticeSchema.safeParse(n.config)]));
  const queueNotices = new Map(
    stored.flatMap((n) => {
      const p = n.scope === 'queue' ? recordingNoticeSchema.safeParse(n.config) : undefined;
      return p?.success ? [[Number(n.ref), p.data] as const] : [];
    }),
  );
  return {
    extensions: deps.store.extensionFeatures.numbers(tenantId).extensions,
    // A menu, announcement or notice may only play a prompt of its own tenant.
    prompts: new Set(deps.store.prompts.list(tenantId).map((p) => p.id)),
    ringGroups: load(deps, 'ring-group', tenantId),
    ivrs: load(deps, 'ivr', tenantId),
    schedules: load(deps, 'schedule', tenantId),
    announcements: load(deps, 'announcement', tenantId),
    queues: load(deps, 'queue', tenantId),
    lists: load(deps, 'list', tenantId),
    queueNotices,
    voicemailBoxes: new Map(deps.store.voicemail.boxes(tenantId).map((b) => [b.id, { name: b.name }])),
    dids: deps.store.trunks.listDids(tenantId).map((d) => {
      const n = notices.get(d.number);
      return { id: d.id, number: d.number, destination: d.destination, recordingNotice: n?.success ? n.data : null };
    }),
    mainDestination: deps.store.callFlows.mainDestination(tenantId),
  };
}

/** 422: the object is well-formed but the call flow it makes is not (missing references, loops). */
export function flowInvalid(problems: FieldProblem[]): AppError {
  return new AppError(422, 'call-flow-invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });
}

/** 409: something still points at the object. */
export function inUse(what: string, referrers: string[]): AppError {
  return new AppError(409, 'in-use', `${what} is used by ${referrers.join(', ')}`, { referrers });
}

function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/**
 * Parses a call-flow object: shape errors are 400 validation-failed; when
 * the only problems are call-flow rules (FLOW_RULE: a menu without options,
 * overlapping branches, a key twice) the answer is 422 like the graph's.
 */
export function parseFlow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ field: fieldName(i.path) || '(body)', message: i.message }));
  const flowOnly = r.error.issues.every((i) => i.code === 'custom' && (i as { params?: { flow?: boolean } }).params?.flow === true);
  throw flowOnly ? flowInvalid(problems) : validationFailed(problems);
}
