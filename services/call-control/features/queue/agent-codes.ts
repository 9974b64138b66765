// Agents' feature codes dialled from a phone (app_queue's AddQueueMember /
// PauseQueueMember on *-codes): log in, log out, pause, unpause, to every
// queue the calling extension is a member of or to one queue by its id:
//
//   *45 / *45*7   log in (dynamic members; a static one is always in)
//   *46 / *46*7   log out (dynamic members only)
//   *47 / *47*7   pause (reason "phone", what the wallboard shows)
//   *48 / *48*7   unpause
//
// *1 and *2 are the in-call recording codes (DTMF, recordings.featureCodes),
// not dialled, so these do not meet them. The change is written to the
// store, the shared truth the queue engine reads on its one-second tick and
// the api shows. Done: the PBX answers, says what changed (espeak-ng, the
// queue's language) and hangs up; nothing to change: 404 before answering.
import { queueSchema, type QueueConfig } from '../../../call-flows';
import type { Call } from '../../call/call';
import type { Feature, FeatureDeps, Next } from '../feature';

export type AgentAction = 'log-in' | 'log-out' | 'pause' | 'unpause';
const ACTIONS: Record<string, AgentAction> = { '45': 'log-in', '46': 'log-out', '47': 'pause', '48': 'unpause' };
export const PHONE_PAUSE_REASON = 'phone';

/** `*45`, `*45*7` (queue 7), `*457`; undefined for any other code. */
export function parseAgentCode(code: string): { action: AgentAction; queueId?: number } | undefined {
  const m = /^\*(4[5-8])(?:\*?(\d{1,6}))?$/.exec(code);
  const action = m ? ACTIONS[m[1]!] : undefined;
  if (!m || !action) return undefined;
  return m[2] ? { action, queueId: Number(m[2]) } : { action };
}

export interface AgentQueue {
  id: number;
  name: string;
  config: unknown;
}

/** What changes for `extension` in each queue (pure): the queues touched, and why nothing changed when none is. */
export function agentChanges(
  action: AgentAction,
  extension: string,
  queues: ReadonlyArray<{ id: number; name: string; config: QueueConfig; row?: { loggedIn: boolean; paused: boolean } | undefined }>,
): Array<{ id: number; name: string; language: 'ru' | 'en'; change: { loggedIn?: boolean; paused?: boolean; pauseReason?: string }; isStatic: boolean }> {
  const out = [];
  for (const q of queues) {
    const m = q.config.members.find((x) => x.extension === extension);
    if (!m) continue;
    const isStatic = m.mode === 'static';
    const loggedIn = q.row?.loggedIn ?? isStatic;
    const paused = q.row?.paused ?? false;
    const base = { id: q.id, name: q.name, language: q.config.language, isStatic };
    if (action === 'log-in' && !isStatic && !loggedIn) out.push({ ...base, change: { loggedIn: true } });
    if (action === 'log-out' && !isStatic && loggedIn) out.push({ ...base, change: { loggedIn: false, paused: false, pauseReason: '' } });
    if (action === 'pause' && loggedIn && !paused) out.push({ ...base, change: { paused: true, pauseReason: PHONE_PAUSE_REASON } });
    if (action === 'unpause' && loggedIn && paused) out.push({ ...base, change: { paused: false, pauseReason: '' } });
  }
  return out;
}

const SAID: Record<'ru' | 'en', Record<AgentAction, string>> = {
  ru: { 'log-in': 'Вы вошли в очередь', 'log-out': 'Вы вышли из очереди', pause: 'Пауза в очереди', unpause: 'Пауза снята в очереди' },
  en: { 'log-in': 'You are logged in to queue', 'log-out': 'You are logged out of queue', pause: 'Paused in queue', unpause: 'Unpaused in queue' },
};

export class AgentCode implements Feature {
  constructor(
    private readonly code: string,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    const parsed = parseAgentCode(this.code);
    const q = this.deps.queues;
    const refuse = (status: number, reason: string, code: string): Next => ({ kind: 'route', to: { kind: 'refuse', status, reason, code } });
    if (!parsed) return refuse(404, 'Feature code not available', 'feature-not-available');
    // Only the tenant's own phones: a call from a trunk has no extension to log in.
    if (call.direction === 'inbound' || !/^\d{2,6}$/.test(call.caller.number)) return refuse(403, 'Not an extension', 'queue-agent-not-extension');
    if (!q?.list) return refuse(503, 'Queues unavailable', 'queue-unavailable');
    const extension = call.caller.number;
    const queues = q
      .list(call.tenantId)
      .filter((r) => parsed.queueId === undefined || r.id === parsed.queueId)
      .flatMap((r) => {
        const c = queueSchema.safeParse(r.config);
        if (!c.success) return [];
        return [{ id: r.id, name: r.name, config: c.data, row: q.store.agents(r.id).find((a) => a.extension === extension) }];
      });
    const changes = agentChanges(parsed.action, extension, queues);
    if (changes.length === 0) {
      call.log.info('queue agent code changed nothing', { code: this.code, extension, queues: queues.length });
      return refuse(404, 'Nothing to change', 'queue-agent-no-change');
    }
    for (const c of changes) q.store.setAgent(c.id, extension, c.change, c.isStatic);
    call.log.info('queue agent code', { code: this.code, action: parsed.action, extension, queues: changes.map((c) => c.id) });
    await this.deps.actions.answer(call);
    const language = changes[0]!.language;
    const said = await q.speak(`${SAID[language][parsed.action]} ${changes.map((c) => c.name).join(', ')}.`, language);
    if (said && !call.ended) await this.deps.actions.play(call, said);
    if (!call.ended) await call.end('system', undefined, `queue-agent-${parsed.action}`);
    return { kind: 'done' };
  }

  stop(): void {
    // play() resolves when the call goes; nothing else runs.
  }
}

export const agentCodeFeature = (code: string, deps: FeatureDeps): Feature => new AgentCode(code, deps);
