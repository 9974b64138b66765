// Call flows over the api: ring groups, IVR menus, schedules,
// announcements, lists, where numbers go, the view and the dry run. Types
// come from services/call-flows (import type only).
import type {
  AnnouncementConfig,
  Destination,
  DryRunResult,
  FlowNode,
  Holiday,
  IvrMenuConfig,
  ListConfig,
  RingGroupConfig,
  ScheduleConfig,
} from '../../../services/call-flows';
import type { Api } from './api';

export type { Destination, DryRunResult, FlowNode, Holiday };

type Stored<C> = C & { id: number; tenantId: number; createdAt: string; updatedAt: string };
export type RingGroup = Stored<RingGroupConfig>;
export type IvrMenu = Stored<IvrMenuConfig>;
export type Schedule = Stored<ScheduleConfig>;
export type Announcement = Stored<AnnouncementConfig>;
export type CallList = Stored<ListConfig>;

export const flowKinds = {
  'ring-group': { path: '/api/ring-groups', one: 'ringGroup', many: 'ringGroups' },
  ivr: { path: '/api/ivr-menus', one: 'ivrMenu', many: 'ivrMenus' },
  schedule: { path: '/api/schedules', one: 'schedule', many: 'schedules' },
  announcement: { path: '/api/announcements', one: 'announcement', many: 'announcements' },
  list: { path: '/api/call-lists', one: 'list', many: 'lists' },
} as const;
export type FlowKind = keyof typeof flowKinds;

export async function listFlows<T>(api: Api, kind: FlowKind): Promise<T[]> {
  const k = flowKinds[kind];
  return ((await api.get<Record<string, T[]>>(k.path)) as Record<string, T[]>)[k.many] ?? [];
}

/** Creates (no id) or replaces (id) one object; the api answers the stored object. */
export async function saveFlow<T>(api: Api, kind: FlowKind, body: object, id?: number): Promise<T> {
  const k = flowKinds[kind];
  const r = id ? await api.put<Record<string, T>>(`${k.path}/${id}`, body) : await api.post<Record<string, T>>(k.path, body);
  return (r as Record<string, T>)[k.one]!;
}

export const deleteFlow = (api: Api, kind: FlowKind, id: number) => api.delete(`${flowKinds[kind].path}/${id}`);

export interface DidView {
  id: number;
  number: string;
  trunkId: number | null;
  destination: Destination | null;
}

export const listDids = async (api: Api) => (await api.get<{ dids: DidView[] }>('/api/dids')).dids;
export const setDidDestination = async (api: Api, id: number, destination: Destination | null) => (await api.patch<{ did: DidView }>(`/api/dids/${id}`, { destination })).did;
export const getMain = async (api: Api) => (await api.get<{ destination: Destination | null }>('/api/call-flows/main')).destination;
export const setMain = async (api: Api, destination: Destination | null) => (await api.put<{ destination: Destination | null }>('/api/call-flows/main', { destination })).destination;
export const viewNumber = async (api: Api, number: string) => (await api.get<{ number: string; tree: FlowNode }>(`/api/call-flows/view?number=${encodeURIComponent(number)}`)).tree;
export const dryRun = async (api: Api, q: { number: string; caller?: string; at?: string; keys?: string[] }) => (await api.post<{ result: DryRunResult }>('/api/call-flows/dry-run', q)).result;
export const setOverride = async (api: Api, id: number, override: 'auto' | 'day' | 'night') => (await api.put<{ schedule: Schedule }>(`/api/schedules/${id}/override`, { override })).schedule;
export const importCalendar = (api: Api, csv: string) => api.post<{ years: number[]; holidays: Holiday[]; shortened: string[] }>('/api/schedules/calendar', { csv });

/** A "this call is recorded" notice on a DID, an outbound route or a queue (`ref`: the number, the route's id, the queue's id). */
export interface RecordingNoticeView {
  scope: 'did' | 'route' | 'queue';
  ref: string;
  enabled: boolean;
  prompt: number | null;
  toCalled: boolean;
  updatedAt?: string;
}

export const listNotices = async (api: Api) => (await api.get<{ notices: RecordingNoticeView[] }>('/api/call-flows/recording-notices')).notices;
/** `notice` null removes it. */
export const setNotice = (api: Api, scope: RecordingNoticeView['scope'], ref: string, notice: { enabled: boolean; prompt: number | null; toCalled: boolean } | null) =>
  api.put<{ scope: string; ref: string }>('/api/call-flows/recording-notices', { scope, ref, notice });
