// Call forwarding of an extension, decided from its extension_features row
// (migration 0040): unconditional before anything rings, busy (the phones
// said 486/600/603, or the extension is on DND), no answer after
// `no_answer_seconds`, unreachable (no registered phone, or none of its
// phones could be reached). A target is another extension, which is then
// rung with its own DND and forwarding, or an external number, which goes
// through the dial plan with the forwarding extension's outbound permission
// (the forwarding party pays, as on every PBX). A chain of forwards ends
// with 482 Loop Detected (RFC 3261 §21.4.20) when it comes back to an
// extension it already passed or exceeds MAX_FORWARDS: never a hang.
// Only decides; it rings nothing and allocates nothing.
import type { Forward, ForwardReason } from '../cdr/cdr-record';
import type { DialDecision } from '../../dialplan';
import type { Binding } from '../registrar/location-service';
import type { ForkBranch } from './fork';
import type { RouterStores } from './call-router';

export type { ForwardReason };

/** The forwarding columns of extension_features, as the store's ExtensionFeatures.forward has them. */
export interface ForwardRules {
  always: string | null;
  busy: string | null;
  noAnswer: string | null;
  noAnswerSeconds: number;
  unreachable: string | null;
}

/** One forward on the call's way (the CDR keeps them in order). */
export type ForwardStep = Forward;

/** Hops after the dialled extension; a fourth forward is a loop in all but name. */
export const MAX_FORWARDS = 3;

export type Hop =
  /**
   * Ring the phones of `number`; `rules` are its own forwards for busy / no answer / unreachable;
   * `extra`: targets rung with the phones (the extension's mobile through a GSM gateway, issue 14).
   */
  | { kind: 'ring'; number: string; extensionId: number; bindings: Binding[]; rules?: ForwardRules; forwards: ForwardStep[]; extra?: readonly ForkBranch[] }
  /** An external forward target: the dial plan's outbound decision, to be placed as a dialled external number is. */
  | { kind: 'outbound'; number: string; decision: Extract<DialDecision, { kind: 'outbound' }>; forwards: ForwardStep[] }
  | { kind: 'refuse'; number: string; status: 403 | 404 | 480 | 482 | 484 | 486; reason: string; code: string; forwards: ForwardStep[] };

type RingHop = Extract<Hop, { kind: 'ring' }>;

/** Address-of-record key the registrar files bindings under. */
export const aorKey = (tenantId: number, extension: string) => `${tenantId}:${extension}`;

/** How long the phones of a hop ring: its no-answer forward's seconds, else the system's ring timeout. */
export function ringTimeFor(hop: RingHop, ringTimeoutMs: number): number {
  return hop.rules?.noAnswer ? hop.rules.noAnswerSeconds * 1000 : ringTimeoutMs;
}

/** RFC 5806 Diversion values for the INVITEs of a forwarded call, the latest forward first. */
export function diversionHeader(forwards: readonly ForwardStep[], domain: string): string | undefined {
  const words: Record<ForwardReason, string> = { always: 'unconditional', busy: 'user-busy', 'no-answer': 'no-answer', unreachable: 'unavailable' };
  if (forwards.length === 0) return undefined;
  return forwards
    .map((f, i) => `<sip:${f.from}@${domain}>;reason=${words[f.reason]};counter=${i + 1}`)
    .reverse()
    .join(', ');
}

export class Forwarding {
  constructor(
    private readonly stores: RouterStores,
    private readonly tenantId: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The extension `number` as a call reaches it: unconditional forward, DND, no phone, or ring. */
  resolve(number: string, forwards: ForwardStep[] = []): Hop {
    const s = this.stores;
    const ext = s.extension(this.tenantId, number);
    if (!ext || !ext.enabled) return this.refuse(number, 404, 'No such extension', forwards.length > 0 ? 'forward-target-not-found' : 'extension-not-found', forwards);
    const rules = s.forwarding?.(ext.id);
    if (rules?.always) return this.follow(number, ext.outboundPermission, rules.always, 'always', forwards);
    // DND reads as busy: with a busy forward the call goes there (as on most PBXs), else 486.
    if (s.dnd(ext.id)) return rules?.busy ? this.follow(number, ext.outboundPermission, rules.busy, 'busy', forwards) : this.refuse(number, 486, 'Do Not Disturb', 'extension-dnd', forwards);
    const bindings = s.bindings(aorKey(this.tenantId, number));
    // An extension that rings its mobile (issue 14) is reachable without a desk phone; only as the dialled one, not as a forward target.
    if (bindings.length === 0 && !(forwards.length === 0 && s.ringsMobile?.(this.tenantId, ext.id))) {
      return rules?.unreachable ? this.follow(number, ext.outboundPermission, rules.unreachable, 'unreachable', forwards) : this.refuse(number, 480, 'Not registered', 'extension-not-registered', forwards);
    }
    return { kind: 'ring', number, extensionId: ext.id, bindings, ...(rules ? { rules } : {}), forwards };
  }

  /** After the phones of `hop` were busy, did not answer or could not be reached: the next hop, or undefined when no rule applies. */
  after(hop: RingHop, why: Exclude<ForwardReason, 'always'>): Hop | undefined {
    const to = why === 'busy' ? hop.rules?.busy : why === 'no-answer' ? hop.rules?.noAnswer : hop.rules?.unreachable;
    if (!to) return undefined;
    const ext = this.stores.extension(this.tenantId, hop.number);
    return this.follow(hop.number, ext?.outboundPermission ?? 'internal', to, why, hop.forwards);
  }

  private follow(from: string, permission: Parameters<ReturnType<RouterStores['dialPlan']>['decide']>[1], target: string, reason: ForwardReason, forwards: ForwardStep[]): Hop {
    const decision = this.stores.dialPlan(this.tenantId).decide(target, permission);
    const to = decision.kind === 'refused' ? (decision.normalised?.number ?? target) : decision.number;
    const chain = [...forwards, { at: this.now(), from, to, reason }];
    if (chain.length > MAX_FORWARDS) return this.refuse(to, 482, 'Loop Detected', 'forward-loop', chain);
    if (decision.kind === 'refused') return this.refuse(to, decision.sipStatus, decision.message, decision.code, chain);
    if (decision.kind === 'feature') return this.refuse(to, 404, 'Feature code not available', 'feature-not-available', chain);
    if (decision.kind === 'outbound') return { kind: 'outbound', number: to, decision, forwards: chain };
    // Back to an extension this call already passed through: a loop (A → B → A).
    const passed = new Set([chain[0]!.from, ...forwards.map((f) => f.to)]);
    if (passed.has(to)) return this.refuse(to, 482, 'Loop Detected', 'forward-loop', chain);
    return this.resolve(to, chain);
  }

  private refuse(number: string, status: Extract<Hop, { kind: 'refuse' }>['status'], reason: string, code: string, forwards: ForwardStep[]): Hop {
    return { kind: 'refuse', number, status, reason, code, forwards };
  }
}
