// Black and white lists at run time (issue 11 item 8). An inbound caller is
// screened by the tenant's lists before any destination runs (trunks/
// inbound-origin.ts): a blocked one goes to the list's treatment — busy is
// refused before admission, so it costs no licence slot and no media port —
// and one on a VIP allow list skips schedules. When a destination rings an
// extension, that extension's own lists screen the caller again
// (features/index.ts). The decision is call-flows' screenCaller, the dry
// run's own, so the dry run's path is the call's.
import { screenCallee, screenCaller, type ListConfig } from '../../call-flows';
import { reasonPhrase, type Call } from '../call/call';
import type { Destination } from '../routing/destination';
import type { CallLists, Feature, Next } from './feature';

export type { CallLists } from './feature';

/** What screening at entry decided, besides a treatment: the call's first path steps and its VIP mark. */
export interface Screened {
  vip: boolean;
  /** `list:block:3`, `list:allow:4`: the CDR's path names the list that decided. */
  path: string[];
}

/** The CDR's reason when a list's busy/hang-up treatment turns a caller away. */
export const BLOCKED_CODE = 'caller-blocked';

/**
 * A list's treatment as a run-time destination. A hang-up treatment is a
 * refusal while the caller is not answered (before admission at entry), a
 * BYE after; either way the CDR's reason is caller-blocked.
 */
export function treatmentOf(t: ListConfig['treatment'], answered: boolean): Destination {
  if (t.type !== 'hangup')
    return t.type === 'feature'
      ? { kind: 'feature', feature: t.feature, id: String(t.id) }
      : t.type === 'extension'
        ? { kind: 'extension', extension: t.extension }
        : { kind: 'external', number: t.number };
  const reason = t.reason || reasonPhrase(t.status);
  return answered
    ? { kind: 'hangup', status: t.status, reason, code: BLOCKED_CODE }
    : { kind: 'refuse', status: t.status, reason, code: BLOCKED_CODE };
}

/** The tenant's lists on an inbound caller (raw From user or its canonical form): the treatment when blocked. */
export function screenEntry(lists: CallLists, tenantId: number, caller: string): Screened & { treatment?: Destination } {
  const s = screenCaller(lists.lists(tenantId), null, caller);
  if (s.kind === 'none') return { vip: false, path: [] };
  if (s.kind === 'allow') return { vip: s.vip, path: [`list:allow:${s.id}`] };
  return { vip: false, path: [`list:block:${s.id}`], treatment: treatmentOf(s.treatment, false) };
}

/**
 * An extension's own lists for an inbound call about to ring it: a feature
 * that sends a blocked caller to the treatment, or undefined to ring on.
 * Internal and outbound calls are not screened here (outbound: screenOutbound).
 */
export function screenExtension(lists: CallLists | undefined, call: Call, extension: string): Feature | undefined {
  if (!lists || call.direction !== 'inbound') return undefined;
  const s = screenCaller(lists.lists(call.tenantId), extension, call.caller.number || call.caller.dialled);
  if (s.kind !== 'block') return undefined;
  call.log.info('caller blocked by the extension', { extension, list: s.id });
  call.path.push(`list:block:${s.id}`);
  const to = treatmentOf(s.treatment, call.state === 'answered');
  return { run: async (): Promise<Next> => ({ kind: 'route', to }), stop: () => undefined };
}

/**
 * Outbound lists: a number an extension dials out that the tenant's or the
 * extension's own outbound lists block goes to the list's treatment (busy by
 * default) before any trunk channel is taken; the path names the list. Only
 * calls placed by extensions (direction outbound) are screened: an inbound
 * call forwarded out was the forwarding extension's choice.
 */
export function screenOutbound(lists: CallLists | undefined, call: Call, number: string): Feature | undefined {
  if (!lists || call.direction !== 'outbound') return undefined;
  const s = screenCallee(lists.lists(call.tenantId), call.caller.number || call.caller.dialled, number);
  if (s.kind !== 'block') return undefined;
  call.log.info('outbound number blocked', { list: s.id });
  call.path.push(`list:block:${s.id}`);
  const to = treatmentOf(s.treatment, call.state === 'answered');
  return { run: async (): Promise<Next> => ({ kind: 'route', to }), stop: () => undefined };
}
