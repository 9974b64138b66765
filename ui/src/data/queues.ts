// Queues over the api: the config (a call-flow resource at /api/queues),
// agents' log-in/out and pause, the live state for the wallboard and the
// agent's own queues. Types come from services (import type only).
import type { QueueConfig, QueueInput, QueueMember, QueueStrategy } from '../../../services/call-flows';
import type { AgentState } from '../../../services/api/routes/queues';
import type { Api } from './api';

export type { AgentState, QueueConfig, QueueInput, QueueMember, QueueStrategy };
export const STRATEGIES: readonly QueueStrategy[] = ['ring-all', 'linear', 'round-robin', 'least-recent', 'fewest-calls', 'random', 'longest-idle', 'skills'];

export type Queue = QueueConfig & { id: number; tenantId: number; createdAt: string; updatedAt: string };

export interface Agent {
  extension: string;
  mode: QueueMember['mode'];
  penalty: number;
  state: AgentState;
  pauseReason: string;
  calls: number;
  missed: number;
  lastCallEnd: number | null;
}

export interface WaitingCaller {
  position: number;
  cdrId: string;
  caller: string;
  enteredAt: string;
  waitingMs: number;
}

export interface QueueStats {
  since: string;
  offered: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  overflowed: number;
  waiting: number;
  serviceLevel: number | null;
  avgWaitMs: number | null;
  avgHandleMs: number | null;
}

export interface QueueLive {
  queue: { id: number; name: string; strategy: QueueStrategy; serviceLevel: number };
  waiting: WaitingCaller[];
  agents: Agent[];
  stats: QueueStats;
}

export interface MyQueue {
  id: number;
  name: string;
  agents: Agent[];
}

export const listQueues = async (api: Api) => (await api.get<{ queues: Queue[] }>('/api/queues')).queues;
export const saveQueue = async (api: Api, body: QueueInput, id?: number) =>
  (id ? await api.put<{ queue: Queue }>(`/api/queues/${id}`, body) : await api.post<{ queue: Queue }>('/api/queues', body)).queue;
export const deleteQueue = (api: Api, id: number) => api.delete<void>(`/api/queues/${id}`);
export const queueLive = (api: Api, id: number) => api.get<QueueLive>(`/api/queues/${id}/live`);
export const listAgents = async (api: Api, id: number) => (await api.get<{ agents: Agent[] }>(`/api/queues/${id}/agents`)).agents;
export const setAgent = async (api: Api, id: number, extension: string, change: { loggedIn?: boolean; paused?: boolean; reason?: string }) =>
  (await api.put<{ agent: Agent }>(`/api/queues/${id}/agents/${encodeURIComponent(extension)}`, change)).agent;
export const myQueues = async (api: Api) => (await api.get<{ queues: MyQueue[] }>('/api/my-queues')).queues;

/** m:ss for a wait; hours as h:mm:ss. */
export function formatWait(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
