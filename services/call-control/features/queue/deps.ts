// What the queue destination needs besides every feature's deps: the
// store's queue records (agents' standing, queued calls), whether an agent
// is on another call, and spoken sentences (position, expected wait).
import type { QueuesRepo } from '../../../store';
import type { Prompt } from '../../actions/actions';

export type QueueStore = Pick<
  QueuesRepo,
  | 'agents'
  | 'setAgent'
  | 'agentMissed'
  | 'agentAnswered'
  | 'agentCallEnded'
  | 'enter'
  | 'answered'
  | 'ended'
  | 'announced'
  | 'recentHandleMs'
>;

export interface QueueDeps {
  store: QueueStore;
  /** The extension is on a call now (the live calls): not offered a queued caller. */
  busy(tenantId: number, extension: string): boolean;
  /** `text` spoken in `language` as a playable file; undefined when speech cannot be made (espeak-ng missing). */
  speak(text: string, language: 'ru' | 'en'): Promise<Prompt | undefined>;
  /** The tenant's queues as stored (agents' feature codes find the caller's queues); absent: the codes answer 503. */
  list?(tenantId: number): Array<{ id: number; name: string; config: unknown }>;
}
