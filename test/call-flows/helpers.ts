// A small tenant config for the call-flow tests, built through the schemas
// so defaults apply as they do when the api stores an object.
import {
  announcementSchema,
  ivrMenuSchema,
  listSchema,
  queueSchema,
  ringGroupSchema,
  scheduleSchema,
  type AnnouncementInput,
  type DidConfig,
  type Destination,
  type FlowConfig,
  type IvrMenuInput,
  type ListInput,
  type QueueInput,
  type RingGroupInput,
  type ScheduleInput,
} from '../../services/call-flows';

export interface ConfigInput {
  extensions?: string[];
  prompts?: number[] | null;
  ringGroups?: Record<number, RingGroupInput>;
  ivrs?: Record<number, IvrMenuInput>;
  schedules?: Record<number, ScheduleInput>;
  announcements?: Record<number, AnnouncementInput>;
  queues?: Record<number, QueueInput>;
  lists?: Record<number, ListInput>;
  dids?: DidConfig[];
  main?: Destination | null;
}

const map = <I, O>(rec: Record<number, I> | undefined, parse: (v: I) => O) =>
  new Map(Object.entries(rec ?? {}).map(([k, v]) => [Number(k), parse(v)]));

export function flowConfig(i: ConfigInput): FlowConfig {
  return {
    extensions: new Set(i.extensions ?? ['201', '202', '203']),
    prompts: i.prompts === null ? null : new Set(i.prompts ?? [1, 2, 3]),
    ringGroups: map(i.ringGroups, (v) => ringGroupSchema.parse(v)),
    ivrs: map(i.ivrs, (v) => ivrMenuSchema.parse(v)),
    schedules: map(i.schedules, (v) => scheduleSchema.parse(v)),
    announcements: map(i.announcements, (v) => announcementSchema.parse(v)),
    queues: map(i.queues, (v) => queueSchema.parse(v)),
    lists: map(i.lists, (v) => listSchema.parse(v)),
    dids: i.dids ?? [],
    mainDestination: i.main ?? null,
  };
}

export const feature = (f: Extract<Destination, { type: 'feature' }>['feature'], id: number): Destination => ({
  type: 'feature',
  feature: f,
  id,
});
export const ext = (n: string): Destination => ({ type: 'extension', extension: n });
